/**
 * A small end-to-end run through the real plan() and applyPlan against the simulator: 20 share
 * servers on 2 sources evacuated to 2 destinations, parallel 4, 2 per source, 3 per destination,
 * a completion window, one migration failing in phase 1. The limits hold at every state change
 * (checked by the monitor and, independently, by lib's countInFlight over Manila's records),
 * every switchover happens inside a window, nothing is lost or stuck. Once as one long run,
 * once as --no-wait passes.
 */
import { countInFlight } from '../../../lib/apply/admission';
import { applyPlan } from '../../../lib/apply/runner';
import type { MoveResult } from '../../../lib/apply/result';
import { plan } from '../../../lib/plan/plan';
import type { MigrateEntry } from '../../../lib/plan/types';
import { windowAt } from '../../../lib/plan/window';
import { takeSnapshot } from '../../../lib/snapshot/refresh';
import { audit } from '../../../bench/sim/audit';
import { runInVirtualTime } from '../../../bench/sim/clock';
import { InFlightMonitor } from '../../../bench/sim/inflight';
import { SimulatedCloud } from '../../../bench/sim/manila';
import { evacuations } from '../../../bench/sim/production';
import { Prng } from '../../../bench/sim/prng';
import { PRODUCTION_TIMINGS } from '../../../bench/sim/timings';
import { fleetWorld } from '../../../bench/sim/world';
import { useTempLockDir } from './lock-dir';

const M = 60_000;
const H = 60 * M;
const LIMITS = { parallel: 4, maxPerSource: 2, maxPerDestination: 3 };
const WINDOW = { cron: '0 * * * *', durationMinutes: 20 };

// Virtual time, but seconds of CPU: while `npm test` boots the test beds beside the unit tests, more than jest's 5 s.
jest.setTimeout(60_000);

beforeAll(() => useTempLockDir());

function setup(): { cloud: SimulatedCloud; monitor: InFlightMonitor; crossCheck: { changes: number; worst: number } } {
  const world = fleetWorld({ sources: 2, destinations: 2, servers: 20, rng: Prng.of(3, 'world') });
  const cloud: SimulatedCloud = new SimulatedCloud({
    world,
    timings: PRODUCTION_TIMINGS,
    fateOf: (m) => {
      const s = cloud.store.servers.get(m.sourceId)!;
      const net = cloud.store.networks.get(s.shareNetworkId)!.name;
      const r = Prng.of(3, net);
      const phase1Ms = Math.round(r.uniform(10 * M, 50 * M));
      return net === 'tenant-net-0007' ? { phase1Ms, failAfterMs: 5 * M } : { phase1Ms };
    },
  });
  const monitor = new InFlightMonitor(cloud, LIMITS);
  // Independently: lib's own count over every record, after every change.
  const crossCheck = { changes: 0, worst: 0 };
  cloud.store.onServerChange(() => {
    const c = countInFlight([...cloud.store.servers.values()]);
    crossCheck.changes++;
    crossCheck.worst = Math.max(crossCheck.worst, c.total, ...[...c.bySource.values()].map((n) => (n > LIMITS.maxPerSource ? 99 : 0)));
  });
  return { cloud, monitor, crossCheck };
}

async function run(
  noWait: boolean
): Promise<{
  results: readonly MoveResult[];
  cloud: SimulatedCloud;
  monitor: InFlightMonitor;
  crossCheck: { changes: number; worst: number };
  moves: MigrateEntry[];
}> {
  const { cloud, monitor, crossCheck } = setup();
  const { value } = await runInVirtualTime(
    cloud.clock,
    async () => {
      const snapClient = cloud.client();
      const p = plan(
        evacuations({ sources: 2, destinations: 2, targetsPerSource: 2, window: WINDOW }),
        await takeSnapshot(snapClient, () => new Date(cloud.clock.now()))
      );
      await snapClient.close();
      const moves = p.entries.filter((e): e is MigrateEntry => e.action === 'migrate');
      const opts = { clock: cloud.clock, ...LIMITS, phase1TimeoutMs: 4 * H };
      if (!noWait) {
        const c = cloud.client();
        const r = await applyPlan(p, c, opts);
        await c.close();
        return { results: r.results, moves };
      }
      for (let pass = 0; ; pass++) {
        const c = cloud.client();
        const r = await applyPlan(p, c, { ...opts, noWait: true });
        await c.close();
        if (r.results.every((x) => ['done', 'failed', 'cancelled'].includes(x.phase)) || pass > 500) return { results: r.results, moves };
        await cloud.clock.sleep(5 * M);
      }
    },
    { until: cloud.clock.now() + 3 * 24 * H }
  );
  return { ...value, cloud, monitor, crossCheck };
}

describe.each([
  ['one long applyPlan', false],
  ['--no-wait passes every 5 min', true],
])('%s', (_name, noWait) => {
  test('limits hold at every state change, every switchover is in a window, nothing lost or stuck', async () => {
    const { results, cloud, monitor, crossCheck, moves } = await run(noWait);
    expect(moves).toHaveLength(20);
    expect(results.map((r) => r.phase).sort()).toEqual([...Array(19).fill('done'), 'failed'].sort());
    expect(monitor.violations).toEqual([]);
    expect(monitor.peak.total).toBeLessThanOrEqual(LIMITS.parallel);
    expect(monitor.peak.perSource).toBeLessThanOrEqual(LIMITS.maxPerSource);
    expect(monitor.peak.perDestination).toBeLessThanOrEqual(LIMITS.maxPerDestination);
    expect(monitor.peak.total).toBe(LIMITS.parallel); // the limit is used, not just respected
    expect(crossCheck.changes).toBe(monitor.checks);
    expect(crossCheck.worst).toBeLessThanOrEqual(LIMITS.parallel);
    for (const m of cloud.migrations.filter((x) => x.completeAt !== undefined)) expect(windowAt(WINDOW, m.completeAt!).open).toBe(true);
    const report = audit(
      cloud,
      moves.map((e) => ({ network: e.server.shareNetworkName ?? '', from: e.from, to: e.to, phase: results.find((r) => r.key === e.key)!.phase }))
    );
    expect(report).toMatchObject({
      onTarget: 19,
      onSource: 1,
      lost: [],
      stuck: [],
      misplaced: [],
      leftovers: { failedDestinations: 1, cancelledDestinations: 0 },
    });
    if (!noWait) {
      // Once before the switchover (as the move is admitted) and once after, per share: the
      // failed move has no after. Nothing a decision writes meanwhile may drop the first read.
      expect(cloud.log.opCount('GET shares/{id}/export_locations')).toBe(19 * 2 + 1);
    }
    await cloud.close();
  });
});
