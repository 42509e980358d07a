import type { CompletionWindow } from '../../lib/plan/window';
import type { LimitSpec } from './inflight';

/**
 * The facts of a production run that bound how fast any runner could go: each move's drawn
 * durations and fate, the limits, the continue-interval grid and the completion window. Shared
 * by the lower bound (bounds.ts) and the ideal schedule (ideal.ts).
 */

/** One move and what the simulator will make of it. */
export interface MoveFacts {
  readonly key: string;
  readonly from: string;
  readonly to: string;
  readonly kind: 'success' | 'failure' | 'cancel';
  /** The driver's copy time (phase 1 is done at the first continue call at least this long after the driver started). */
  readonly phase1Ms: number;
  /** failure: the continue call raises at the first call at least this long after the driver started. */
  readonly failAfterMs?: number;
  /** cancel: the operator cancels this long after the start. */
  readonly cancelAfterMs?: number;
}

/** How long Manila's steps take and what constrains them. */
export interface ScheduleModel {
  /** Start accepted → migration_driver_in_progress (cast, compatibility, server setup, link, driver start). */
  readonly startupMs: number;
  readonly continueIntervalMs: number;
  /** One continue call (its result lands this long after the tick). */
  readonly continueCallMs: number;
  /** Where every host's periodic grid starts (ms since the epoch). */
  readonly gridPhaseMs: number;
  /** Complete accepted → destination active (cast, driver complete). */
  readonly completionMs: number;
  /** Cancel accepted → source active again (cast, driver cancel, finish). */
  readonly cancelMs: number;
  readonly window?: CompletionWindow;
  readonly limits: LimitSpec;
  /**
   * `--no-wait` passes this far apart (from t0): the ideal runner then acts only at a pass. It
   * sees a phase 1 done, a failure or a cancel at the first pass after it, and watches each
   * switchover it sends to the end, starting the next move at once (as the runner's pass does).
   * Unset: it acts the instant anything changes.
   */
  readonly passEveryMs?: number;
}

/** The first continue tick at or after `t` on the grid. */
export function tickAtOrAfter(t: number, m: ScheduleModel): number {
  const k = Math.ceil((t - m.gridPhaseMs) / m.continueIntervalMs);
  return m.gridPhaseMs + k * m.continueIntervalMs;
}
