import { backendHostOf } from '../../lib/manila/resource';
import type { SimMigration } from './context';
import type { SimulatedCloud } from './manila';
import type { ServerChange, ShareChange } from './model';

/**
 * Migrations in flight as Manila shows them, kept at every change of a share server or of a
 * share's migration state and checked against the limits then: a share server migration is in
 * flight while its source is `server_migrating` or its destination `server_migrating_to`, a
 * share migration while the share is `migrating` or has a `migrating_to` instance (the runner's
 * own reading, lib/manila/server-state inFlightPairs over share servers and share instances).
 * Counted per source host and per destination host (`host@backend`: a pool counts toward its
 * host, as the runner's limits do). Records the peaks, every violation, and the counts over
 * time per destination (for the chart).
 */

/** The limits to hold. */
export interface LimitSpec {
  readonly parallel: number;
  readonly maxPerSource?: number;
  readonly maxPerDestination?: number;
}

/** A limit broken at some instant. */
export interface Violation {
  readonly at: number;
  readonly what: string;
}

/** Counts at one instant. */
export interface InFlightNow {
  readonly total: number;
  readonly bySource: ReadonlyMap<string, number>;
  readonly byDestination: ReadonlyMap<string, number>;
}

const bump = (m: Map<string, number>, k: string, n: number): number => {
  const v = (m.get(k) ?? 0) + n;
  if (v === 0) m.delete(k);
  else m.set(k, v);
  return v;
};

export class InFlightMonitor {
  private readonly flying = new Set<SimMigration>();
  private readonly latest = new Map<string, SimMigration>();
  private seenHistory = 0;
  private total = 0;
  private readonly bySource = new Map<string, number>();
  private readonly byDestination = new Map<string, number>();
  /** State changes checked. */
  public checks = 0;
  public readonly peak = { total: 0, perSource: 0, perDestination: 0 };
  public readonly violations: Violation[] = [];
  /** Change points [virtual ms, count] per destination host, and `*` for the total. */
  public readonly series = new Map<string, Array<[number, number]>>();

  constructor(private readonly cloud: SimulatedCloud, private readonly limits: LimitSpec) {
    cloud.store.onServerChange((c) => this.onChange(c));
    cloud.store.onShareChange((c) => this.onShareChange(c));
  }

  private record(host: string, at: number, n: number): void {
    let s = this.series.get(host);
    if (!s) this.series.set(host, (s = []));
    const last = s[s.length - 1];
    if (last && last[0] === at) last[1] = n;
    else s.push([at, n]);
  }

  private isFlying(m: SimMigration): boolean {
    if (m.kind === 'share') {
      const sh = this.cloud.store.shares.get(m.sourceId);
      if (!sh) return false;
      if (sh.status === 'migrating' && this.latest.get(m.sourceId) === m) return true;
      return m.destId !== undefined && sh.destination?.id === m.destId && sh.destination.status === 'migrating_to';
    }
    const { servers } = this.cloud.store;
    const s = servers.get(m.sourceId);
    if (s && s.status === 'server_migrating' && this.latest.get(m.sourceId) === m) return true;
    const d = m.destId ? servers.get(m.destId) : undefined;
    return d !== undefined && d.status === 'server_migrating_to';
  }

  private catchUp(): void {
    const history = this.cloud.migrations;
    for (; this.seenHistory < history.length; this.seenHistory++) this.latest.set(history[this.seenHistory].sourceId, history[this.seenHistory]);
    this.checks++;
  }

  /** A share changed: only its latest migration can have started or ended. */
  private onShareChange(c: ShareChange): void {
    this.catchUp();
    const m = this.latest.get(c.share.id);
    if (m) this.settle(m, c.at);
    this.check(c.at);
  }

  private onChange(c: ServerChange): void {
    this.catchUp();
    const history = this.cloud.migrations;
    const related = new Set<SimMigration>();
    const bySelf = this.latest.get(c.server.id);
    if (bySelf) related.add(bySelf);
    const src = c.server.sourceShareServerId;
    if (src) {
      for (let i = history.length - 1; i >= 0; i--) {
        if (history[i].sourceId === src && history[i].destId === c.server.id) {
          related.add(history[i]);
          break;
        }
      }
    }
    for (const m of related) this.settle(m, c.at);
    this.check(c.at);
  }

  /** Counts `m` in or out when what Manila shows of it changed. */
  private settle(m: SimMigration, at: number): void {
    const now = this.isFlying(m);
    if (now === this.flying.has(m)) return;
    const n = now ? 1 : -1;
    if (now) this.flying.add(m);
    else this.flying.delete(m);
    this.total += n;
    const to = backendHostOf(m.destHost);
    const fromN = bump(this.bySource, backendHostOf(m.sourceHost), n);
    const toN = bump(this.byDestination, to, n);
    this.record(to, at, toN);
    this.record('*', at, this.total);
    this.peak.total = Math.max(this.peak.total, this.total);
    this.peak.perSource = Math.max(this.peak.perSource, fromN);
    this.peak.perDestination = Math.max(this.peak.perDestination, toN);
  }

  private check(at: number): void {
    const l = this.limits;
    if (this.total > l.parallel) this.violations.push({ at, what: `${this.total} in flight, parallel limit ${l.parallel}` });
    if (l.maxPerSource !== undefined)
      for (const [h, n] of this.bySource) if (n > l.maxPerSource) this.violations.push({ at, what: `${n} in flight from ${h}, limit ${l.maxPerSource}` });
    if (l.maxPerDestination !== undefined)
      for (const [h, n] of this.byDestination)
        if (n > l.maxPerDestination) this.violations.push({ at, what: `${n} in flight toward ${h}, limit ${l.maxPerDestination}` });
  }

  /** What is in flight now. */
  public now(): InFlightNow {
    return { total: this.total, bySource: new Map(this.bySource), byDestination: new Map(this.byDestination) };
  }
}
