/**
 * The virtual clock and its driver: timers fire in time order, time jumps only when the process
 * is quiet (promise chains, undici MockAgent answers, file-system requests all settle first),
 * and a run that can never finish is reported instead of hanging.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as lockfile from 'proper-lockfile';
import { MockAgent } from 'undici';
import { runInVirtualTime, VirtualClock, VirtualDeadlockError, VirtualTimeLimitError } from '../../../bench/sim/clock';
import { MinHeap } from '../../../bench/sim/heap';

const T0 = Date.parse('2026-12-07T00:00:00Z');

test('the heap gives items back in order', () => {
  const h = new MinHeap<number>((a, b) => a < b);
  for (const x of [5, 3, 9, 1, 7, 3, 0]) h.push(x);
  const out: number[] = [];
  while (h.size) out.push(h.pop()!);
  expect(out).toEqual([0, 1, 3, 3, 5, 7, 9]);
});

test('GIVEN timers set out of order WHEN the run goes THEN they fire by time, ties in the order they were set', async () => {
  const clock = new VirtualClock({ start: T0 });
  const seen: Array<[string, number]> = [];
  await runInVirtualTime(clock, async () => {
    await Promise.all([
      clock.sleep(3_000).then(() => seen.push(['c', clock.now() - T0])),
      clock.sleep(1_000).then(() => seen.push(['a', clock.now() - T0])),
      clock.sleep(2_000).then(() => seen.push(['b1', clock.now() - T0])),
      clock.sleep(2_000).then(() => seen.push(['b2', clock.now() - T0])),
    ]);
  });
  expect(seen).toEqual([
    ['a', 1_000],
    ['b1', 2_000],
    ['b2', 2_000],
    ['c', 3_000],
  ]);
  expect(clock.now() - T0).toBe(3_000);
});

test('time does not jump while a promise chain is still running: a sleep set after 200 awaits still comes first', async () => {
  const clock = new VirtualClock({ start: T0 });
  const order: string[] = [];
  await runInVirtualTime(clock, async () => {
    const late = clock.sleep(1_000).then(() => order.push('1000 ms timer'));
    const chain = (async () => {
      for (let i = 0; i < 200; i++) await Promise.resolve();
      await new Promise<void>((r) => process.nextTick(r));
      await clock.sleep(500);
      order.push('500 ms sleep set after the chain');
    })();
    await Promise.all([late, chain]);
  });
  expect(order).toEqual(['500 ms sleep set after the chain', '1000 ms timer']);
});

test('an undici MockAgent answer (body delivered asynchronously) is read before time moves on', async () => {
  const clock = new VirtualClock({ start: T0 });
  const agent = new MockAgent();
  agent.disableNetConnect();
  agent
    .get('http://127.0.0.1:28786')
    .intercept({ path: () => true, method: () => true })
    .reply(() => ({ statusCode: 200, data: JSON.stringify({ big: 'x'.repeat(500_000) }) }))
    .persist();
  let readAt: number | undefined;
  await runInVirtualTime(clock, async () => {
    const other = clock.sleep(1);
    const res = await agent.request({ origin: 'http://127.0.0.1:28786', path: '/x', method: 'GET' });
    const body = JSON.parse(await res.body.text()) as { big: string };
    readAt = clock.now();
    expect(body.big).toHaveLength(500_000);
    await other;
  });
  expect(readAt).toBe(T0);
  await agent.close();
});

test('a file-system request (proper-lockfile, as the runner locks) finishes before time moves on', async () => {
  const clock = new VirtualClock({ start: T0 });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mp-clock-'));
  let lockedAt: number | undefined;
  const { stats } = await runInVirtualTime(clock, async () => {
    const other = clock.sleep(1_000);
    const release = await lockfile.lock(path.join(dir, 'x'), { realpath: false, stale: 20_000, update: 5_000 });
    lockedAt = clock.now();
    await release();
    await other;
  });
  expect(lockedAt).toBe(T0);
  expect(stats.timers).toBe(1);
  fs.rmSync(dir, { recursive: true, force: true });
});

test('a run that waits on something that never comes is a deadlock, not a hang', async () => {
  const clock = new VirtualClock({ start: T0 });
  await expect(runInVirtualTime(clock, () => new Promise<void>(() => undefined), { deadlockMs: 200 })).rejects.toBeInstanceOf(VirtualDeadlockError);
});

test('a run past its virtual time limit stops with VirtualTimeLimitError', async () => {
  const clock = new VirtualClock({ start: T0 });
  const forever = async (): Promise<void> => {
    for (;;) await clock.sleep(60_000);
  };
  await expect(runInVirtualTime(clock, forever, { until: T0 + 3_600_000 })).rejects.toBeInstanceOf(VirtualTimeLimitError);
  expect(clock.now()).toBeLessThanOrEqual(T0 + 3_600_000);
});

test("the function's error comes out of the run", async () => {
  const clock = new VirtualClock({ start: T0 });
  await expect(
    runInVirtualTime(clock, async () => {
      await clock.sleep(10);
      throw new Error('boom');
    })
  ).rejects.toThrow('boom');
});
