import { tidy, type BalanceHost, type BalanceLimits, type BalanceOutcome, type BalanceServer, type BalanceStep, type Unplaced } from './rebalance-model';
import { Shelves, type Shelf } from './rebalance-shelves';

/**
 * The rebalancing greedy. Pure and deterministic: hosts are visited in (load, name) order,
 * servers in (size, id) order, and every choice has a fixed tie-break.
 *
 * 1. Drain: each server of a drained host (by host name, largest first, then id) goes to the
 *    receiving host that will be least loaded after taking it (ties: host name) among those
 *    that take it (zone, backend name, reserve).
 * 2. Balance: while the spread (most minus least loaded counted host) exceeds the tolerance,
 *    take the most loaded host (ties: host name) that has an allowed move whose gain is at
 *    least minGain, and make its best move: the highest gain, then the least loaded
 *    destination, then the smallest server, then its id. The gain of moving a server from b
 *    to c is how much the more loaded of the two drops: min(x, d - y), with d = load(b) -
 *    load(c), x the server's load on b and y its load on c. A positive gain means both hosts
 *    end below b's load before the move, so the loads sorted from the highest strictly
 *    decrease (lexicographically) at every step: the loop ends.
 * 3. Servers of drained hosts that found no room are tried again after balancing (which may
 *    have freed room); if any moved, balance again. Each round moves at least one of them.
 *
 * A server may move again later in the same run (its plan entry keeps its first host as the
 * source), but only where that one migration is allowed too; a move back to its first host
 * simply drops it from the plan. Because every choice depends only on where servers are now,
 * planning again from the result (once its moves are done) finds nothing to do, unless
 * maxMoves cut the plan short, and with one exception: when two hosts share a backend name, a
 * server may be unable to reach a host in one migration that it can reach in two (Manila's
 * same-backend rule); the next run then finishes the job.
 *
 * Cost per step, for H hosts: O(H) to keep the hosts ordered; to find the move, usually
 * O(shelves of the most loaded host) (the first destination tried takes it), O(H^2 * shelves)
 * at worst (no source but the last has a move); O(log n + n_shelf) to shelve the server. No
 * step scans the servers. A hard ceiling of 16 * (servers + hosts) + 1024 steps guards against
 * the unexpected (reported in the explanation's notes if ever reached).
 */

const EPS = 1e-9;

/** Solves a rebalancing problem. `hosts` must be sorted by name (ties break by index). */
export function balance(hosts: readonly BalanceHost[], servers: readonly BalanceServer[], limits: BalanceLimits): BalanceOutcome {
  return new Balancer(hosts, servers, limits).run();
}

interface Candidate {
  readonly server: number;
  readonly to: number;
  readonly gain: number;
}

class Balancer {
  private readonly capacity: boolean;
  private readonly count: boolean;
  private readonly load: number[];
  private readonly free: Array<number | undefined>;
  private readonly cur: number[];
  private readonly shelves: Shelves;
  /** Counted balance hosts by (load, index). */
  private readonly order: number[];
  private readonly pos: number[];
  private readonly drainQueue: number[];
  private readonly steps: BalanceStep[] = [];
  private readonly unplaced = new Map<number, Unplaced>();
  private moves = 0;
  private readonly ceiling: number;

  constructor(
    private readonly hosts: readonly BalanceHost[],
    private readonly servers: readonly BalanceServer[],
    private readonly limits: BalanceLimits,
  ) {
    this.capacity = limits.objective === 'free-ratio';
    this.count = limits.objective === 'server-count';
    this.free = hosts.map((h) => h.freeGb);
    this.cur = servers.map((s) => s.host);
    this.shelves = new Shelves(hosts.length, servers);
    this.load = hosts.map((h) => (this.capacity ? this.capacityLoad(h, h.freeGb) : h.pinnedLoad));
    this.drainQueue = [];
    servers.forEach((s, i) => {
      if (!this.capacity) this.load[s.host] += this.weight(i);
      if (hosts[s.host].role === 'drain') this.drainQueue.push(i);
      else this.shelves.add(s.host, i, s.host);
    });
    this.drainQueue.sort((a, b) => this.cur[a] - this.cur[b] || servers[b].sizeGb - servers[a].sizeGb || this.shelves.compare(a, b));
    this.order = hosts.map((_, i) => i).filter((i) => hosts[i].role === 'balance' && hosts[i].counted);
    this.order.sort((a, b) => this.load[a] - this.load[b] || a - b);
    this.pos = hosts.map(() => -1);
    this.order.forEach((h, p) => (this.pos[h] = p));
    this.ceiling = 16 * (servers.length + hosts.length) + 1024;
  }

  public run(): BalanceOutcome {
    const before = [...this.load];
    const spreadBefore = this.spread();
    let pending = this.drainQueue;
    for (let round = 0; ; round++) {
      const waiting: number[] = [];
      let placed = 0;
      for (const s of pending) {
        if (this.atLimit()) {
          waiting.push(s);
          continue;
        }
        const r = this.placeDrained(s);
        if (r === 'placed') placed++;
        else if (r === 'no-room') waiting.push(s);
        else this.unplaced.set(s, 'no-host');
      }
      pending = waiting;
      if (round > 0 && placed === 0) break;
      this.balanceLoop();
      if (pending.length === 0 || this.atLimit() || this.steps.length >= this.ceiling) break;
    }
    for (const s of pending) this.unplaced.set(s, this.atLimit() ? 'max-moves' : 'no-room');
    const spreadAfter = this.spread();
    const drainEmpty = this.unplaced.size === 0 && this.hosts.every((h) => h.role !== 'drain' || h.pinnedServers === 0);
    const within = this.withinTolerance();
    return {
      placement: [...this.cur],
      steps: this.steps,
      before,
      after: [...this.load],
      freeAfter: [...this.free],
      unplaced: this.unplaced,
      moves: this.moves,
      spreadBefore,
      spreadAfter,
      stop: within && drainEmpty ? 'balanced' : this.atLimit() ? 'max-moves' : within ? 'drain-blocked' : 'no-gain',
      ceilingReached: this.steps.length >= this.ceiling,
    };
  }

  private balanceLoop(): void {
    while (!this.atLimit() && this.steps.length < this.ceiling && !this.withinTolerance()) {
      const m = this.bestMove();
      if (!m) return;
      this.apply(m.server, m.to, 'balance');
    }
  }

  /** The move of the most loaded host that has one with gain >= minGain. */
  private bestMove(): Candidate | undefined {
    const order = this.order;
    const lowest = order.find((h) => this.hosts[h].receives);
    if (lowest === undefined) return undefined;
    const floor = this.load[lowest];
    // Most loaded first; within equal loads, by host name.
    for (let i = order.length - 1; i >= 0; ) {
      let j = i;
      while (j > 0 && this.load[order[j - 1]] === this.load[order[i]]) j--;
      if (this.load[order[i]] - floor < this.limits.minGain - EPS) return undefined;
      for (let k = j; k <= i; k++) {
        const m = this.bestFrom(order[k]);
        if (m) return m;
      }
      i = j - 1;
    }
    return undefined;
  }

  private bestFrom(b: number): Candidate | undefined {
    if (this.shelves.isEmpty(b)) return undefined;
    const hb = this.hosts[b];
    const maxX = this.count ? 1 : this.shelves.largest(b) * this.scale(b);
    let best: Candidate | undefined;
    for (const c of this.order) {
      const hc = this.hosts[c];
      if (!hc.receives || c === b) continue;
      const d = this.load[b] - this.load[c];
      if (d < this.limits.minGain - EPS) break;
      const bound = this.count ? Math.min(1, d - 1) : Math.min(maxX, d);
      if (best && bound <= best.gain) break;
      if (hb.backend === hc.backend) continue;
      const cap = this.room(c);
      for (const shelf of this.shelves.of(b)) {
        if (!this.zoneOk(shelf.zones, c)) continue;
        if (shelf.origin !== c && this.hosts[shelf.origin].backend === hc.backend) continue;
        const s = this.bestOnShelf(shelf, b, c, d, cap);
        if (s === undefined) continue;
        const gain = this.gain(s, b, c, d);
        if (gain < this.limits.minGain - EPS || gain <= 0) continue;
        if (!best || gain > best.gain || (gain === best.gain && c === best.to && this.shelves.compare(s, best.server) < 0)) best = { server: s, to: c, gain };
      }
    }
    return best;
  }

  /** The server of a shelf whose move from b to c gains most (ties: the smaller, then its id). */
  private bestOnShelf(shelf: Shelf, b: number, c: number, d: number, cap: number): number | undefined {
    const m = shelf.members;
    if (this.count) return this.servers[m[0]].sizeGb <= cap ? m[0] : undefined;
    // gain(size) = min(size * xb, d - size * xc) rises until size = d / (xb + xc), then falls.
    const peak = d / (this.scale(b) + this.scale(c));
    let below: number | undefined;
    const i = this.shelves.firstAbove(m, Math.min(peak, cap)) - 1;
    if (i >= 0) below = m[this.shelves.firstAtLeast(m, this.servers[m[i]].sizeGb)];
    const j = this.shelves.firstAtLeast(m, peak);
    const above = j < m.length && this.servers[m[j]].sizeGb <= cap ? m[j] : undefined;
    if (below === undefined) return above;
    if (above === undefined) return below;
    return this.gain(above, b, c, d) > this.gain(below, b, c, d) ? above : below;
  }

  private gain(s: number, b: number, c: number, d: number): number {
    const w = this.weight(s);
    return Math.min(w * this.scale(b), d - w * this.scale(c));
  }

  /** Moves a server of a drained host to the receiver least loaded after taking it. */
  private placeDrained(s: number): 'placed' | 'no-room' | 'no-host' {
    const from = this.cur[s];
    const backend = this.hosts[from].backend;
    const size = this.servers[s].sizeGb;
    const w = this.weight(s);
    let best = -1;
    let bestAfter = Infinity;
    let someHost = false;
    for (const c of this.order) {
      const hc = this.hosts[c];
      if (!hc.receives || hc.backend === backend || !this.zoneOk(this.servers[s].zones, c)) continue;
      someHost = true;
      if (this.load[c] >= bestAfter) break;
      if (size > this.room(c)) continue;
      const after = this.load[c] + w * this.scale(c);
      if (after < bestAfter) {
        best = c;
        bestAfter = after;
      }
      if (!this.capacity) break;
    }
    if (best >= 0) {
      this.apply(s, best, 'drain');
      return 'placed';
    }
    return someHost ? 'no-room' : 'no-host';
  }

  private apply(s: number, to: number, kind: BalanceStep['kind']): void {
    const from = this.cur[s];
    const origin = this.servers[s].host;
    const size = this.servers[s].sizeGb;
    const fromBefore = this.load[from];
    const toBefore = this.load[to];
    if (this.hosts[from].role !== 'drain') this.shelves.remove(from, s, origin);
    this.shelves.add(to, s, origin);
    const ff = this.free[from];
    const ft = this.free[to];
    if (ff !== undefined) this.free[from] = ff + size;
    if (ft !== undefined) this.free[to] = ft - size;
    if (this.capacity) {
      this.load[from] = this.capacityLoad(this.hosts[from], this.free[from]);
      this.load[to] = this.capacityLoad(this.hosts[to], this.free[to]);
    } else {
      this.load[from] -= this.weight(s);
      this.load[to] += this.weight(s);
    }
    this.cur[s] = to;
    if (from === origin) this.moves++;
    if (to === origin) this.moves--;
    this.reposition(from);
    this.reposition(to);
    this.steps.push({ kind, server: s, from, to, fromBefore, fromAfter: this.load[from], toBefore, toAfter: this.load[to] });
  }

  /** Restores the (load, index) order after a host's load changed. */
  private reposition(h: number): void {
    let p = this.pos[h];
    if (p < 0) return;
    const o = this.order;
    const before = (a: number, b: number): boolean => this.load[a] < this.load[b] || (this.load[a] === this.load[b] && a < b);
    while (p > 0 && before(h, o[p - 1])) {
      o[p] = o[p - 1];
      this.pos[o[p]] = p;
      p--;
    }
    while (p < o.length - 1 && before(o[p + 1], h)) {
      o[p] = o[p + 1];
      this.pos[o[p]] = p;
      p++;
    }
    o[p] = h;
    this.pos[h] = p;
  }

  /** The spread as people see it (rounded like the explanation) is within the tolerance. */
  private withinTolerance(): boolean {
    return tidy(this.spread(), this.limits.objective) <= this.limits.tolerance + EPS;
  }

  private spread(): number {
    const o = this.order;
    return o.length < 2 ? 0 : this.load[o[o.length - 1]] - this.load[o[0]];
  }

  private atLimit(): boolean {
    return this.limits.maxMoves !== undefined && this.moves >= this.limits.maxMoves;
  }

  /** Largest server (GiB) a host can take and keep its reserve. */
  private room(c: number): number {
    const { reserveGb, reserveRatio } = this.limits;
    const free = this.free[c];
    const total = this.hosts[c].totalGb;
    if (free === undefined) return reserveGb > 0 || reserveRatio > 0 ? -Infinity : Infinity;
    if (reserveRatio > 0 && total === undefined) return -Infinity;
    return free - Math.max(reserveGb, reserveRatio * (total ?? 0));
  }

  private zoneOk(zones: ReadonlySet<string> | null, c: number): boolean {
    const z = this.hosts[c].zone;
    return z === undefined || zones === null || zones.has(z);
  }

  private weight(s: number): number {
    return this.count ? 1 : this.servers[s].sizeGb;
  }

  private scale(h: number): number {
    return this.capacity ? 1 / (this.hosts[h].totalGb ?? Infinity) : 1;
  }

  private capacityLoad(h: BalanceHost, free: number | undefined): number {
    return free !== undefined && h.totalGb !== undefined ? 1 - free / h.totalGb : Number.NaN;
  }
}
