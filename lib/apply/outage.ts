import { AuthError, ManilaApiError, ManilaPlacementError, TransportError } from '../errors';
import { duration } from '../report/format';
import type { MovePolicy } from './options';

/**
 * Outages as the reconcile loop rides them out. A read that fails for want of Manila or
 * Keystone (no answer, a 5xx, a token that cannot be renewed) does not end the move: the loop
 * keeps observing with capped backoff, as a controller requeues, until Manila answers again or
 * the outage passes `--outage-limit`. Pure, but for the time it is given.
 */

/** What a move was doing when Manila went out of sight. */
export interface OutageWaiter {
  readonly key: string;
  readonly server: string;
  readonly phase: string;
}

/** One outage as the run saw it (journalled in the run events). */
export interface OutageRecord {
  /** The last successful read before it (ISO). */
  readonly lastSeenAt: string;
  /** The first failed read (ISO). */
  readonly since: string;
  /** The first successful read after it (ISO), once it ended. */
  readonly endedAt?: string;
  /** From the last successful read to the first one after (or to now), in seconds. */
  readonly seconds: number;
  /** Failed reads during it. */
  readonly failedReads: number;
  /** The first error: code and message (never a token). */
  readonly error: { readonly code: string; readonly message: string };
  /** The moves not over when it began. */
  readonly waiting: readonly OutageWaiter[];
}

/** True for a failure that says Manila or Keystone is out of reach for now, not that the request is wrong. */
export function isOutage(e: unknown): boolean {
  if (e instanceof TransportError) return true;
  if (e instanceof ManilaApiError) return e.status >= 500 || e.status === 401;
  // Keystone's own 5xx while it restarts (a refused login stays fatal).
  if (e instanceof AuthError) return e.code === 'MP_AUTH_ERROR' && (e.status ?? 0) >= 500;
  return false;
}

/** Wait before the next read during an outage: doubling from the poll interval, capped at the longest poll interval. Pure. */
export function outageDelayMs(failedReads: number, p: Pick<MovePolicy, 'pollIntervalMs' | 'maxPollIntervalMs'>): number {
  const n = Math.max(1, failedReads);
  return Math.min(p.maxPollIntervalMs, p.pollIntervalMs * 2 ** Math.min(n - 1, 20));
}

function errorOf(e: unknown): OutageRecord['error'] {
  if (e instanceof ManilaPlacementError) return { code: e.code, message: e.message };
  return { code: 'MP_INTERNAL', message: (e as Error)?.message ?? String(e) };
}

/** What a failed read means for the run. */
export interface OutageStep {
  /** The outage this read began, to report. */
  readonly begun?: OutageRecord;
  /** When to read the move again. */
  readonly delayMs: number;
  /** The outage has lasted longer than the limit: the run stops (exit 5), a rerun resumes. */
  readonly overLimit?: OutageRecord;
}

/** The outage state of one run: when Manila was last seen, and the outage under way. */
export class OutageWatch {
  private lastSeenAt: number;
  private current?: { since: number; lastSeen: number; failed: number; error: OutageRecord['error']; waiting: readonly OutageWaiter[] };
  private readonly past: OutageRecord[] = [];

  constructor(
    now: number,
    private readonly p: Pick<MovePolicy, 'pollIntervalMs' | 'maxPollIntervalMs' | 'outageLimitMs'>,
  ) {
    this.lastSeenAt = now;
  }

  /** The last successful read (ms). */
  public get lastSeen(): number {
    return this.lastSeenAt;
  }

  /** An outage is under way. */
  public get active(): boolean {
    return this.current !== undefined;
  }

  /** Every outage that ended in this run. */
  public get ended(): readonly OutageRecord[] {
    return this.past;
  }

  /** A read succeeded: the outage under way, if any, is over and returned. */
  public ok(now: number): OutageRecord | undefined {
    this.lastSeenAt = now;
    const c = this.current;
    if (!c) return undefined;
    this.current = undefined;
    const r = this.record(c, now, now);
    this.past.push(r);
    return r;
  }

  /** A read failed for an outage; `waiting` is asked only when it begins one. */
  public failed(now: number, e: unknown, waiting: () => readonly OutageWaiter[]): OutageStep {
    let begun: OutageRecord | undefined;
    if (!this.current) {
      this.current = { since: now, lastSeen: this.lastSeenAt, failed: 0, error: errorOf(e), waiting: waiting() };
    }
    const c = this.current;
    c.failed++;
    if (c.failed === 1) begun = this.record(c, now);
    const over = now - c.lastSeen > this.p.outageLimitMs ? this.record(c, now) : undefined;
    return { begun, delayMs: outageDelayMs(c.failed, this.p), overLimit: over };
  }

  private record(c: NonNullable<OutageWatch['current']>, now: number, endedAt?: number): OutageRecord {
    return {
      lastSeenAt: new Date(c.lastSeen).toISOString(),
      since: new Date(c.since).toISOString(),
      ...(endedAt !== undefined ? { endedAt: new Date(endedAt).toISOString() } : {}),
      seconds: Math.round((now - c.lastSeen) / 1000),
      failedReads: c.failed,
      error: c.error,
      waiting: c.waiting,
    };
  }
}

/** One line for the journal, the display and the report. Pure. */
export function outageText(kind: 'outage-begun' | 'outage-ended' | 'outage-limit', r: OutageRecord): string {
  const waiting = r.waiting.length ? `; waiting: ${summarizeWaiting(r.waiting)}` : '';
  switch (kind) {
    case 'outage-begun':
      return `Manila cannot be read (${r.error.code}: ${r.error.message}); last seen ${r.lastSeenAt}. The migrations go on in Manila; reading again with backoff${waiting}`;
    case 'outage-ended':
      return `Manila answers again after an outage of ${duration(r.seconds * 1000)} (from ${r.lastSeenAt} to ${r.endedAt}, ${r.failedReads} failed reads)${waiting}`;
    case 'outage-limit':
      return `Manila not seen since ${r.lastSeenAt} (${duration(r.seconds * 1000)}, past --outage-limit); stopping. A rerun resumes from what Manila shows${waiting}`;
  }
}

function summarizeWaiting(w: readonly OutageWaiter[]): string {
  const byPhase = new Map<string, number>();
  for (const x of w) byPhase.set(x.phase, (byPhase.get(x.phase) ?? 0) + 1);
  return [...byPhase].map(([phase, n]) => `${n} ${phase}`).join(', ');
}
