import { windowAt, type CompletionWindow } from '../../lib/plan/window';
import type { SimMigration } from './context';

/**
 * Figures of a simulated run computed the same way for every bench (bench/simulate.ts for share
 * servers, bench/shares.ts for shares): the runner's request rate against the number of
 * migrations in flight, and how fast it completes once phase 1 is done.
 */

/** The runner's requests per virtual minute while a number of migrations was in flight. */
export interface RateBucket {
  /** `0-9`, `10-19`, ... `50` (50 and more). */
  readonly inFlight: string;
  readonly minutes: number;
  readonly meanPerMinute: number;
  readonly maxPerMinute: number;
}

/** The count at `t` in change points [ms, count] (sorted by time). */
function countAt(points: ReadonlyArray<readonly [number, number]>, t: number): number {
  let lo = 0;
  let hi = points.length - 1;
  let v = 0;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (points[mid][0] <= t) {
      v = points[mid][1];
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return v;
}

/**
 * Requests per minute of `[from, to)` (the client's `perMinute`, minute index → count), by the
 * migrations in flight in the middle of that minute (the monitor's `*` series), in buckets of 10.
 */
export function rateByInFlight(
  total: ReadonlyArray<readonly [number, number]>,
  perMinute: ReadonlyMap<number, number> | undefined,
  from: number,
  to: number
): RateBucket[] {
  const buckets = new Map<number, number[]>();
  for (let mnt = Math.floor(from / 60_000); mnt < Math.floor(to / 60_000); mnt++) {
    const b = Math.min(50, Math.floor(countAt(total, mnt * 60_000 + 30_000) / 10) * 10);
    const list = buckets.get(b) ?? [];
    list.push(perMinute?.get(mnt) ?? 0);
    buckets.set(b, list);
  }
  return [...buckets.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([b, xs]) => ({
      inFlight: b >= 50 ? '50' : `${b}-${b + 9}`,
      minutes: xs.length,
      meanPerMinute: xs.reduce((a, x) => a + x, 0) / xs.length,
      maxPerMinute: Math.max(...xs),
    }));
}

/** Seconds from phase 1 done (or the window's opening after it) to the complete accepted, per migration that was completed. */
export function completeLags(migrations: readonly SimMigration[], window?: CompletionWindow): number[] {
  const out: number[] = [];
  for (const m of migrations) {
    if (m.phase1DoneAt === undefined || m.completeAt === undefined) continue;
    let ready = m.phase1DoneAt;
    if (window) {
      const w = windowAt(window, ready);
      if (!w.open) ready = w.opensAt;
    }
    out.push((m.completeAt - ready) / 1000);
  }
  return out;
}
