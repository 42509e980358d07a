/**
 * The lower bound and the ideal schedule the production runs are judged against, on cases
 * small enough to work out by hand.
 */
import { lowerBound, minOccupancy } from '../../../bench/sim/bounds';
import { idealSchedule } from '../../../bench/sim/ideal';
import type { MoveFacts, ScheduleModel } from '../../../bench/sim/schedule-model';

const M = 60_000;
const model = (over: Partial<ScheduleModel> = {}): ScheduleModel => ({
  startupMs: 60_000,
  continueIntervalMs: 15 * M,
  continueCallMs: 0,
  gridPhaseMs: 0,
  completionMs: 60_000,
  cancelMs: 30_000,
  limits: { parallel: 1 },
  ...over,
});
const move = (key: string, phase1Min: number, over: Partial<MoveFacts> = {}): MoveFacts => ({
  key,
  from: 'a@x',
  to: 'b@y',
  kind: 'success',
  phase1Ms: phase1Min * M,
  ...over,
});

test('one slot: the bound is the sum of the least occupancies; the ideal adds the wait for the 15 min grid', () => {
  const moves = [move('m1', 29), move('m2', 14)];
  const m = model();
  expect(minOccupancy(moves[0], m)).toBe(60_000 + 29 * M + 60_000);
  const lb = lowerBound(moves, m, 0);
  expect(lb.ms).toBe(2 * 120_000 + 43 * M);
  expect(lb.binding).toBe('parallel');
  // Ideal: m1 starts at 0, its driver at 1 min, phase 1 done at the tick at 30 min, ends 31 min;
  // m2 starts at 31, its driver at 32, copies until 46: the next tick is at 60 min, it ends at 61.
  const ideal = idealSchedule(moves, m, 0);
  expect(ideal.moves.map((x) => [x.key, x.start / M, x.end / M])).toEqual([
    ['m1', 0, 31],
    ['m2', 31, 61],
  ]);
  expect(ideal.makespanMs).toBe(61 * M);
  expect(ideal.makespanMs).toBeGreaterThanOrEqual(lb.ms);
  // Gridded occupancy rounds startup + phase 1 up to whole intervals.
  expect(minOccupancy(moves[0], m, true)).toBe(30 * M + 60_000);
});

test('a window: phase 1 done outside it waits for the next opening, holding its slot; the bound moves to the window too', () => {
  const m = model({ window: { cron: '0 * * * *', durationMinutes: 10 } });
  const moves = [move('m1', 20)];
  // Phase 1 done at the 30 min tick; the window opens at 60 min; done at 61 min.
  const ideal = idealSchedule(moves, m, 0);
  expect(ideal.makespanMs).toBe(61 * M);
  expect(ideal.windowWaitMs).toBe(30 * M);
  const lb = lowerBound(moves, m, 0);
  expect(lb.binding).toBe('parallel + window');
  expect(lb.ms).toBe(61 * M);
});

test('failures and cancels occupy their slot until they end; per-host limits can bind', () => {
  const m = model({ limits: { parallel: 10, maxPerDestination: 1 } });
  const moves = [move('f', 100, { kind: 'failure', failAfterMs: 10 * M }), move('c', 100, { kind: 'cancel', cancelAfterMs: 20 * M })];
  expect(minOccupancy(moves[0], m)).toBe(60_000 + 10 * M);
  expect(minOccupancy(moves[1], m)).toBe(20 * M + 30_000);
  const lb = lowerBound(moves, m, 0);
  expect(lb.binding).toMatch(/^destination b@y/);
  const ideal = idealSchedule(moves, m, 0);
  // The failure ends at the first tick after 1 + 10 min (15 min); the cancel starts then and ends 20.5 min later.
  expect(ideal.moves.map((x) => [x.key, x.start / M, x.end / M])).toEqual([
    ['c', 0, 20.5],
    ['f', 20.5, 45],
  ]);
});

test('passes every 7 min: phase 1 done is seen at the next pass, a failure frees its slot at the next pass, a switchover frees it at once', () => {
  const m = model({ passEveryMs: 7 * M });
  // m1: done at the 30 min tick, seen at the pass at 35, ends 36; m2 starts at once (the pass
  // watched the switchover): driver at 37, copy until 51, tick 60, seen at 63, ends 64.
  const ok = idealSchedule([move('m1', 29), move('m2', 14)], m, 0);
  expect(ok.moves.map((x) => [x.key, x.start / M, x.end / M])).toEqual([
    ['m1', 0, 36],
    ['m2', 36, 64],
  ]);
  expect(ok.makespanMs).toBe(64 * M);
  // f1 fails at the 15 min tick: its slot is given at the pass at 21.
  const failed = idealSchedule([move('f1', 0, { kind: 'failure', failAfterMs: 10 * M }), move('m2', 14)], m, 0);
  expect(failed.moves.map((x) => [x.key, x.start / M])).toEqual([
    ['f1', 0],
    ['m2', 21],
  ]);
  // Without passes the same ideal acts at once.
  expect(idealSchedule([move('m1', 29), move('m2', 14)], model(), 0).makespanMs).toBe(61 * M);
});
