import { windowAt } from '../../lib/plan/window';
import type { MoveFacts, ScheduleModel } from './schedule-model';

/**
 * A lower bound on the makespan of a run, valid for any schedule (even one that knows every
 * duration in advance and times each start so that phase 1 ends on a continue tick, in a window):
 *
 *   each move occupies a slot (global, its source's, its destination's) for at least
 *     success: startup + phase 1 + one continue call + completion
 *     failure: startup + time to the failing call + one continue call
 *     cancel:  the operator's delay after the start + the cancel's duration
 *   so the run lasts at least the largest of
 *     Σ occupancy / parallel,  max over sources Σ / maxPerSource,  max over destinations Σ / maxPerDestination,
 *     max single occupancy;
 *   and the last success completes inside a window: if the bound minus one completion falls
 *   outside a window, it moves to the next opening (plus the completion).
 *
 * `gridded` rounds startup + phase 1 up to whole continue intervals instead (the brief's method):
 * that is the occupancy of a move started on a tick of its destination's grid, and a bound only
 * for runs whose starts fall on ticks (it is not one in general: a start between two ticks can
 * finish phase 1 sooner than the rounded value).
 */

/** The bound and what set it. */
export interface LowerBound {
  /** ms from the run's start. */
  readonly ms: number;
  /** Which constraint is binding: `parallel`, `source <host>`, `destination <host>`, `longest move`, plus `+ window`. */
  readonly binding: string;
  /** The capacity terms, ms. */
  readonly terms: { readonly parallel: number; readonly source: number; readonly destination: number; readonly longest: number };
  /** Total slot time, ms. */
  readonly slotMs: number;
}

/** A move's least slot occupancy. */
export function minOccupancy(f: MoveFacts, m: ScheduleModel, gridded = false): number {
  const round = (x: number): number => (gridded ? Math.ceil(x / m.continueIntervalMs) * m.continueIntervalMs : x);
  switch (f.kind) {
    case 'success':
      return round(m.startupMs + f.phase1Ms) + m.continueCallMs + m.completionMs;
    case 'failure':
      return round(m.startupMs + (f.failAfterMs ?? 0)) + m.continueCallMs;
    case 'cancel':
      return (f.cancelAfterMs ?? 0) + m.cancelMs;
  }
}

/** The lower bound for `moves` started no earlier than `t0`. */
export function lowerBound(moves: readonly MoveFacts[], m: ScheduleModel, t0: number, gridded = false): LowerBound {
  const occ = moves.map((f) => minOccupancy(f, m, gridded));
  const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);
  const group = (by: (f: MoveFacts) => string): Map<string, number> => {
    const g = new Map<string, number>();
    moves.forEach((f, i) => g.set(by(f), (g.get(by(f)) ?? 0) + occ[i]));
    return g;
  };
  const max = (g: Map<string, number>, cap: number | undefined): [string, number] => {
    if (cap === undefined) return ['', 0];
    let best: [string, number] = ['', 0];
    for (const [h, v] of g) if (v / cap > best[1]) best = [h, v / cap];
    return best;
  };
  const parallel = sum(occ) / m.limits.parallel;
  const [srcHost, source] = max(
    group((f) => f.from),
    m.limits.maxPerSource
  );
  const [dstHost, destination] = max(
    group((f) => f.to),
    m.limits.maxPerDestination
  );
  const longest = Math.max(0, ...occ);
  const terms = { parallel, source, destination, longest };
  const top = Math.max(parallel, source, destination, longest);
  let binding = top === parallel ? 'parallel' : top === destination ? `destination ${dstHost}` : top === source ? `source ${srcHost}` : 'longest move';
  let end = t0 + top;
  if (m.window && moves.some((f) => f.kind === 'success')) {
    const lastComplete = end - m.completionMs;
    const w = windowAt(m.window, lastComplete);
    if (!w.open) {
      end = w.opensAt + m.completionMs;
      binding += ' + window';
    }
  }
  return { ms: end - t0, binding, terms, slotMs: sum(occ) };
}
