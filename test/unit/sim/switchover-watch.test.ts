/**
 * A `--no-wait` pass that sends a switchover watches it to the end (switchoverWatchMs): the move
 * is verified and reported done in that pass, and the slot it frees goes to the next queued
 * move at once, not five minutes later at the next pass. Against the simulator, virtual time.
 */
import { applyPlan } from '../../../lib/apply/runner';
import { APPLY_DEFAULTS } from '../../../lib/apply/options';
import { plan } from '../../../lib/plan/plan';
import { takeSnapshot } from '../../../lib/snapshot/refresh';
import { runInVirtualTime } from '../../../bench/sim/clock';
import { SimulatedCloud } from '../../../bench/sim/manila';
import { Prng } from '../../../bench/sim/prng';
import { PRODUCTION_TIMINGS } from '../../../bench/sim/timings';
import { evacuate } from '../../../bench/sim/probes';
import { fleetWorld } from '../../../bench/sim/world';
import { useTempLockDir } from './lock-dir';

const M = 60_000;
const H = 60 * M;

beforeAll(() => useTempLockDir());

test('the --no-wait pass that sends a switchover reports the move done and starts the queued one in the same pass', async () => {
  const world = fleetWorld({ sources: 1, destinations: 1, servers: 2, rng: Prng.of(1, 'watch') });
  const cloud = new SimulatedCloud({ world, timings: PRODUCTION_TIMINGS, fateOf: () => ({ phase1Ms: 40 * M }) });
  const { value } = await runInVirtualTime(
    cloud.clock,
    async () => {
      const snap = cloud.client();
      const p = plan([evacuate], await takeSnapshot(snap, () => new Date(cloud.clock.now())));
      await snap.close();
      const passes: Array<{ startedAt: number; endedAt: number; phases: string[]; exit: number; completes: number; starts: number; lists: number }> = [];
      for (let n = 0; n < 60; n++) {
        const c = cloud.client();
        const startedAt = cloud.clock.now();
        const before = { completes: cloud.log.opCount('POST action:migration_complete'), starts: cloud.log.opCount('POST action:migration_start'), lists: cloud.log.opCount('GET share-servers') };
        const r = await applyPlan(p, c, { clock: cloud.clock, noWait: true, parallel: 1 });
        await c.close();
        passes.push({
          startedAt,
          endedAt: cloud.clock.now(),
          phases: r.results.map((x) => x.phase),
          exit: r.exitCode,
          completes: cloud.log.opCount('POST action:migration_complete') - before.completes,
          starts: cloud.log.opCount('POST action:migration_start') - before.starts,
          lists: cloud.log.opCount('GET share-servers') - before.lists,
        });
        if (r.exitCode === 0) break;
        await cloud.clock.sleep(5 * M);
      }
      return passes;
    },
    { until: cloud.clock.now() + 12 * H },
  );
  await cloud.close();
  const switching = value.filter((x) => x.completes > 0);
  expect(switching).toHaveLength(2);
  // The first switchover's pass: the move is done (verified), and the second move started.
  expect(switching[0]).toMatchObject({ phases: ['done', 'starting'], exit: 4, completes: 1, starts: 1 });
  // While it watches, the queued move is not read (each read of it lists the fleet): one list
  // to admit it at the start of the pass, one when the slot frees, one under the lock; and at
  // most one more at its 2 s poll while the pass's reads beside the loop come back (a fresh
  // process polls a queued move at the base interval), before the watch begins.
  expect(switching[0].lists).toBeLessThanOrEqual(4);
  // The last one: the run is over in the pass that switched over.
  expect(switching[1]).toMatchObject({ phases: ['done', 'done'], exit: 0, completes: 1, starts: 0 });
  for (const x of switching) expect(x.endedAt - x.startedAt).toBeLessThanOrEqual(APPLY_DEFAULTS.switchoverWatchMs + 2 * M);
  // Passes without a switchover stay short (they watch nothing in phase 1).
  for (const x of value.filter((y) => y.completes === 0)) expect(x.endedAt - x.startedAt).toBeLessThan(M);
});
