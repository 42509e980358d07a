import { fairOrder } from '../../lib/apply/runner';
import { windowAt } from '../../lib/plan/window';
import { MinHeap } from './heap';
import { tickAtOrAfter, type MoveFacts, type ScheduleModel } from './schedule-model';

/**
 * The ideal schedule for a run: what a perfect runner would do with the same limits, fair order,
 * durations, continue grid and window, and no overhead at all. It sees every state change the
 * instant it happens (no polling, no request budget, no latency), starts the next move in fair
 * order the instant a slot frees (admission as the runner's: skip what a per-host limit holds
 * back), completes the instant phase 1 is done if the window is open (else when it opens). The
 * runner's makespan against this one is its own overhead; against the lower bound, the price of
 * the limits, the grid and the window as well.
 */

/** One move's place in the ideal schedule. */
export interface IdealMove {
  readonly key: string;
  readonly start: number;
  readonly end: number;
}

/** The ideal schedule. */
export interface IdealSchedule {
  /** ms from t0 to the last move's end. */
  readonly makespanMs: number;
  readonly moves: readonly IdealMove[];
  /** Slot time spent waiting for a window after phase 1 (ms, summed). */
  readonly windowWaitMs: number;
}

/** When a started move ends, when its slot can be given again, and how long it waited for a window. */
function endOf(f: MoveFacts, start: number, m: ScheduleModel, t0: number): { end: number; free: number; wait: number } {
  // With passes, what happens between two passes is seen at the next one.
  const seen = (t: number): number => (m.passEveryMs ? t0 + Math.ceil((t - t0) / m.passEveryMs) * m.passEveryMs : t);
  const driverAt = start + m.startupMs;
  if (f.kind === 'failure') {
    const end = tickAtOrAfter(driverAt + (f.failAfterMs ?? 0), m) + m.continueCallMs;
    return { end, free: seen(end), wait: 0 };
  }
  const phase1Done = tickAtOrAfter(driverAt + f.phase1Ms, m) + m.continueCallMs;
  if (f.kind === 'cancel') {
    // The operator's cancel is accepted only once the driver runs; the ideal runner completes at once otherwise.
    const at = Math.max(start + (f.cancelAfterMs ?? 0), driverAt);
    return { end: at + m.cancelMs, free: seen(at + m.cancelMs), wait: 0 };
  }
  let complete = seen(phase1Done);
  if (m.window) {
    const w = windowAt(m.window, complete);
    if (!w.open) complete = seen(w.opensAt);
  }
  // The switchover is watched to its end: the slot is given again at once.
  return { end: complete + m.completionMs, free: complete + m.completionMs, wait: complete - phase1Done };
}

/** Schedules `moves` from `t0`. */
export function idealSchedule(moves: readonly MoveFacts[], m: ScheduleModel, t0: number): IdealSchedule {
  const queue = fairOrder(moves.map((f) => ({ ...f, action: 'migrate' })));
  const bySource = new Map<string, number>();
  const byDest = new Map<string, number>();
  let total = 0;
  // `at`: when the slot can be given again (the end, or with passes the pass that sees it).
  const ends = new MinHeap<{ at: number; end: number; f: MoveFacts }>((a, b) => a.at < b.at);
  const out: IdealMove[] = [];
  let windowWaitMs = 0;
  const fits = (f: MoveFacts): boolean =>
    total < m.limits.parallel &&
    (m.limits.maxPerSource === undefined || (bySource.get(f.from) ?? 0) < m.limits.maxPerSource) &&
    (m.limits.maxPerDestination === undefined || (byDest.get(f.to) ?? 0) < m.limits.maxPerDestination);
  const admit = (now: number): void => {
    for (let i = 0; i < queue.length && total < m.limits.parallel; ) {
      const f = queue[i];
      if (!fits(f)) {
        i++;
        continue;
      }
      queue.splice(i, 1);
      total++;
      bySource.set(f.from, (bySource.get(f.from) ?? 0) + 1);
      byDest.set(f.to, (byDest.get(f.to) ?? 0) + 1);
      const e = endOf(f, now, m, t0);
      windowWaitMs += e.wait;
      out.push({ key: f.key, start: now, end: e.end });
      ends.push({ at: e.free, end: e.end, f });
    }
  };
  admit(t0);
  let last = t0;
  while (ends.size > 0) {
    const e = ends.pop()!;
    last = Math.max(last, e.end);
    total--;
    bySource.set(e.f.from, (bySource.get(e.f.from) ?? 1) - 1);
    byDest.set(e.f.to, (byDest.get(e.f.to) ?? 1) - 1);
    // Free every slot that frees at this instant before admitting.
    while (ends.size > 0 && ends.peek()!.at === e.at) {
      const x = ends.pop()!;
      last = Math.max(last, x.end);
      total--;
      bySource.set(x.f.from, (bySource.get(x.f.from) ?? 1) - 1);
      byDest.set(x.f.to, (byDest.get(x.f.to) ?? 1) - 1);
    }
    admit(e.at);
  }
  return { makespanMs: last - t0, moves: out, windowWaitMs };
}
