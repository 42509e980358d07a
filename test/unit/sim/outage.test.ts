/**
 * Outages ridden out, in virtual time against the simulator (the real-Manila proof is
 * test/integration/reliability/outage.test.ts): Manila's API or Keystone down for longer than the
 * transport's retries, while migrations run. No move fails for it; each server gets exactly one
 * start and one complete; the run reports the outage. Past `outageLimitMs` the run stops with exit
 * 5, and a rerun converges.
 */
import type { RunnerEvent, RunEvent } from '../../../lib/apply/events';
import { EXIT } from '../../../lib/apply/result';
import { applyPlan } from '../../../lib/apply/runner';
import { plan } from '../../../lib/plan/plan';
import type { MigrateEntry, Plan } from '../../../lib/plan/types';
import { takeSnapshot } from '../../../lib/snapshot/refresh';
import { audit } from '../../../bench/sim/audit';
import { runInVirtualTime } from '../../../bench/sim/clock';
import { SimulatedCloud } from '../../../bench/sim/manila';
import { evacuations } from '../../../bench/sim/production';
import { Prng } from '../../../bench/sim/prng';
import { PRODUCTION_TIMINGS } from '../../../bench/sim/timings';
import { fleetWorld } from '../../../bench/sim/world';
import { useTempLockDir } from './lock-dir';

const M = 60_000;
const H = 60 * M;

// Virtual time, but seconds of CPU: while `npm test` boots the test beds beside the unit tests, more than jest's 5 s.
jest.setTimeout(60_000);

beforeAll(() => useTempLockDir());

function cloudOf(tokenLifetimeMs?: number): SimulatedCloud {
  const world = fleetWorld({ sources: 2, destinations: 2, servers: 6, rng: Prng.of(5, 'world') });
  return new SimulatedCloud({ world, timings: PRODUCTION_TIMINGS, tokenLifetimeMs, fateOf: () => ({ phase1Ms: 40 * M }) });
}

async function planOf(cloud: SimulatedCloud): Promise<Plan> {
  const c = cloud.client();
  const p = plan(evacuations({ sources: 2, destinations: 2, targetsPerSource: 2 }), await takeSnapshot(c, () => new Date(cloud.clock.now())));
  await c.close();
  return p;
}

/** Takes `service` down `at` ms into the run for `forMs`. */
function outage(cloud: SimulatedCloud, service: 'manila' | 'keystone', at: number, forMs: number): void {
  cloud.clock.after(at, () => cloud.setDown(service, true));
  cloud.clock.after(at + forMs, () => cloud.setDown(service, false));
}

function expectOneStartAndCompleteEach(cloud: SimulatedCloud, moves: number): void {
  expect(cloud.migrations).toHaveLength(moves);
  expect(cloud.log.opCount('POST action:migration_start')).toBe(moves);
  expect(cloud.log.opCount('POST action:migration_complete')).toBe(moves);
}

const runEvents = (events: RunnerEvent[], phase: RunEvent['phase']): RunEvent[] => events.filter((e): e is RunEvent => e.type === 'run' && e.phase === phase);

test.each([
  // Manila's reads fail from the first moment: the outage is the whole 30 min.
  ['Manila API', 'manila' as const, 30 * 60],
  // Manila takes the token it has until it expires (20 min lifetime): then the run cannot renew it.
  ['Keystone, with tokens expiring during it,', 'keystone' as const, 10 * 60],
])('%s down for 30 min during phase 1: every move done, one start and one complete each, the outage reported', async (_name, service, atLeastSeconds) => {
  // Tokens live 20 min with Keystone down for 30: the one in use expires during the outage.
  const cloud = cloudOf(service === 'keystone' ? 20 * M : undefined);
  const events: RunnerEvent[] = [];
  const { value } = await runInVirtualTime(
    cloud.clock,
    async () => {
      const p = await planOf(cloud);
      outage(cloud, service, 10 * M, 30 * M);
      const c = cloud.client();
      const r = await applyPlan(p, c, { clock: cloud.clock, parallel: 6, onEvent: (e) => events.push(e) });
      await c.close();
      return { r, p };
    },
    { until: cloud.clock.now() + 24 * H },
  );
  const moves = value.p.entries.filter((e): e is MigrateEntry => e.action === 'migrate');
  expect(moves).toHaveLength(6);
  expect(value.r.exitCode).toBe(EXIT.OK);
  expect(value.r.results.map((x) => x.phase)).toEqual(Array(6).fill('done'));
  expect(cloud.outageAnswers).toBeGreaterThan(0);
  expectOneStartAndCompleteEach(cloud, 6);
  const begun = runEvents(events, 'outage-begun');
  const ended = runEvents(events, 'outage-ended');
  expect(begun).toHaveLength(1);
  expect(ended).toHaveLength(1);
  const o = ended[0].outage!;
  // From the last read before it to the first after, give or take the backoff (at most the 60 s poll cap).
  expect(o.seconds).toBeGreaterThanOrEqual(atLeastSeconds);
  expect(o.seconds).toBeLessThanOrEqual(30 * 60 + 2 * 60);
  expect(o.waiting.map((w) => w.phase)).toEqual(Array(6).fill('phase1'));
  expect(ended[0].message).toMatch(/Manila answers again after an outage of \d+ min/);
  // While it lasts, one read (of 4 attempts) probes for every move, at most once a minute.
  expect(cloud.outageAnswers).toBeLessThanOrEqual(4 * 40);
  const report = audit(cloud, moves.map((e) => ({ network: e.server.shareNetworkName ?? '', from: e.from, to: e.to, phase: 'done' })));
  expect(report).toMatchObject({ lost: [], stuck: [], misplaced: [] });
  await cloud.close();
});

test('an outage past the limit stops the run with exit 5 and says when Manila was last seen; a rerun converges', async () => {
  const cloud = cloudOf();
  const events: RunnerEvent[] = [];
  const { value } = await runInVirtualTime(
    cloud.clock,
    async () => {
      const t0 = cloud.clock.now();
      const p = await planOf(cloud);
      outage(cloud, 'manila', 10 * M, 90 * M);
      const c = cloud.client();
      const first = await applyPlan(p, c, { clock: cloud.clock, parallel: 6, outageLimitMs: 60 * M, onEvent: (e) => events.push(e) });
      // The rerun, once Manila is back.
      await cloud.clock.sleep(Math.max(0, t0 + 101 * M - cloud.clock.now()));
      const again = await applyPlan(p, c, { clock: cloud.clock, parallel: 6 });
      await c.close();
      return { first, again };
    },
    { until: cloud.clock.now() + 24 * H },
  );
  expect(value.first.exitCode).toBe(EXIT.OUTAGE);
  expect(value.first.results.every((r) => r.phase === 'detached' && r.code === 'MP_OUTAGE')).toBe(true);
  expect(value.first.results[0].hint).toMatch(/Run apply again/);
  const limit = runEvents(events, 'outage-limit');
  expect(limit).toHaveLength(1);
  expect(limit[0].outage!.seconds).toBeGreaterThan(60 * 60);
  expect(limit[0].message).toMatch(/Manila not seen since \d{4}-\d\d-\d\dT.*past --outage-limit/);
  expect(value.again.exitCode).toBe(EXIT.OK);
  expectOneStartAndCompleteEach(cloud, 6);
  await cloud.close();
});
