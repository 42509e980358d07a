/**
 * The simulated share migration API (docs/share-migration.md §1, §2, §5), driven by the real
 * ManilaClient in virtual time on the test bed profile: the headers and microversions the
 * actions need, the synchronous refusals of start, the 200 "nothing to do", the scheduler's
 * asynchronous refusal of a host without its pool, the states and reads of a migration in
 * flight (instances, the any-instance filters of /shares/detail, export locations, progress),
 * and complete's and cancel's refusals.
 */
import { ManilaApiError } from '../../../lib/errors';
import type { ManilaClient } from '../../../lib/manila/client';
import { runInVirtualTime } from '../../../bench/sim/clock';
import type { SimulatedCloud } from '../../../bench/sim/manila';
import { testbedCloud } from '../../../bench/sim/testbed-cloud';
import { TESTBED_DELTA_POOL, TESTBED_EPSILON_POOL, testbedWorld } from '../../../bench/sim/world';

interface Answer {
  readonly status: number;
  readonly message?: string;
  readonly body?: unknown;
}

const startBody = (host: string) => ({
  migration_start: {
    host,
    writable: true,
    preserve_metadata: true,
    nondisruptive: false,
    preserve_snapshots: true,
    force_host_assisted_migration: false,
    new_share_network_id: null,
    new_share_type_id: null,
  },
});

type Act = (body: unknown, o?: { experimental?: boolean; microversion?: string }) => Promise<Answer>;

/** Runs `fn` with a test-bed cloud (two flat shares on delta) and an admin client, in virtual time. */
async function withCloud<T>(fn: (c: { cloud: SimulatedCloud; client: ManilaClient; id: string; action: Act }) => Promise<T>): Promise<T> {
  const cloud = testbedCloud({ world: testbedWorld(6, 2), users: [{ name: 'member', password: 'member-password', roles: ['member'] }] });
  const client = cloud.client({ maxRequestRate: Infinity });
  const id = [...cloud.store.shares.values()].find((s) => s.name === 'mp-flat-2')!.id;
  const action: Act = async (body, o = {}) => {
    try {
      const r = await client.request('test share action', 'POST', `/shares/${id}/action`, {
        body,
        experimental: o.experimental ?? true,
        idempotent: false,
        expect: [200, 202],
        microversion: o.microversion,
      });
      return { status: r.status, body: r.body };
    } catch (e) {
      if (e instanceof ManilaApiError) return { status: e.status, message: e.manilaMessage };
      throw e;
    }
  };
  try {
    const { value } = await runInVirtualTime(cloud.clock, () => fn({ cloud, client, id, action }), { until: cloud.clock.now() + 3_600_000 });
    return value;
  } finally {
    await cloud.close();
  }
}

/** Polls the share until its task state is `want`. */
async function until(cloud: SimulatedCloud, client: ManilaClient, id: string, want: string): Promise<void> {
  const end = cloud.clock.now() + 120_000;
  for (;;) {
    const s = await client.getShare(id);
    if (s.taskState === want) return;
    if (cloud.clock.now() > end) throw new Error(`share ${id} never reached ${want} (now ${s.status}/${s.taskState})`);
    await cloud.clock.sleep(250);
  }
}

test('the actions are experimental, start needs 2.29, the others 2.22; missing demands and a busy or migrating share are refused', () =>
  withCloud(async ({ client, id, action }) => {
    expect((await action(startBody(TESTBED_EPSILON_POOL), { experimental: false })).status).toBe(404);
    expect((await action(startBody(TESTBED_EPSILON_POOL), { microversion: '2.28' })).status).toBe(404);
    // 2.22 reaches complete, which then refuses: no migration.
    expect(await action({ migration_complete: null }, { microversion: '2.22' })).toEqual({ status: 400, message: `Invalid share: There is no migration being performed for share ${id} at this moment..` });
    expect(await action({ migration_start: { host: TESTBED_EPSILON_POOL, writable: true } })).toEqual({
      status: 400,
      message: "Must specify all mandatory parameters: ['preserve_metadata', 'writable', 'nondisruptive', 'preserve_snapshots', 'host']",
    });
    expect((await action({ reset_task_state: { task_state: 'migration_driver_in_progress' } })).status).toBe(202);
    expect(await action(startBody(TESTBED_EPSILON_POOL))).toEqual({ status: 400, message: `Share is busy with an active task: Share ${id} is busy as part of an active task: migration_driver_in_progress..` });
    expect((await action({ reset_task_state: { task_state: null } })).status).toBe(202);
    expect((await action(startBody(TESTBED_EPSILON_POOL))).status).toBe(202);
    const s = await client.getShare(id);
    expect(await action(startBody(TESTBED_EPSILON_POOL))).toEqual({ status: 400, message: `Invalid share: Share instance ${(await client.listShareInstances(id)).find((i) => i.status === 'migrating')!.id} status must be available, but current status is: ${s.status}..` });
  }));

test('start to the share\'s own pool answers 200 and sets migration_success; host@backend without the pool is accepted, then the scheduler fails it', () =>
  withCloud(async ({ cloud, client, id, action }) => {
    expect(await action(startBody(TESTBED_DELTA_POOL))).toEqual({ status: 200, body: undefined });
    expect(await client.getShare(id)).toMatchObject({ status: 'available', taskState: 'migration_success', host: TESTBED_DELTA_POOL });
    expect((await action(startBody('node1@epsilon'))).status).toBe(202);
    await until(cloud, client, id, 'migration_error');
    expect(await client.getShare(id)).toMatchObject({ status: 'available', host: TESTBED_DELTA_POOL });
    expect((await client.listShareInstances(id)).map((i) => i.status)).toEqual(['available']);
    expect(cloud.migrations.map((m) => m.outcome)).toEqual(['start-error']);
  }));

test('a migration in flight: both instances listed, found by the any-instance filters, source export paths, progress from the task state; complete 202 empty', () =>
  withCloud(async ({ cloud, client, id, action }) => {
    const paths = (await client.listExportLocations(id)).map((e) => e.path).sort();
    expect((await action({ migration_complete: null })).status).toBe(400);
    expect((await action(startBody(TESTBED_EPSILON_POOL))).status).toBe(202);
    expect(await action({ migration_complete: null })).toEqual({ status: 400, message: `Invalid share: First migration phase of share ${id} not completed yet..` });
    await until(cloud, client, id, 'migration_driver_in_progress');
    expect((await client.listShareInstances(id)).map((i) => [i.status, i.host]).sort()).toEqual([
      ['migrating', TESTBED_DELTA_POOL],
      ['migrating_to', TESTBED_EPSILON_POOL],
    ]);
    expect((await client.listAllShareInstances()).filter((i) => i.shareId === id)).toHaveLength(2);
    const toward = await client.request('shares toward epsilon', 'GET', '/shares/detail', { query: { status: 'migrating_to', host: TESTBED_EPSILON_POOL } });
    expect((toward.body as { shares: Array<{ id: string }> }).shares.map((s) => s.id)).toEqual([id]);
    expect((await client.listShares({ status: 'migrating' })).map((s) => s.id)).toEqual([id]);
    expect((await client.listExportLocations(id)).map((e) => e.path).sort()).toEqual(paths);
    expect((await action({ migration_get_progress: null })).body).toEqual({ total_progress: 0, task_state: 'migration_driver_in_progress', details: {} });
    await until(cloud, client, id, 'migration_driver_phase1_done');
    expect((await action({ migration_get_progress: null })).body).toEqual({ total_progress: 100, task_state: 'migration_driver_phase1_done', details: {} });
    expect(await action({ migration_complete: null })).toEqual({ status: 202, body: undefined });
    await until(cloud, client, id, 'migration_success');
    expect(await client.getShare(id)).toMatchObject({ status: 'available', host: TESTBED_EPSILON_POOL });
    expect((await client.listExportLocations(id)).map((e) => e.path).sort()).not.toEqual(paths);
    expect((await action({ migration_get_progress: null })).body).toEqual({ total_progress: 100, task_state: 'migration_success', details: {} });
    expect(await action({ migration_cancel: null })).toEqual({ status: 400, message: `Invalid share: Migration of share ${id} has already completed..` });
  }));

test('a member reads the share, but not its instances, and may not send its migration actions (admin-only policies)', () =>
  withCloud(async ({ cloud, id }) => {
    const member = cloud.client({ config: cloud.config('member', 'member-password'), maxRequestRate: Infinity });
    const status = (p: Promise<unknown>): Promise<number> => p.then(() => 200, (e: ManilaApiError) => e.status);
    expect(await status(member.getShare(id))).toBe(200);
    expect(await status(member.listShareInstances(id))).toBe(403);
    expect(await status(member.migrationStart(id, { host: TESTBED_EPSILON_POOL, writable: true, nondisruptive: false, preserveSnapshots: true, newShareNetworkId: null }, 'share'))).toBe(403);
    await member.close();
  }));
