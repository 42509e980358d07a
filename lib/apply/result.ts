import type { MoveEvent, MovePhase } from './events';
import { FAILED_OUTCOMES, phasesOf } from './outcome';

/** Where one move ended in one run (or, for `--no-wait`, where it stands). */
export interface MoveResult {
  readonly key: string;
  readonly phase: MovePhase;
  readonly server: string;
  readonly from: string;
  readonly to: string;
  readonly newServerId?: string;
  readonly code?: string;
  readonly message?: string;
  readonly hint?: string;
  /** Seconds since the run began watching this move. */
  readonly elapsed: number;
  /** Requested vs supported capabilities when migration_check said no. */
  readonly check?: MoveEvent['check'];
  /** Each share's export locations before and after the move (clients remount when they changed). */
  readonly exportLocations?: MoveEvent['exportLocations'];
  /** What Manila did to the shares' access rules: read-only during phase 1, restored after. */
  readonly readOnly?: MoveEvent['readOnly'];
}

/** Exit codes of `apply`, documented in the README and `--help`. */
export const EXIT = {
  /** Every move done (or nothing to do). */
  OK: 0,
  /** The run could not proceed: bad input, credentials, unreachable cloud. */
  ERROR: 1,
  /** Some moves blocked, failed, stale, in conflict or cancelled (and none still running). */
  MOVES_FAILED: 3,
  /** Nothing failed, but some moves are not finished: awaiting completion or a window, past a deadline, detached, or still running after a `--no-wait` pass. */
  INCOMPLETE: 4,
  /** Manila or Keystone could not be read for longer than `--outage-limit`: the run stopped, the migrations go on in Manila, a rerun resumes. */
  OUTAGE: 5,
  /** A second Ctrl-C. */
  INTERRUPTED: 130,
} as const;

/** The code of the moves a run left when an outage passed its limit. */
export const OUTAGE_CODE = 'MP_OUTAGE';

/** Phases that count as a failure of the move: those whose outcome is blocked, failed or cancelled (lib/apply/outcome.ts). */
export const FAILED_PHASES: ReadonlySet<MovePhase> = phasesOf(FAILED_OUTCOMES);

/** Phases a `--no-wait` pass leaves a move in when the next pass carries it on without anyone acting. */
export const RUNNING_PHASES: ReadonlySet<MovePhase> = new Set([
  'queued', 'observing', 'checking', 'starting', 'phase1', 'phase1-done', 'completing', 'verifying', 'cancelling', 'awaiting-window',
]);

/**
 * Exit code for a set of results. While some move still runs (a `--no-wait` pass), it is 4
 * even when another failed: a schedule that repeats passes while they exit 4 keeps going, and
 * the pass after the last running move ends reports the failure (3).
 */
export function exitCodeFor(results: readonly MoveResult[]): number {
  if (results.some((r) => r.code === OUTAGE_CODE)) return EXIT.OUTAGE;
  if (results.some((r) => RUNNING_PHASES.has(r.phase))) return EXIT.INCOMPLETE;
  if (results.some((r) => FAILED_PHASES.has(r.phase))) return EXIT.MOVES_FAILED;
  if (results.some((r) => r.phase !== 'done')) return EXIT.INCOMPLETE;
  return EXIT.OK;
}
