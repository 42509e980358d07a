import { RequestBudget } from '../../../lib/manila/budget';
import type { Clock } from '../../../lib/manila/http';

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

  test('Infinity turns it off', async () => {
    const clock = fakeClock();
    const b = new RequestBudget({ ratePerSecond: Infinity, clock });
    for (let i = 0; i < 100; i++) await b.take();
    expect(clock.t).toBe(0);
  });
});
