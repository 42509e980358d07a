/**
 * The client against the real Manila behind the real Keystone of the test bed: a full
 * migration, a cancel, and every error case the contract lists as reproduced live.
 */
import { ManilaApiError } from '../../../lib/errors';
import type { ManilaClient } from '../../../lib/manila/client';
import type { MigrationParams } from '../../../lib/manila/types';
import { clientFor, resetTestbed, serverOfNetwork, type TestbedFacts, waitFor } from '../../helper/testbed';

jest.setTimeout(240_000);

let tb: TestbedFacts;
let admin: ManilaClient;

const TO_BETA: MigrationParams = { host: 'node1@beta', writable: false, nondisruptive: false, preserveSnapshots: false, newShareNetworkId: null };

beforeAll(() => {
  tb = resetTestbed();
  admin = clientFor('testbed');
});
afterAll(async () => {
  await admin.close();
});

async function expectManilaError(p: Promise<unknown>, status: number, code: string, message: RegExp): Promise<ManilaApiError> {
  const err = await p.then(
    () => undefined,
    (e) => e,
  );
  expect(err).toBeInstanceOf(ManilaApiError);
  expect(err).toMatchObject({ status, code });
  expect(err.manilaMessage).toMatch(message);
  if (status !== 404 || err.fault) expect(err.requestId).toMatch(/^req-/);
  return err as ManilaApiError;
}

test('a full migration alpha -> beta: check, start, progress, phase 1 done, complete, destination active, source gone', async () => {
  // GIVEN the share server of mp-sn-1 (share with a snapshot and an access rule) on alpha
  const src = await serverOfNetwork(admin, 'mp-sn-1');
  expect(src.host).toBe('node1@alpha');
  const shareId = tb.fixtures.find((f) => f.share_network.name === 'mp-sn-1')!.share.id;

  // WHEN we check and start a migration to beta, preserving snapshots
  const params = { ...TO_BETA, preserveSnapshots: true };
  const check = await admin.migrationCheck(src.id, params);
  expect(check.compatible).toBe(true);
  expect(check.requested.host).toBe('node1@beta');
  expect(check.supported).toMatchObject({ preserveSnapshots: true, migrationCancel: true, migrationGetProgress: true, shareNetworkId: src.shareNetworkId });
  await admin.migrationStart(src.id, params);

  // THEN phase 1 runs and finishes, and progress is reported for the destination
  const seenStates = new Set<string>();
  const progress: number[] = [];
  await waitFor('phase 1 done', async () => {
    const s = await admin.getShareServer(src.id);
    if (s.taskState) seenStates.add(s.taskState);
    if (s.taskState === 'migration_driver_in_progress') {
      const p = await admin.migrationGetProgress(src.id).catch(() => undefined);
      if (p) progress.push(p.totalProgress);
    }
    return s.taskState === 'migration_driver_phase1_done' ? s : undefined;
  }, 180_000, 500);
  expect(seenStates.has('migration_driver_phase1_done')).toBe(true);
  const dests = await admin.listShareServers({ source_share_server_id: src.id, status: 'server_migrating_to' });
  expect(dests).toHaveLength(1);
  expect(dests[0].host).toBe('node1@beta');
  const atDone = await admin.migrationGetProgress(src.id);
  expect(atDone).toEqual({ totalProgress: 100, taskState: 'migration_driver_phase1_done', destinationShareServerId: dests[0].id });

  // WHEN we complete
  const destId = await admin.migrationComplete(src.id);
  expect(destId).toBe(dests[0].id);

  // THEN the destination becomes active with migration_success, keeps the lineage, and the source goes away
  const dest = await waitFor('destination active', async () => {
    const d = await admin.getShareServer(destId);
    return d.status === 'active' && d.taskState === 'migration_success' ? d : undefined;
  }, 120_000, 500);
  expect(dest.sourceShareServerId).toBe(src.id);
  expect(dest.id).not.toBe(src.id);
  await waitFor('source deleted', async () => ((await admin.findShareServer(src.id)) === undefined ? true : undefined), 120_000, 500);
  const shares = await admin.listShares({ share_server_id: destId });
  expect(shares.map((s) => s.id)).toEqual([shareId]);
  expect(shares[0].host?.startsWith('node1@beta#')).toBe(true);
  expect(shares[0].status).toBe('available');
  const rules = await waitFor('rules active', async () => {
    const r = await admin.listAccessRules(shareId);
    return r.every((x) => x.state === 'active') ? r : undefined;
  });
  expect(rules.map((r) => r.accessTo)).toEqual(['10.254.0.1']);
  const snaps = await admin.listSnapshots({ share_id: shareId });
  expect(snaps.map((s) => s.status)).toEqual(['available']);
});

test('a cancel during phase 1 returns the server to active with migration_cancelled', async () => {
  const src = await serverOfNetwork(admin, 'mp-sn-2');
  await admin.migrationStart(src.id, TO_BETA);
  // Cancel is allowed only once the driver started.
  await waitFor('driver phase', async () => {
    const s = await admin.getShareServer(src.id);
    return s.taskState === 'migration_driver_in_progress' || s.taskState === 'migration_driver_phase1_done' ? s : undefined;
  }, 180_000, 500);
  await admin.migrationCancel(src.id);
  const after = await waitFor('cancelled', async () => {
    const s = await admin.getShareServer(src.id);
    return s.taskState === 'migration_cancelled' && s.status === 'active' ? s : undefined;
  }, 120_000, 500);
  expect(after.host).toBe('node1@alpha');
  const shares = await admin.listShares({ share_server_id: src.id });
  expect(shares.every((s) => s.status === 'available')).toBe(true);
  const dests = await admin.listShareServers({ source_share_server_id: src.id });
  expect(dests.every((d) => d.taskState === 'migration_cancelled')).toBe(true);
});

describe('errors Manila gives, each with status, message and request id', () => {
  let id: string;
  beforeAll(async () => {
    id = (await serverOfNetwork(admin, 'mp-sn-3')).id;
  });

  test('unknown destination host: 404 ServiceNotFound', () => expectManilaError(admin.migrationCheck(id, { ...TO_BETA, host: 'node1@nope' }), 404, 'MP_MANILA_NOT_FOUND', /ServiceNotFound/));

  test('same host: 409 no difference', () => expectManilaError(admin.migrationCheck(id, { ...TO_BETA, host: 'node1@alpha' }), 409, 'MP_MANILA_CONFLICT', /no difference between source and destination/));

  test('host with #pool: 400', () => expectManilaError(admin.migrationCheck(id, { ...TO_BETA, host: 'node1@beta#fake_pool_for_BETA' }), 400, 'MP_MANILA_BAD_REQUEST', /pool/));

  test('unknown new share network: 400', () =>
    expectManilaError(admin.migrationCheck(id, { ...TO_BETA, newShareNetworkId: '00000000-0000-0000-0000-000000000000' }), 400, 'MP_MANILA_BAD_REQUEST', /not found/));

  test('unknown share server: 404 for check, 400 for get_progress', async () => {
    await expectManilaError(admin.migrationCheck('00000000-0000-0000-0000-000000000001', TO_BETA), 404, 'MP_MANILA_NOT_FOUND', /could not be found/);
    await expectManilaError(admin.migrationGetProgress('00000000-0000-0000-0000-000000000001'), 400, 'MP_MANILA_BAD_REQUEST', /destination share server wasn't found|not being migrated/);
  });

  test('complete, cancel and progress on a server that is not migrating: 400', async () => {
    await expectManilaError(admin.migrationComplete(id), 400, 'MP_MANILA_BAD_REQUEST', /not migrating/);
    await expectManilaError(admin.migrationCancel(id), 400, 'MP_MANILA_BAD_REQUEST', /cannot be cancelled|not being migrated/);
    await expectManilaError(admin.migrationGetProgress(id), 400, 'MP_MANILA_BAD_REQUEST', /not being migrated/);
  });

  test('missing mandatory keys, a non-boolean flag and an empty body: 400', async () => {
    const raw = (body: unknown) => admin.request('raw migration_check', 'POST', `/share-servers/${id}/action`, { body: { migration_check: body }, experimental: true, idempotent: false });
    await expectManilaError(raw({ host: 'node1@beta', new_share_network_id: null }), 400, 'MP_MANILA_BAD_REQUEST', /mandatory parameters/);
    await expectManilaError(raw({ host: 'node1@beta', writable: 'maybe', nondisruptive: false, preserve_snapshots: false, new_share_network_id: null }), 400, 'MP_MANILA_BAD_REQUEST', /Expecting a boolean/);
    await expectManilaError(raw(null), 400, 'MP_MANILA_BAD_REQUEST', /missing body/);
  });

  test('check without new_share_network_id: Manila fails with 500 (why the client always sends it)', async () => {
    const err = await admin
      .request('raw migration_check', 'POST', `/share-servers/${id}/action`, {
        body: { migration_check: { host: 'node1@beta', writable: false, nondisruptive: false, preserve_snapshots: false } },
        experimental: true,
        idempotent: false,
      })
      .catch((e) => e);
    expect(err).toMatchObject({ status: 500, code: 'MP_MANILA_SERVER_ERROR' });
  });

  test('without the experimental header the action is a bare 404; a microversion above the max is 406', async () => {
    const body = { migration_check: { host: 'node1@beta', writable: false, nondisruptive: false, preserve_snapshots: false, new_share_network_id: null } };
    const noExp = await admin.request('raw', 'POST', `/share-servers/${id}/action`, { body, experimental: false, idempotent: false }).catch((e) => e);
    expect(noExp).toMatchObject({ status: 404 });
    const tooHigh = await admin.request('raw', 'POST', `/share-servers/${id}/action`, { body, experimental: true, idempotent: false, microversion: '2.999' }).catch((e) => e);
    expect(tooHigh).toMatchObject({ status: 406, code: 'MP_MANILA_NOT_ACCEPTABLE' });
  });

  test('start twice: 409; complete before phase 1 is done: 400; cancel too early: 400', async () => {
    const src = await serverOfNetwork(admin, 'mp-sn-4');
    await admin.migrationStart(src.id, TO_BETA);
    await expectManilaError(admin.migrationStart(src.id, TO_BETA), 409, 'MP_MANILA_CONFLICT', /status must be active|destination share server pointing/);
    await expectManilaError(admin.migrationComplete(src.id), 400, 'MP_MANILA_BAD_REQUEST', /first phase of migration has to finish|not migrating|wasn't found/);
    const early = await admin.getShareServer(src.id);
    if (early.taskState === 'migration_starting' || early.taskState === 'migration_in_progress' || early.taskState === 'migration_driver_starting') {
      await expectManilaError(admin.migrationCancel(src.id), 400, 'MP_MANILA_BAD_REQUEST', /cancelled only after|wasn't found/);
    }
    // leave it clean: let phase 1 finish and cancel
    await waitFor('phase1 done', async () => ((await admin.getShareServer(src.id)).taskState === 'migration_driver_phase1_done' ? true : undefined), 180_000, 500);
    await admin.migrationCancel(src.id);
    await waitFor('cancelled', async () => ((await admin.getShareServer(src.id)).taskState === 'migration_cancelled' ? true : undefined), 120_000, 500);
  });
});
