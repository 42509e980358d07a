/**
 * Every request the simulated cloud received, counted the ways the benchmark reports them: per
 * client (the Keystone user behind the token), per operation, per virtual second and minute,
 * and requests in flight (arrived, answer not yet delivered). Arrival times of each client's
 * Manila requests are kept in a compact array so the token-bucket bound (at most
 * burst + rate × t requests in any interval of length t) can be checked exactly afterwards.
 */

/** One request, when kept (`keep`). */
export interface RequestRecord {
  readonly at: number;
  readonly doneAt: number;
  readonly user: string;
  /** e.g. `GET share-servers/{id}`, `POST action:migration_start`. */
  readonly op: string;
  readonly method: string;
  readonly path: string;
  readonly status: number;
  /** The action body's key, for `POST .../action`. */
  readonly action?: string;
}

/** Counts of one client. */
export interface ClientCounts {
  total: number;
  /** Manila requests (Keystone's excluded): what the client's request budget governs. */
  manila: number;
  readonly byOp: Map<string, number>;
  /** Manila requests per virtual minute (minute index since the epoch → count). */
  readonly perMinute: Map<number, number>;
  peakPerSecond: number;
  peakPerMinute: number;
  second: number;
  secondCount: number;
  minute: number;
  minuteCount: number;
  /** Arrival times of Manila requests (ms), in order. */
  times: Float64Array;
  n: number;
}

/** The request log of a simulated cloud. */
export class RequestLog {
  private readonly clients = new Map<string, ClientCounts>();
  /** Kept records (when `keep`), oldest first. */
  public readonly records: RequestRecord[] = [];
  private inFlight = 0;
  /** Most requests in flight at once. */
  public peakInFlight = 0;

  /** @param keep keep every record (tests, fidelity) instead of counts only. */
  constructor(private readonly keep = false) {}

  private counts(user: string): ClientCounts {
    let c = this.clients.get(user);
    if (!c) {
      c = {
        total: 0,
        manila: 0,
        byOp: new Map(),
        perMinute: new Map(),
        peakPerSecond: 0,
        peakPerMinute: 0,
        second: -1,
        secondCount: 0,
        minute: -1,
        minuteCount: 0,
        times: new Float64Array(1024),
        n: 0,
      };
      this.clients.set(user, c);
    }
    return c;
  }

  /** A request arrived. */
  public arrive(at: number, user: string, op: string, keystone: boolean): void {
    const c = this.counts(user);
    c.total++;
    c.byOp.set(op, (c.byOp.get(op) ?? 0) + 1);
    this.inFlight++;
    this.peakInFlight = Math.max(this.peakInFlight, this.inFlight);
    if (keystone) return;
    c.manila++;
    const sec = Math.floor(at / 1000);
    if (sec !== c.second) {
      c.second = sec;
      c.secondCount = 0;
    }
    c.secondCount++;
    c.peakPerSecond = Math.max(c.peakPerSecond, c.secondCount);
    const min = Math.floor(at / 60_000);
    if (min !== c.minute) {
      c.minute = min;
      c.minuteCount = 0;
    }
    c.minuteCount++;
    c.peakPerMinute = Math.max(c.peakPerMinute, c.minuteCount);
    c.perMinute.set(min, (c.perMinute.get(min) ?? 0) + 1);
    if (c.n === c.times.length) {
      const bigger = new Float64Array(c.times.length * 2);
      bigger.set(c.times);
      c.times = bigger;
    }
    c.times[c.n++] = at;
  }

  /** Its answer was delivered. */
  public done(r: RequestRecord): void {
    this.inFlight--;
    if (this.keep) this.records.push(r);
  }

  /** Requests in flight now. */
  public get current(): number {
    return this.inFlight;
  }

  /** Requests of one operation (e.g. `GET shares/{id}/export_locations`), from every client. */
  public opCount(op: string): number {
    let n = 0;
    for (const c of this.clients.values()) n += c.byOp.get(op) ?? 0;
    return n;
  }

  /** Counts of one client (the Keystone user name), if it sent anything. */
  public client(user: string): ClientCounts | undefined {
    return this.clients.get(user);
  }

  /** Every client's name. */
  public users(): string[] {
    return [...this.clients.keys()].sort();
  }

  /**
   * The smallest burst that explains a client's Manila requests at `ratePerSecond`: the most,
   * over every interval [a, b], of count − rate × (b − a). A token bucket of that rate allows at
   * most its burst; a larger value means the budget was broken.
   */
  public burstNeeded(user: string, ratePerSecond: number, from = -Infinity, to = Infinity): number {
    return this.worstBurst(user, ratePerSecond, from, to).burst;
  }

  /** `burstNeeded`, with the interval where it is reached ([from, to] ms, arrival times). */
  public worstBurst(user: string, ratePerSecond: number, from = -Infinity, to = Infinity): { burst: number; from: number; to: number } {
    const c = this.clients.get(user);
    if (!c || c.n === 0) return { burst: 0, from: 0, to: 0 };
    const r = ratePerSecond / 1000;
    let best = { burst: 0, from: 0, to: 0 };
    // count in [t_i, t_j] = j - i + 1; maximise (j - r t_j) - (i - 1 - r t_i) over i <= j.
    let minLeft = Infinity;
    let minAt = 0;
    let j0 = 0;
    for (let lo = 0, hi = c.n; lo < hi; ) {
      const mid = (lo + hi) >> 1;
      if (c.times[mid] < from) lo = j0 = mid + 1;
      else hi = mid;
    }
    for (let j = j0; j < c.n && c.times[j] < to; j++) {
      const left = j - 1 - r * c.times[j];
      if (left < minLeft) {
        minLeft = left;
        minAt = c.times[j];
      }
      const v = j - r * c.times[j] - minLeft;
      if (v > best.burst) best = { burst: v, from: minAt, to: c.times[j] };
    }
    return best;
  }
}
