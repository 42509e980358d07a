/**
 * The simulated Manila, driven by the real ManilaClient in virtual time: the state machine of
 * the reference's §4 (a new id after complete, the source deleted; cancel; an asynchronous
 * failure; a demanded capability the driver lacks) and the preconditions of §3 with their
 * status codes and messages; lists, paging, tokens.
 */
import { ManilaApiError } from '../../../lib/errors';
import type { ManilaClient } from '../../../lib/manila/client';
import type { MigrationParams } from '../../../lib/manila/types';
import { runInVirtualTime } from '../../../bench/sim/clock';
import { SIM_ADMIN_PASSWORD, type SimulatedCloud } from '../../../bench/sim/manila';
import { testbedCloud } from '../../../bench/sim/testbed-cloud';

const to = (host: string, over: Partial<MigrationParams> = {}): MigrationParams => ({
  host,
  writable: false,
  nondisruptive: false,
  preserveSnapshots: false,
  newShareNetworkId: null,
  ...over,
});

/** Runs `fn` with a fresh test-bed cloud and client, in virtual time. */
async function withCloud<T>(
  fn: (c: { cloud: SimulatedCloud; client: ManilaClient; id: (net: string) => string }) => Promise<T>,
  over: Parameters<typeof testbedCloud>[0] = {}
): Promise<T> {
  const cloud = testbedCloud(over);
  const client = cloud.client({ maxRequestRate: Infinity });
  const id = (net: string): string =>
    [...cloud.store.servers.values()].find((s) => cloud.store.networks.get(s.shareNetworkId)?.name === net && s.status !== 'inactive')!.id;
  try {
    const { value } = await runInVirtualTime(cloud.clock, () => fn({ cloud, client, id }), { until: cloud.clock.now() + 6 * 3_600_000 });
    return value;
  } finally {
    await cloud.close();
  }
}

/** Polls (in virtual time) until `pred` holds for the server, or fails after `limitMs`. */
async function until(
  cloud: SimulatedCloud,
  client: ManilaClient,
  id: string,
  pred: (s: { status: string; taskState: string | null } | undefined) => boolean,
  limitMs = 120_000
): Promise<void> {
  const end = cloud.clock.now() + limitMs;
  for (;;) {
    const s = await client.findShareServer(id);
    if (pred(s)) return;
    if (cloud.clock.now() > end) throw new Error(`server ${id} never reached the state (now ${s?.status}/${s?.taskState})`);
    await cloud.clock.sleep(250);
  }
}

/** One raw action; its status, fault and message. */
async function action(
  client: ManilaClient,
  id: string,
  body: unknown,
  opts: { experimental?: boolean; microversion?: string } = {}
): Promise<{ status: number; fault?: string; message?: string; body?: unknown }> {
  try {
    const r = await client.request('test action', 'POST', `/share-servers/${id}/action`, {
      body,
      experimental: opts.experimental ?? true,
      idempotent: false,
      expect: [200, 202],
      microversion: opts.microversion,
    });
    return { status: r.status, body: r.body };
  } catch (e) {
    if (e instanceof ManilaApiError) return { status: e.status, fault: e.fault, message: e.manilaMessage };
    throw e;
  }
}

test('happy path: start is synchronous in the API, phase 1 runs on the continue grid, complete gives the destination a new id and deletes the source', () =>
  withCloud(async ({ cloud, client, id }) => {
    const s = id('mp-sn-1');
    const share = cloud.store.sharesOfServer(s)[0];
    const exportsBefore = share.exportLocations.map((e) => e.path);
    expect((await client.migrationCheck(s, to('node1@beta', { preserveSnapshots: true }))).compatible).toBe(true);
    await client.migrationStart(s, to('node1@beta', { preserveSnapshots: true }));
    // Synchronous in the API: the very next read shows it, with the shares and the snapshot.
    expect(await client.getShareServer(s)).toMatchObject({ status: 'server_migrating', taskState: 'migration_starting' });
    expect(share.status).toBe('server_migrating');
    expect(cloud.store.snapshotsOfShare(share.id).map((x) => x.status)).toEqual(['server_migrating']);
    await until(cloud, client, s, (x) => x?.taskState === 'migration_driver_phase1_done');
    const [d] = await client.listShareServers({ source_share_server_id: s, status: 'server_migrating_to' });
    expect(d).toMatchObject({ host: 'node1@beta', taskState: 'migration_driver_phase1_done', sourceShareServerId: s });
    expect(await client.migrationComplete(s)).toBe(d.id);
    await until(cloud, client, s, (x) => x === undefined, 60_000);
    expect(await client.getShareServer(d.id)).toMatchObject({ status: 'active', taskState: 'migration_success', host: 'node1@beta', sourceShareServerId: s });
    expect(d.id).not.toBe(s);
    expect(share).toMatchObject({ status: 'available', shareServerId: d.id, host: 'node1@beta#fake_pool_for_BETA' });
    expect(share.exportLocations.map((e) => e.path)).not.toEqual(exportsBefore);
    // After the source is gone, get_progress finds the successful destination.
    expect(await client.migrationGetProgress(s)).toEqual({ totalProgress: 100, taskState: 'migration_success', destinationShareServerId: d.id });
  }));

test('cancel is refused before the driver started, accepted in driver_in_progress, and leaves the destination inactive', () =>
  withCloud(async ({ cloud, client, id }) => {
    const s = id('mp-sn-2');
    await client.migrationStart(s, to('node1@gamma'));
    expect(await action(client, s, { migration_cancel: null })).toMatchObject({
      status: 400,
      fault: 'badRequest',
      message: `Invalid share server: Migration of share server ${s} can be cancelled only after the driver already started the migration, or when the first phase of the migration gets completed.`,
    });
    await until(cloud, client, s, (x) => x?.taskState === 'migration_driver_in_progress');
    await client.migrationCancel(s);
    await until(cloud, client, s, (x) => x?.taskState === 'migration_cancelled');
    expect(await client.getShareServer(s)).toMatchObject({ status: 'active', host: 'node1@alpha' });
    const [d] = await client.listShareServers({ source_share_server_id: s });
    expect(d).toMatchObject({ status: 'inactive', taskState: 'migration_cancelled', host: 'node1@gamma' });
    expect(cloud.store.sharesOfServer(s).map((x) => x.status)).toEqual(['available']);
    expect(await action(client, s, { migration_cancel: null })).toMatchObject({
      status: 400,
      message: `Invalid share server: Migration of share server %s cannot be cancelled because the provided share server is not being migrated.`,
    });
  }));

test('phase 1 that fails on the destination: source active/migration_error, destination left in error, shares available', () =>
  withCloud(async ({ cloud, client, id }) => {
    const s = id('mp-sn-3');
    await client.migrationStart(s, to('node1@faulty'));
    await until(cloud, client, s, (x) => x?.taskState === 'migration_error');
    expect(await client.getShareServer(s)).toMatchObject({ status: 'active', host: 'node1@alpha' });
    expect((await client.listShareServers({ source_share_server_id: s })).map((x) => [x.status, x.taskState, x.host])).toEqual([
      ['error', 'migration_error', 'node1@faulty'],
    ]);
    expect(cloud.store.sharesOfServer(s).map((x) => x.status)).toEqual(['available']);
  }));

test('nondisruptive demanded of the dummy driver: check says compatible false; start is accepted, then fails with no destination', () =>
  withCloud(async ({ cloud, client, id }) => {
    const s = id('mp-sn-4');
    const c = await client.migrationCheck(s, to('node1@beta', { nondisruptive: true }));
    expect(c).toMatchObject({ compatible: false, supported: { nondisruptive: false, writable: true } });
    await client.migrationStart(s, to('node1@beta', { nondisruptive: true }));
    await until(cloud, client, s, (x) => x?.taskState === 'migration_error');
    expect(await client.listShareServers({ source_share_server_id: s })).toEqual([]);
  }));

test('the readonly backend: rules cast read-only for phase 1 (cast_rules_to_readonly), lifted after the switchover', () =>
  withCloud(async ({ cloud, client, id }) => {
    const s = id('mp-sn-1');
    const shareId = cloud.store.sharesOfServer(s)[0].id;
    await client.migrationStart(s, to('node1@readonly'));
    await until(cloud, client, s, (x) => x?.taskState === 'migration_driver_in_progress');
    expect((await client.listShareInstances(shareId)).map((i) => i.castRulesToReadonly)).toEqual([true]);
    await until(cloud, client, s, (x) => x?.taskState === 'migration_driver_phase1_done');
    await client.migrationComplete(s);
    await until(cloud, client, s, (x) => x === undefined, 60_000);
    expect((await client.listShareInstances(shareId)).map((i) => i.castRulesToReadonly)).toEqual([false]);
  }));

test("preconditions answer with the reference's status codes and messages", () =>
  withCloud(async ({ cloud, client, id }) => {
    const s = id('mp-sn-5');
    const body = (host: string, over: Record<string, unknown> = {}) => ({
      migration_check: { host, writable: false, nondisruptive: false, preserve_snapshots: false, new_share_network_id: null, ...over },
    });
    const unknown = '00000000-0000-0000-0000-000000000000';
    const cases: Array<[string, Promise<unknown>, Record<string, unknown>]> = [
      ['unknown server (check)', action(client, unknown, body('node1@beta')), { status: 404, message: `Share server ${unknown} could not be found.` }],
      ['unknown server (complete)', action(client, unknown, { migration_complete: null }), { status: 404 }],
      [
        'unknown server (get_progress)',
        action(client, unknown, { migration_get_progress: null }),
        { status: 400, message: `Invalid share server: A destination share server wasn't found for source share server ${unknown}.` },
      ],
      ['empty body', action(client, s, { migration_start: {} }), { status: 400, message: 'Request is missing body.' }],
      ['null body', action(client, s, { migration_start: null }), { status: 400, message: 'Request is missing body.' }],
      [
        'missing params',
        action(client, s, { migration_check: { host: 'node1@beta' } }),
        { status: 400, message: "Must specify all mandatory parameters: ['writable', 'nondisruptive', 'preserve_snapshots', 'host']" },
      ],
      [
        'non-bool',
        action(client, s, body('node1@beta', { writable: 'maybe' })),
        { status: 400, message: 'Invalid value maybe for writable. Expecting a boolean.' },
      ],
      ['string booleans pass', action(client, s, body('node1@beta', { writable: 'false', nondisruptive: 'False' })), { status: 200 }],
      [
        'pool in host',
        action(client, s, body('node1@beta#fake_pool_for_BETA')),
        { status: 400, message: 'The destination host can not contain pool information.' },
      ],
      [
        'same backend name',
        action(client, s, body('node2@alpha')),
        {
          status: 409,
          fault: 'conflictingRequest',
          message:
            'Invalid share server: There is no difference between source and destination backends and between source and destination share networks. Share server migration will not proceed.',
        },
      ],
      [
        'unknown host',
        action(client, s, body('node1@nope')),
        { status: 404, fault: 'itemNotFound', message: 'ServiceNotFound: Service node1@nope could not be found.' },
      ],
      ['host without @', action(client, s, body('node1')), { status: 500 }],
      [
        'unknown share network',
        action(client, s, body('node1@beta', { new_share_network_id: unknown })),
        { status: 400, message: `Share network ${unknown} not found.` },
      ],
      ['no experimental header', action(client, s, body('node1@beta'), { experimental: false }), { status: 404, message: 'The resource could not be found.' }],
      ['microversion 2.56', action(client, s, body('node1@beta'), { microversion: '2.56' }), { status: 404 }],
      ['microversion 2.74', action(client, s, body('node1@beta'), { microversion: '2.74' }), { status: 406 }],
      ['unknown action', action(client, s, { migration_frobnicate: null }), { status: 400, message: 'There is no such action: migration_frobnicate' }],
      [
        'complete, not migrating',
        action(client, s, { migration_complete: null }),
        { status: 400, message: `Invalid share server: Share server ${s} is not migrating` },
      ],
      [
        'progress, not migrating',
        action(client, s, { migration_get_progress: null }),
        {
          status: 400,
          message: `Invalid share server: Migration progress of share server ${s} cannot be obtained. The provided share server is not being migrated.`,
        },
      ],
    ];
    for (const [name, p, want] of cases) expect({ name, got: await p }).toMatchObject({ name, got: want });
    // A disabled or down destination service.
    cloud.setService('node1@gamma', { status: 'disabled' });
    expect(await action(client, s, body('node1@gamma'))).toMatchObject({ status: 404, message: 'ServiceNotFound: Service node1@gamma could not be found.' });
    cloud.setService('node1@gamma', { status: 'enabled', state: 'down' });
    expect(await action(client, s, body('node1@gamma'))).toMatchObject({ status: 400, message: 'Service node1@gamma is down.' });
    cloud.setService('node1@gamma', { state: 'up' });
    // Start twice: the second sees server_migrating; complete before phase 1 is done.
    await client.migrationStart(s, to('node1@beta'));
    expect(await action(client, s, { migration_start: body('node1@beta').migration_check })).toMatchObject({
      status: 409,
      message: `Invalid share server: Share server ${s} status must be active, but current status is: server_migrating.`,
    });
    expect(await action(client, s, { migration_complete: null })).toMatchObject({
      status: 400,
      message: `Invalid share server: The first phase of migration has to finish to request the completion of server ${s}'s migration.`,
    });
    await until(cloud, client, s, (x) => x?.taskState === 'migration_driver_in_progress');
    const [d] = await client.listShareServers({ source_share_server_id: s });
    // Actions on the destination's id; a destination still pointing at a source reset to active.
    expect(await action(client, d.id, { migration_complete: null })).toMatchObject({
      status: 400,
      message: `Invalid share server: Share server ${d.id} is not migrating`,
    });
    expect(await action(client, d.id, { migration_start: body('node1@alpha').migration_check })).toMatchObject({
      status: 409,
      message: `Invalid share server: Share server ${d.id} does not have shares.`,
    });
    await client.resetStatus(s, 'active');
    expect(await action(client, s, body('node1@gamma'))).toMatchObject({
      status: 409,
      message:
        'Invalid share server: There is at least one destination share server pointing to this source share server. Clean up your environment before starting a new migration.',
    });
    expect(await action(client, s, { reset_task_state: { task_state: 'migration_driver_starting' } })).toMatchObject({ status: 400 });
    expect(await action(client, s, { reset_task_state: { task_state: null } })).toMatchObject({ status: 202 });
    expect((await client.getShareServer(s)).taskState).toBeNull();
  }));

test('lists: unknown filter keys give [], share networks are cut at osapi_max_limit, the client pages past it', () =>
  withCloud(async ({ client }) => {
    expect(await client.listShareServers({ host: 'node1@alpha' })).toHaveLength(6);
    expect(
      await client.request('raw', 'GET', '/share-servers', { query: { no_such_key: 'x' } }).then((r) => (r.body as { share_servers: unknown[] }).share_servers)
    ).toEqual([]);
    const page = await client.request('raw', 'GET', '/share-networks/detail', { query: { all_tenants: '1' } });
    expect((page.body as { share_networks: unknown[] }).share_networks).toHaveLength(4);
    expect(await client.listShareNetworks()).toHaveLength(6);
    const shares = await client.request('raw', 'GET', '/shares/detail', { query: { limit: '2', offset: '1', sort_key: 'created_at', sort_dir: 'asc' } });
    expect((shares.body as { shares: Array<{ name: string }> }).shares.map((x) => x.name)).toEqual(['mp-share-2', 'mp-share-3']);
    expect(await client.listShares()).toHaveLength(6);
  }));

test('tokens expire in virtual time and a revoked token is answered 401: the client renews and goes on', () =>
  withCloud(
    async ({ cloud, client }) => {
      await client.listServices();
      expect(cloud.keystone.issued.get('admin')).toBe(1);
      await cloud.clock.sleep(25 * 60_000);
      await client.listServices();
      expect(cloud.keystone.issued.get('admin')).toBe(2);
      cloud.revokeTokens();
      await cloud.clock.sleep(1_000);
      await client.listServices();
      expect(cloud.keystone.issued.get('admin')).toBe(3);
      expect(cloud.log.client('admin')!.byOp.get('GET (unauthorized)')).toBe(1);
      // A token used after its expiry (the client itself renews before): 401 from Manila.
      const auth = await cloud.agent.request({
        origin: cloud.keystoneOrigin,
        path: '/v3/auth/tokens',
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          auth: { identity: { methods: ['password'], password: { user: { name: 'admin', domain: { name: 'Default' }, password: SIM_ADMIN_PASSWORD } } } },
        }),
      });
      await auth.body.text();
      const token = String(auth.headers['x-subject-token']);
      const get = async (): Promise<number> => {
        const r = await cloud.agent.request({ origin: cloud.manilaOrigin, path: '/v2/services', method: 'GET', headers: { 'x-auth-token': token } });
        await r.body.text();
        return r.statusCode;
      };
      expect(await get()).toBe(200);
      await cloud.clock.sleep(20 * 60_000 + 1_000);
      expect(await get()).toBe(401);
    },
    { tokenLifetimeMs: 20 * 60_000, keepRequests: true }
  ));
