/**
 * Share migration in the simulator, driven by the real plan() and applyPlan (lib/apply) in
 * virtual time, on the test bed profile: node1@delta and node1@epsilon (dummy driver,
 * driver_handles_share_servers = False) and the flat fixtures mp-flat-1..N on delta's pool.
 * (a) one share evacuated with auto completion ends on epsilon's pool; (b) a cancel in phase 1
 * is reported cancelled and leaves the share on its pool; (c) four shares at parallel 2 never
 * have more than two in flight, as the simulator's monitor and, independently, lib's own count
 * over every share instance see it.
 */
import { countInFlight } from '../../../lib/apply/admission';
import type { RunnerEvent } from '../../../lib/apply/events';
import { applyPlan } from '../../../lib/apply/runner';
import { shareRecordsFromInstances } from '../../../lib/manila/share-record';
import { parseShareInstance } from '../../../lib/manila/types';
import { plan } from '../../../lib/plan/plan';
import type { EvacuationDeclaration } from '../../../lib/plan/types';
import { takeSnapshot } from '../../../lib/snapshot/refresh';
import { runInVirtualTime } from '../../../bench/sim/clock';
import { InFlightMonitor } from '../../../bench/sim/inflight';
import type { SimulatedCloud } from '../../../bench/sim/manila';
import { SHARE_SCENARIOS, runShareScenario } from '../../../bench/sim/share-scenarios';
import { ShareTrace } from '../../../bench/sim/share-trace';
import { simScenarioEnv, testbedCloud } from '../../../bench/sim/testbed-cloud';
import { shareInstanceViews } from '../../../bench/sim/views';
import { TESTBED_DELTA_POOL, TESTBED_EPSILON_POOL, testbedWorld } from '../../../bench/sim/world';
import { useTempLockDir } from './lock-dir';

jest.setTimeout(60_000);

beforeAll(() => useTempLockDir());

const evacuateDelta: EvacuationDeclaration = {
  kind: 'evacuation',
  path: 'flat/evacuate-delta',
  sourceHost: 'node1@delta',
  targets: ['node1@epsilon'],
  flags: { writable: true, nondisruptive: false, preserveSnapshots: true },
  completion: 'auto',
};

/** Refresh, plan the evacuation of delta and apply it with `parallel`, in virtual time. */
async function evacuate(cloud: SimulatedCloud, parallel: number): Promise<{ phases: string[]; events: RunnerEvent[]; moves: number }> {
  const events: RunnerEvent[] = [];
  const { value } = await runInVirtualTime(
    cloud.clock,
    async () => {
      const c = cloud.client({ maxRequestRate: Infinity });
      const p = plan([evacuateDelta], await takeSnapshot(c, () => new Date(cloud.clock.now())));
      await c.close();
      const runner = cloud.client();
      const r = await applyPlan(p, runner, { clock: cloud.clock, parallel, pollIntervalMs: 1_000, onEvent: (e) => events.push(e) });
      await runner.close();
      return { phases: r.results.map((x) => x.phase), moves: p.entries.filter((e) => e.action === 'migrate').length };
    },
    { until: cloud.clock.now() + 3_600_000 }
  );
  return { ...value, events };
}

const flat = (cloud: SimulatedCloud) => [...cloud.store.shares.values()].filter((s) => s.shareServerId === null).sort((a, b) => a.name.localeCompare(b.name));

test('(a) one flat share evacuated with auto completion: done, on the destination pool, new instance and export paths, rules and snapshots kept', async () => {
  const cloud = testbedCloud({ world: testbedWorld(6, 1) });
  const [share] = flat(cloud);
  const before = {
    instanceId: share.instanceId,
    paths: share.exportLocations.map((e) => e.path),
    rules: [...cloud.store.rules.values()].filter((r) => r.shareId === share.id).map((r) => r.id),
  };
  const trace = new ShareTrace(cloud.store, share.id, { SRC: TESTBED_DELTA_POOL, DST: TESTBED_EPSILON_POOL });
  const monitor = new InFlightMonitor(cloud, { parallel: 1 });

  const { phases, moves } = await evacuate(cloud, 1);

  expect(moves).toBe(1);
  expect(phases).toEqual(['done']);
  const after = cloud.store.shares.get(share.id)!;
  expect({ host: after.host, status: after.status, task: after.taskState, destination: after.destination }).toEqual({
    host: TESTBED_EPSILON_POOL,
    status: 'available',
    task: 'migration_success',
    destination: undefined,
  });
  expect(after.instanceId).not.toBe(before.instanceId);
  expect(after.exportLocations.map((e) => e.path)).not.toEqual(before.paths);
  // The dummy driver keeps the IPs and changes the path (the real recording shows the same).
  expect(after.exportLocations.map((e) => e.path.split(':')[0])).toEqual(before.paths.map((p) => p.split(':')[0]));
  const rules = [...cloud.store.rules.values()].filter((r) => r.shareId === share.id);
  expect(rules.map((r) => [r.id, r.state])).toEqual(before.rules.map((id) => [id, 'active']));
  expect(cloud.store.snapshotsOfShare(share.id).map((s) => s.status)).toEqual(['available']);
  // Shares have no migration_check; the actions go to the share, never to a share server.
  expect(cloud.log.opCount('POST share action:migration_start')).toBe(1);
  expect(cloud.log.opCount('POST share action:migration_complete')).toBe(1);
  expect(cloud.log.opCount('POST share action:migration_check')).toBe(0);
  expect(cloud.log.users().flatMap((u) => [...(cloud.log.client(u)?.byOp.keys() ?? [])]).filter((op) => op.startsWith('POST action:'))).toEqual([]);
  expect(cloud.migrations.map((m) => [m.kind, m.outcome])).toEqual([['share', 'success']]);
  expect(monitor.peak.total).toBe(1);
  expect(monitor.violations).toEqual([]);
  expect(trace.S[trace.S.length - 1]).toBe('available/migration_success@DST [available@DST]');
  await cloud.close();
});

test('(b) a cancel during phase 1: the runner reports cancelled, the share stays on its pool without a destination instance', async () => {
  const spec = SHARE_SCENARIOS.find((s) => s.cancelAt === 'migration_driver_in_progress')!;
  const cloud = testbedCloud({ world: testbedWorld(6, 4) });
  const share = flat(cloud).find((s) => s.name === spec.share)!;
  const trace = new ShareTrace(cloud.store, share.id, { SRC: share.host, DST: spec.target });

  const { value: seq } = await runInVirtualTime(cloud.clock, () => runShareScenario(spec, simScenarioEnv(cloud)), { until: cloud.clock.now() + 3_600_000 });

  expect(seq.outcome).toEqual({ phase: 'cancelled', code: 'MP_CANCELLED' });
  expect(seq.answers).toEqual([
    { action: 'migration_start', status: 202 },
    { action: 'migration_cancel', status: 202 },
  ]);
  expect(seq.final).toEqual({ S: 'available/migration_cancelled@SRC [available@SRC]', D: 'gone' });
  const after = cloud.store.shares.get(share.id)!;
  expect({ host: after.host, status: after.status, task: after.taskState, instance: after.instanceId, destination: after.destination }).toEqual({
    host: TESTBED_DELTA_POOL,
    status: 'available',
    task: 'migration_cancelled',
    instance: share.instanceId,
    destination: undefined,
  });
  // Manila's order (share/manager.py migration_cancel): the destination deleted, the source available, then the task state.
  expect(trace.S.slice(-3)).toEqual([
    'migrating/migration_driver_in_progress@SRC [migrating@SRC]',
    'available/migration_driver_in_progress@SRC [available@SRC]',
    'available/migration_cancelled@SRC [available@SRC]',
  ]);
  expect(cloud.migrations.map((m) => m.outcome)).toEqual(['cancelled']);
  await cloud.close();
});

test('(c) four shares at parallel 2: never more than 2 in flight, the limit used, all four on epsilon', async () => {
  const cloud = testbedCloud({ world: testbedWorld(6, 4) });
  const monitor = new InFlightMonitor(cloud, { parallel: 2 });
  // Independently: lib's own count over every share instance, as GET /share_instances shows them, after every change.
  const cross = { changes: 0, worst: 0 };
  cloud.store.onShareChange(() => {
    const instances = [...cloud.store.shares.values()].flatMap((sh) => shareInstanceViews(sh, [2, 73])).map(parseShareInstance);
    cross.changes++;
    cross.worst = Math.max(cross.worst, countInFlight(shareRecordsFromInstances(instances)).total);
  });

  const { phases, events, moves } = await evacuate(cloud, 2);

  expect(moves).toBe(4);
  expect(phases).toEqual(['done', 'done', 'done', 'done']);
  expect(monitor.violations).toEqual([]);
  expect(monitor.peak.total).toBe(2);
  expect(cross.changes).toBeGreaterThan(0);
  expect(cross.worst).toBe(2);
  expect(events.some((e) => e.type === 'move' && e.phase === 'queued' && /2 migrations in flight in the cloud, limit 2 \(parallel\)/.test(e.waiting ?? ''))).toBe(true);
  expect(flat(cloud).map((s) => [s.name, s.host, s.status, s.taskState])).toEqual(
    ['mp-flat-1', 'mp-flat-2', 'mp-flat-3', 'mp-flat-4'].map((n) => [n, TESTBED_EPSILON_POOL, 'available', 'migration_success'])
  );
  expect(cloud.migrations.map((m) => m.outcome)).toEqual(['success', 'success', 'success', 'success']);
  await cloud.close();
});
