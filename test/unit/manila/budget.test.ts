import { RequestBudget, withPriority } from '../../../lib/manila/budget';
import { listIsCheaper, ReadCosts } from '../../../lib/manila/read-costs';
import type { Clock } from '../../../lib/util/clock';

function fakeClock(): Clock & { t: number } {
  const c = {
    t: 0,
    now: () => c.t,
    sleep: async (ms: number) => {
      c.t += ms;
    },
  };
  return c;
}

/** A clock whose sleeps wait until the test moves time on (`to`). */
function manualClock(): Clock & { to(t: number): Promise<void> } {
  let t = 0;
  const timers: Array<{ at: number; fire: () => void }> = [];
  const settle = (): Promise<void> => new Promise((r) => setImmediate(r));
  return {
    now: () => t,
    sleep: (ms: number) => new Promise<void>((fire) => timers.push({ at: t + ms, fire })),
    async to(until: number) {
      for (;;) {
        await settle();
        timers.sort((a, b) => a.at - b.at);
        const next = timers[0];
        if (!next || next.at > until) break;
        timers.shift();
        t = next.at;
        next.fire();
      }
      t = until;
      await settle();
    },
  };
}

describe('the request budget', () => {
  test('a burst goes at once, then requests are spaced at the rate', async () => {
    const clock = fakeClock();
    const b = new RequestBudget({ ratePerSecond: 2, burst: 4, clock });
    const times: number[] = [];
    for (let i = 0; i < 10; i++) {
      await b.take();
      times.push(clock.t);
    }
    expect(times.slice(0, 4)).toEqual([0, 0, 0, 0]);
    // 6 more at 2/s: 3 s
    expect(times[9]).toBe(3_000);
    // never more than burst + rate * t requests by time t
    times.forEach((t, i) => expect(i + 1).toBeLessThanOrEqual(4 + (t / 1000) * 2 + 1e-9));
  });

  test('display requests are skipped rather than wait when less than half the burst is left', async () => {
    const clock = fakeClock();
    const b = new RequestBudget({ ratePerSecond: 1, burst: 4, clock });
    expect(await b.take('display')).toBe(true);
    await b.take();
    await b.take();
    expect(await b.take('display')).toBe(false);
    expect(b.stats.skipped).toBe(1);
    expect(clock.t).toBe(0);
  });

  test('concurrent callers are served in order, each after the previous', async () => {
    const clock = fakeClock();
    const b = new RequestBudget({ ratePerSecond: 1, burst: 1, clock });
    const order: number[] = [];
    await Promise.all([0, 1, 2].map((i) => b.take().then(() => order.push(i))));
    expect(order).toEqual([0, 1, 2]);
    expect(clock.t).toBe(2_000);
  });

  test('waiting requests are served most important first, in order within a priority', async () => {
    const clock = fakeClock();
    const b = new RequestBudget({ ratePerSecond: 1, burst: 1, clock });
    await b.take(); // the bucket is empty now
    const order: string[] = [];
    const asks = (['background', 'decision', 'background', 'urgent', 'decision'] as const).map((p, i) => b.take(p).then(() => order.push(`${p}${i}`)));
    await Promise.all(asks);
    expect(order).toEqual(['urgent3', 'decision1', 'decision4', 'background0', 'background2']);
    expect(clock.t).toBe(5_000);
  });

  test('a request made inside withPriority gets that priority unless it names one', async () => {
    const clock = fakeClock();
    const b = new RequestBudget({ ratePerSecond: 1, burst: 1, clock });
    await b.take();
    const order: string[] = [];
    const late = withPriority('background', () => b.take().then(() => order.push('scoped background')));
    const first = withPriority('background', () => b.take('urgent').then(() => order.push('named urgent')));
    const plain = b.take().then(() => order.push('decision'));
    await Promise.all([late, first, plain]);
    expect(order).toEqual(['named urgent', 'decision', 'scoped background']);
  });

  test('display requests are skipped while others wait, even with tokens left', async () => {
    const clock = fakeClock();
    const b = new RequestBudget({ ratePerSecond: 1, burst: 2, clock });
    await b.take();
    await b.take();
    const waiting = b.take('background');
    clock.t += 2_000; // the bucket refills, but a request is still queued until the pump runs
    expect(await b.take('display')).toBe(false);
    await waiting;
  });

  test('background reads leave the reserve to the others: a complete found due goes at once', async () => {
    const clock = manualClock();
    const b = new RequestBudget({ ratePerSecond: 1, burst: 4, reserve: 2, clock });
    const at: Record<string, number> = {};
    const when = (name: string) => () => void (at[name] = clock.now());
    void b.take('background').then(when('bg1')); // 4 tokens: goes, 3 left
    void b.take('background').then(when('bg2')); // 3 left, the reserve and one: goes, 2 left
    void b.take('background').then(when('bg3')); // waits for a third token
    await clock.to(500);
    // The read under the lock and the complete of a move that just finished phase 1:
    void b.take('urgent').then(when('read'));
    void b.take('urgent').then(when('complete'));
    await clock.to(10_000);
    // At 0.5 s 2.5 tokens; the two urgent ones leave 0.5; the third background read waits for 3.
    expect(at).toEqual({ bg1: 0, bg2: 0, read: 500, complete: 500, bg3: 3_000 });
  });

  test('a decision that comes while a background read waits is served at the next token, not after the reserve refills', async () => {
    const clock = manualClock();
    const b = new RequestBudget({ ratePerSecond: 1, burst: 3, reserve: 2, clock });
    const at: Record<string, number> = {};
    for (let i = 0; i < 3; i++) void b.take(); // empty
    void b.take('background').then(() => void (at.background = clock.now()));
    await clock.to(100);
    void b.take('decision').then(() => void (at.decision = clock.now()));
    await clock.to(10_000);
    expect(at).toEqual({ decision: 1_000, background: 4_000 });
  });

  test('the reserve never exceeds the burst less one', async () => {
    const clock = fakeClock();
    const b = new RequestBudget({ ratePerSecond: 1, burst: 1, reserve: 5, clock });
    await b.take('background');
    await b.take('background');
    expect(clock.t).toBe(1_000);
  });

  test('it counts the requests it lets through (what the live view measures the rate on), not the display reads it skips', async () => {
    const clock = fakeClock();
    const b = new RequestBudget({ ratePerSecond: 1, burst: 4, clock });
    expect(await b.take('display')).toBe(true);
    await b.take();
    await b.take('urgent');
    expect(await b.take('display')).toBe(false);
    await Promise.all([b.take('background'), b.take()]);
    expect(b.granted).toBe(5);
    const off = new RequestBudget({ ratePerSecond: Infinity, clock });
    for (let i = 0; i < 3; i++) await off.take();
    expect(off.granted).toBe(3);
  });

  test('Infinity turns it off', async () => {
    const clock = fakeClock();
    const b = new RequestBudget({ ratePerSecond: Infinity, clock });
    for (let i = 0; i < 100; i++) await b.take();
    expect(clock.t).toBe(0);
  });
});

describe('choosing between one list and GETs by id', () => {
  test('one list when it costs Manila less than the GETs it replaces, as measured', () => {
    expect(listIsCheaper(1, { list: 10, get: 100 })).toBe(false); // one move: a GET by id
    expect(listIsCheaper(3, { list: 300, get: 100 })).toBe(true);
    expect(listIsCheaper(2, { list: 300, get: 100 })).toBe(false);
    // Zed's list grows with the cloud: at 1,000 servers (1.3 s) it takes 17 moves due at 80 ms a GET
    expect(listIsCheaper(16, { list: 1_300, get: 80 })).toBe(false);
    expect(listIsCheaper(17, { list: 1_300, get: 80 })).toBe(true);
    // unmeasured: counted as equal, so any two moves due go by list
    expect(listIsCheaper(2, {})).toBe(true);
  });

  test('when the budget cannot serve the GETs now, a list may cost Manila up to twice as much', () => {
    // the test bed: a list 400 ms, a GET 80 ms
    expect(listIsCheaper(3, { list: 400, get: 80 }, 10)).toBe(false);
    expect(listIsCheaper(3, { list: 400, get: 80 }, 2)).toBe(true);
    expect(listIsCheaper(2, { list: 400, get: 80 }, 0)).toBe(false); // 2.5 times: GETs still
    expect(listIsCheaper(1, { list: 10, get: 100 }, 0)).toBe(false); // one move: a GET by id
  });

  test('the budget tells how many tokens are free, after those already waiting', async () => {
    const clock = fakeClock();
    const b = new RequestBudget({ ratePerSecond: 2, clock });
    expect(b.available()).toBe(10);
    for (let i = 0; i < 10; i++) await b.take();
    expect(b.available()).toBe(0);
    clock.t += 1_000;
    expect(b.available()).toBe(2);
    expect(new RequestBudget({ ratePerSecond: Infinity, clock }).available()).toBe(Infinity);
  });

  test('costs are a moving average of the answers', () => {
    const c = new ReadCosts();
    expect(c.of('list')).toBeUndefined();
    c.record('list', 1_000);
    expect(c.of('list')).toBe(1_000);
    c.record('list', 2_000);
    expect(c.of('list')).toBeCloseTo(1_300, 6);
    c.record('get', 50);
    expect(c.of('get')).toBe(50);
  });
});
