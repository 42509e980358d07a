/**
 * The apply runner against the real Manila behind the real Keystone: it reaches the declared
 * hosts, holds its limits, stops at manual completion, refuses what migration_check refuses,
 * reports cancels and stale plans.
 */
import type { MoveEvent, RunnerEvent } from '../../../lib/apply/events';
import { cancelMigration } from '../../../lib/apply/cancel';
import { applyPlan } from '../../../lib/apply/runner';
import { resolveCloudConfig } from '../../../lib/manila/config';
import { ManilaClient } from '../../../lib/manila/client';
import { plan } from '../../../lib/plan/plan';
import type { Completion, PlacementDeclaration } from '../../../lib/plan/types';
import { takeSnapshot } from '../../../lib/snapshot/refresh';
import { RecordingProxy } from '../../helper/proxy';
import { manilaUrl, resetTestbed, serverOfNetwork, testbed, waitFor } from '../../helper/testbed';

jest.setTimeout(300_000);

let proxy: RecordingProxy;
let client: ManilaClient;

function placement(net: string, host: string, over: Partial<PlacementDeclaration> & { completion?: Completion } = {}): PlacementDeclaration {
  return {
    kind: 'placement',
    path: `test/${net}`,
    select: { shareNetwork: net },
    host,
    flags: { writable: false, nondisruptive: false, preserveSnapshots: false },
    completion: 'auto',
    ...over,
  };
}

async function planNow(decls: PlacementDeclaration[]) {
  return plan(decls, await takeSnapshot(client));
}

const FAST = { pollIntervalMs: 500, verifyTimeoutMs: 60_000 };

beforeAll(async () => {
  resetTestbed();
  // Every call goes through a recording proxy, so the tests count what Manila really received.
  proxy = await new RecordingProxy(manilaUrl()).start();
  const config = resolveCloudConfig({ cloud: 'testbed', endpointOverride: `${proxy.url}/v2` }, { env: { OS_CLIENT_CONFIG_FILE: testbed().clouds_yaml } });
  client = new ManilaClient({ config });
});
afterAll(async () => {
  await client.close();
  await proxy.stop();
});

test('one move with auto completion reaches the host, verifies shares and rules, and re-planning shows in-sync', async () => {
  const p = await planNow([placement('mp-sn-1', 'node1@beta')]);
  expect(p.entries.map((e) => e.action)).toEqual(['migrate']);
  const events: RunnerEvent[] = [];
  const r = await applyPlan(p, client, { ...FAST, onEvent: (e) => events.push(e) });
  expect(r.exitCode).toBe(0);
  const res = r.results[0];
  expect(res.phase).toBe('done');
  // Manila gives the destination a new id, a UUID; below, the live server of the network carries it.
  expect(res.newServerId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  expect(res.newServerId).not.toBe(res.server);
  expect(res.message).toMatch(/1 share, 1 access rule, 1 snapshot verified/);
  const phases = events.filter((e): e is MoveEvent => e.type === 'move').map((e) => e.phase);
  expect(phases).toEqual(expect.arrayContaining(['checking', 'starting', 'phase1', 'completing', 'verifying', 'done']));
  expect(proxy.actionCount('migration_start', res.server)).toBe(1);
  expect(proxy.actionCount('migration_complete', res.server)).toBe(1);
  const now = await serverOfNetwork(client, 'mp-sn-1');
  expect(now).toMatchObject({ id: res.newServerId, host: 'node1@beta', status: 'active' });
  const again = await planNow([placement('mp-sn-1', 'node1@beta')]);
  expect(again.entries.map((e) => e.action)).toEqual(['in-sync']);
});

test('three moves with --parallel 3 --max-per-destination 2 never run more than two toward one host', async () => {
  const p = await planNow([placement('mp-sn-2', 'node1@gamma'), placement('mp-sn-3', 'node1@gamma'), placement('mp-sn-4', 'node1@gamma')]);
  const events: MoveEvent[] = [];
  const t0 = Date.now();
  const r = await applyPlan(p, client, { ...FAST, parallel: 3, maxPerDestination: 2, onEvent: (e) => e.type === 'move' && events.push(e) });
  const wall = (Date.now() - t0) / 1000;
  expect(r.results.map((x) => x.phase)).toEqual(['done', 'done', 'done']);
  // Concurrency from the event timestamps: a migration is in flight from its start to the
  // destination being active (verification reads only).
  const spans = r.results.map((res) => {
    const mine = events.filter((e) => e.key === res.key);
    const start = mine.find((e) => e.phase === 'starting')!;
    const end = mine.find((e) => e.phase === 'verifying') ?? mine[mine.length - 1];
    return { start: Date.parse(start.ts), end: Date.parse(end.ts) };
  });
  const maxOverlap = Math.max(...spans.map((s) => spans.filter((o) => o.start <= s.start && o.end > s.start).length));
  expect(maxOverlap).toBe(2);
  const slowest = Math.max(...r.results.map((x) => x.elapsed));
   
  console.log(`three moves, max 2 per destination: wall ${wall.toFixed(1)} s, slowest single move ${slowest.toFixed(1)} s`);
});

test('manual completion stops at phase 1 done; apply --complete finishes it (the plan says resume)', async () => {
  const p = await planNow([placement('mp-sn-5', 'node1@beta', { completion: 'manual' })]);
  const r = await applyPlan(p, client, FAST);
  expect(r.results[0]).toMatchObject({ phase: 'awaiting-completion' });
  expect(r.results[0].hint).toMatch(/--complete/);
  expect(r.exitCode).toBe(4);
  const src = await client.getShareServer(r.results[0].server);
  expect(src.taskState).toBe('migration_driver_phase1_done');
  expect(proxy.actionCount('migration_complete', src.id)).toBe(0);

  const p2 = await planNow([placement('mp-sn-5', 'node1@beta', { completion: 'manual' })]);
  expect(p2.entries[0].action).toBe('resume');
  const r2 = await applyPlan(p2, client, { ...FAST, completeManual: true });
  expect(r2.results[0].phase).toBe('done');
  expect(proxy.actionCount('migration_start', src.id)).toBe(1);
  expect(proxy.actionCount('migration_complete', src.id)).toBe(1);
});

test('a demand the driver cannot meet (nondisruptive) is blocked at check, and no start is sent', async () => {
  const p = await planNow([placement('mp-sn-6', 'node1@beta', { flags: { writable: false, nondisruptive: true, preserveSnapshots: false } })]);
  const r = await applyPlan(p, client, FAST);
  expect(r.results[0]).toMatchObject({ phase: 'blocked', code: 'MP_INCOMPATIBLE' });
  expect(r.results[0].message).toMatch(/nondisruptive/);
  expect(r.exitCode).toBe(3);
  expect(proxy.actionCount('migration_check', r.results[0].server)).toBe(1);
  expect(proxy.actionCount('migration_start', r.results[0].server)).toBe(0);
  expect((await client.getShareServer(r.results[0].server)).taskState).toBeNull();
});

test('a cancel during phase 1 ends the move as cancelled, the server active on its source', async () => {
  const p = await planNow([placement('mp-sn-6', 'node1@beta')]);
  const serverId = (p.entries[0] as { server: { id: string } }).server.id;
  let cancelled: Promise<unknown> | undefined;
  const r = await applyPlan(p, client, {
    ...FAST,
    onEvent: (e) => {
      if (!cancelled && e.type === 'move' && e.phase === 'phase1' && e.taskState === 'migration_driver_in_progress') cancelled = cancelMigration(client, serverId, { pollIntervalMs: 500 });
    },
  });
  await cancelled;
  expect(r.results[0]).toMatchObject({ phase: 'cancelled', code: 'MP_CANCELLED' });
  const s = await client.getShareServer(serverId);
  expect(s).toMatchObject({ status: 'active', host: 'node1@alpha', taskState: 'migration_cancelled' });
});

test('after a cancel, a new plan shows the move blocked until the operator clears Manila\'s mark', async () => {
  const p = await planNow([placement('mp-sn-6', 'node1@gamma')]);
  expect(p.entries[0]).toMatchObject({ action: 'blocked', reasons: [expect.objectContaining({ code: 'LAST_MIGRATION_CANCELLED' })] });
  const entry = p.entries[0];
  if (entry.action !== 'blocked') throw new Error(`expected a blocked entry, got ${entry.action}`);
  const serverId = entry.server.id;
  expect(entry.reasons[0].message).toContain(`manila share-server-reset-task-state ${serverId}`);
  // What `manila share-server-reset-task-state <id>` sends: reset_task_state with no state.
  await client.resetTaskState(serverId, null);
  const again = await planNow([placement('mp-sn-6', 'node1@gamma')]);
  expect(again.entries[0].action).toBe('migrate');
});

test('a stale plan (the server moved elsewhere since) is refused without any migration call', async () => {
  const stalePlan = await planNow([placement('mp-sn-6', 'node1@beta')]);
  // Meanwhile, the server is moved to gamma by another run.
  const other = await applyPlan(await planNow([placement('mp-sn-6', 'node1@gamma')]), client, FAST);
  expect(other.results[0].phase).toBe('done');
  const before = proxy.seen.length;
  const r = await applyPlan(stalePlan, client, FAST);
  expect(r.results[0]).toMatchObject({ phase: 'stale', code: 'MP_PLAN_STALE' });
  expect(r.results[0].message).toMatch(/node1@gamma/);
  expect(proxy.seen.slice(before).filter((x) => x.method === 'POST')).toEqual([]);
  await waitFor('nothing migrating', async () => ((await client.listShareServers({ status: 'server_migrating' })).length === 0 ? true : undefined));
});

test('a placement declared by server id follows its lineage: after the move it plans in-sync, not 404', async () => {
  const before = await serverOfNetwork(client, 'mp-sn-2');
  const byId = (): PlacementDeclaration => ({ ...placement('mp-sn-2', before.host === 'node1@beta' ? 'node1@alpha' : 'node1@beta'), select: { shareServerId: before.id } });
  const decl = byId();
  const p = await planNow([decl]);
  expect(p.entries.map((e) => e.action)).toEqual(['migrate']);
  const r = await applyPlan(p, client, FAST);
  expect(r.results[0].phase).toBe('done');
  // Manila deletes the old record shortly after the switchover (it may still say `deleting`).
  await waitFor('old record deleted', async () => ((await client.findShareServer(before.id)) === undefined ? true : undefined), 60_000, 500);
  const again = await planNow([decl]);
  expect(again.entries).toEqual([expect.objectContaining({ action: 'in-sync', host: decl.host, server: expect.objectContaining({ id: r.results[0].newServerId }) })]);
  expect(again.entries[0].key).toBe(p.entries[0].key);
});

test('a phase-1 deadline leaves the migration running and says so; a rerun finishes it', async () => {
  const p = await planNow([placement('mp-sn-3', 'node1@alpha')]);
  const r = await applyPlan(p, client, { ...FAST, phase1TimeoutMs: 3_000 });
  expect(r.results[0]).toMatchObject({ phase: 'timed-out', code: 'MP_DEADLINE' });
  expect(r.results[0].message).toMatch(/left running/);
  expect(r.exitCode).toBe(4);
  expect((await client.getShareServer(r.results[0].server)).status).toBe('server_migrating');
  const again = await applyPlan(p, client, FAST);
  expect(again.results[0].phase).toBe('done');
  expect(proxy.actionCount('migration_start', r.results[0].server)).toBe(1);
});

test('with --cancel-on-timeout a phase-1 deadline cancels the migration', async () => {
  const p = await planNow([placement('mp-sn-4', 'node1@alpha')]);
  const r = await applyPlan(p, client, { ...FAST, phase1TimeoutMs: 9_000, cancelOnTimeout: true });
  expect(r.results[0]).toMatchObject({ phase: 'cancelled', code: 'MP_DEADLINE' });
  const s = await waitFor('cancelled', async () => {
    const x = await client.getShareServer(r.results[0].server);
    return x.taskState === 'migration_cancelled' && x.status === 'active' ? x : undefined;
  });
  expect(s.host).toBe('node1@gamma');
  expect(proxy.actionCount('migration_cancel', r.results[0].server)).toBe(1);
});
