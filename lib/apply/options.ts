import type { Clock } from '../util/clock';
import type { RunnerEvent } from './events';
import type { RunLocks } from './lock';

/**
 * How a run behaves, and every default in one place (the CLI's flags and `--help` read these).
 * Durations are in milliseconds.
 */
export const APPLY_DEFAULTS = {
  /** Migrations in flight in the cloud at once, counted as Manila shows them. */
  parallel: 4,
  /** First (and shortest) time between two reads of a migration. */
  pollIntervalMs: 2_000,
  /** Longest time between two reads while nothing changes. */
  maxPollIntervalMs: 60_000,
  /** Share of the time since the last change that the next poll waits (then clamped). */
  pollGrowth: 0.05,
  /** Production Manila asks the driver every 900 s; data copies take hours. */
  phase1TimeoutMs: 24 * 3_600_000,
  completeTimeoutMs: 3_600_000,
  cancelTimeoutMs: 900_000,
  verifyTimeoutMs: 120_000,
  /** After an ambiguous failure of start, complete or cancel: how long to watch for its effect. */
  ambiguityWindowMs: 20_000,
  /** `migration_get_progress` at most this often per migration (display only). */
  progressIntervalMs: 60_000,
  /** A `migration_check` answer older than this is asked again before a start. */
  checkMaxAgeMs: 600_000,
  /**
   * A move found finished less than this before the run, never seen in flight by it, is
   * verified: the `--no-wait` pass that sent its complete verifies it itself unless the
   * switchover outlasts its watch (switchoverWatchMs) or the pass is killed, so the next passes
   * of a schedule up to every 10 min do. Older moves are not read again.
   */
  verifyRecentMs: 900_000,
  /**
   * `--no-wait`: how long after phase 1 began (the server's last change) a pass still asks
   * whether Manila cast the rules read-only; later passes leave it to the one before the switchover.
   */
  readOnlyAskWithinMs: 900_000,
  /**
   * `--no-wait`: how long a pass that sent a switchover, or found one under way, watches it to
   * the end, to verify the move and start what the freed slot admits. A switchover takes seconds
   * to minutes; without this the slot stands idle until the next pass, minutes later.
   */
  switchoverWatchMs: 180_000,
  /** Longest outage of Manila or Keystone the run rides out (reads go on with backoff); past it the run stops with exit 5. */
  outageLimitMs: 3_600_000,
  /** At most this many reconcile passes in a row without sleeping (check, then start). */
  immediatePasses: 6,
} as const;

/** Limits on migrations in flight, whoever started them. */
export interface Limits {
  /** Migrations in flight in the cloud at once. @default 4 */
  readonly parallel: number;
  /** Migrations in flight from one source host. @default no limit */
  readonly maxPerSource?: number;
  /** Migrations in flight toward one destination host. @default no limit */
  readonly maxPerDestination?: number;
}

/** What a move may do and how long it waits; the pure decision reads only this, the observation and the time. */
export interface MovePolicy {
  readonly pollIntervalMs: number;
  readonly maxPollIntervalMs: number;
  readonly pollGrowth: number;
  readonly phase1TimeoutMs: number;
  readonly completeTimeoutMs: number;
  readonly cancelTimeoutMs: number;
  readonly cancelOnTimeout: boolean;
  /** Complete moves whose policy is `manual` or a window (`apply --complete`). */
  readonly completeManual: boolean;
  /** Act even when the live server no longer matches what the plan saw. */
  readonly replan: boolean;
  readonly verify: boolean;
  readonly verifyTimeoutMs: number;
  readonly ambiguityWindowMs: number;
  readonly progressIntervalMs: number;
  readonly checkMaxAgeMs: number;
  readonly verifyRecentMs: number;
  readonly readOnlyAskWithinMs: number;
  /** Wait for a closed window to open; otherwise the move ends the run as `awaiting-window`. */
  readonly waitForWindow: boolean;
  /** One reconcile pass: report where each move stands instead of waiting. */
  readonly noWait: boolean;
  /** Longest outage ridden out before the run stops (exit 5). */
  readonly outageLimitMs: number;
  readonly limits: Limits;
}

/** Options of `applyPlan`. Every duration is in milliseconds. */
export interface ApplyOptions {
  /** Migrations in flight in the cloud at once, as Manila shows them. @default 4 */
  readonly parallel?: number;
  /** Migrations in flight from one source host. @default no limit */
  readonly maxPerSource?: number;
  /** Migrations in flight toward one destination host. @default no limit */
  readonly maxPerDestination?: number;
  /** First time between two reads of a migration; it grows while nothing changes. @default 2000 */
  readonly pollIntervalMs?: number;
  /** Longest time between two reads of a migration. @default 60000 */
  readonly maxPollIntervalMs?: number;
  /** Longest wait for phase 1 (production Manila polls the driver every 900 s). @default 21600000 (6 h) */
  readonly phase1TimeoutMs?: number;
  /** Longest wait from `migration_complete` to the destination being active. @default 3600000 (1 h) */
  readonly completeTimeoutMs?: number;
  /** Longest wait for a cancel to finish before the server is called stuck. @default 900000 (15 min) */
  readonly cancelTimeoutMs?: number;
  /** On a phase-1 deadline, cancel the migration (when the driver supports cancel). @default false */
  readonly cancelOnTimeout?: boolean;
  /** Complete moves whose completion is manual or windowed once phase 1 is done (`apply --complete`). @default false */
  readonly completeManual?: boolean;
  /** Act even when the live server no longer matches what the plan saw. @default false */
  readonly replan?: boolean;
  /** Check shares, access rules and snapshots after the move. @default true */
  readonly verify?: boolean;
  /** Longest wait for shares and rules to settle after the move. @default 120000 */
  readonly verifyTimeoutMs?: number;
  /** After an ambiguous failure of start or complete, how long to watch Manila for its effect. @default 20000 */
  readonly ambiguityWindowMs?: number;
  /** `migration_get_progress` at most this often per migration, for display only. @default 60000 */
  readonly progressIntervalMs?: number;
  /** Wait for a closed maintenance window; `false` ends such a move as `awaiting-window` (exit 4). @default true */
  readonly waitForWindow?: boolean;
  /** One reconcile pass (`apply --no-wait`): start what the limits allow, complete what is ready, report. @default false */
  readonly noWait?: boolean;
  /**
   * Longest outage of Manila or Keystone ridden out (reads go on with capped backoff); past it
   * the run stops with exit 5 and a rerun resumes. @default 3600000 (60 min)
   */
  readonly outageLimitMs?: number;
  /** Only these plan entry keys. @default every pending move */
  readonly only?: readonly string[];
  /** Receives every event. */
  readonly onEvent?: (e: RunnerEvent) => void;
  /** Aborted on the first Ctrl-C: start nothing new, detach from running moves. */
  readonly detach?: AbortSignal;
  /** @default systemClock */
  readonly clock?: Clock;
  /** Inter-process locks around "count, then start" and around complete. @default file locks under MANILA_PLACEMENT_LOCK_DIR or the temp dir */
  readonly locks?: RunLocks;
  /** Run the preflight checks (cloud of the plan, admin role, `only` keys). @default true */
  readonly preflight?: boolean;
}

/** The policy of a run from its options. */
export function policyOf(o: ApplyOptions): MovePolicy {
  const d = APPLY_DEFAULTS;
  return {
    pollIntervalMs: o.pollIntervalMs ?? d.pollIntervalMs,
    maxPollIntervalMs: Math.max(o.pollIntervalMs ?? d.pollIntervalMs, o.maxPollIntervalMs ?? d.maxPollIntervalMs),
    pollGrowth: d.pollGrowth,
    phase1TimeoutMs: o.phase1TimeoutMs ?? d.phase1TimeoutMs,
    completeTimeoutMs: o.completeTimeoutMs ?? d.completeTimeoutMs,
    cancelTimeoutMs: o.cancelTimeoutMs ?? d.cancelTimeoutMs,
    cancelOnTimeout: o.cancelOnTimeout ?? false,
    completeManual: o.completeManual ?? false,
    replan: o.replan ?? false,
    verify: o.verify ?? true,
    verifyTimeoutMs: o.verifyTimeoutMs ?? d.verifyTimeoutMs,
    ambiguityWindowMs: o.ambiguityWindowMs ?? d.ambiguityWindowMs,
    progressIntervalMs: o.progressIntervalMs ?? d.progressIntervalMs,
    checkMaxAgeMs: d.checkMaxAgeMs,
    verifyRecentMs: d.verifyRecentMs,
    readOnlyAskWithinMs: d.readOnlyAskWithinMs,
    waitForWindow: o.waitForWindow ?? true,
    noWait: o.noWait ?? false,
    outageLimitMs: o.outageLimitMs ?? d.outageLimitMs,
    limits: { parallel: Math.max(1, o.parallel ?? d.parallel), maxPerSource: o.maxPerSource, maxPerDestination: o.maxPerDestination },
  };
}
