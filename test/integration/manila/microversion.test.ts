/**
 * What depends on the microversion, against the release the test bed runs (Zed: 2.73; Epoxy:
 * 2.89): the client negotiates min(server max, ours), and every field the tool reads comes
 * through at that version, including the answers that changed between releases
 * (migration_get_progress early in phase 1: 400 on Zed, 200 with empty strings since 2024.1).
 */
import { ManilaApiError } from '../../../lib/errors';
import { MAX_MICROVERSION, compareMicroversions, minMicroversion } from '../../../lib/manila/microversion';
import { clientFor, resetTestbed, testbed, waitFor } from '../../helper/testbed';

jest.setTimeout(240_000);

const client = clientFor('testbed', { maxRequestRate: Infinity });
afterAll(() => client.close());

interface Facts {
  release?: string;
  manila: { max_microversion: string };
}

test('the client negotiates min(the server\'s max, ours) and reads every field it uses at that version', async () => {
  resetTestbed();
  const facts = testbed() as unknown as Facts;
  const negotiated = await client.microversion();
  expect(negotiated).toBe(minMicroversion(facts.manila.max_microversion, MAX_MICROVERSION));
   
  console.log(`release ${facts.release ?? 'zed'}: server max ${facts.manila.max_microversion}, negotiated ${negotiated}`);

  const [servers, services, pools, shares] = await Promise.all([client.listShareServers(), client.listServices({ binary: 'manila-share' }), client.listPools(), client.listShares()]);
  const s = servers.find((x) => x.shareNetworkName === 'mp-sn-1')!;
  expect(s).toMatchObject({ status: 'active', host: 'node1@alpha', taskState: null, sourceShareServerId: null });
  // 2.70+: a list of subnets (both releases are past it).
  expect(compareMicroversions(negotiated, '2.70')).toBeGreaterThanOrEqual(0);
  expect(s.shareNetworkSubnetIds.length).toBe(1);
  expect(services.map((x) => x.host).sort()).toEqual(['node1@alpha', 'node1@beta', 'node1@delta', 'node1@epsilon', 'node1@faulty', 'node1@gamma', 'node1@readonly']);
  // Every backend handles share servers but delta and epsilon (the flat fixtures' backends).
  expect(pools.filter((p) => p.dhss !== true).map((p) => p.backendHost).sort()).toEqual(['node1@delta', 'node1@epsilon']);
  expect(pools.every((p) => p.backendHost.startsWith('node1@'))).toBe(true);
  const share = shares.find((x) => x.name === 'mp-share-1')!;
  expect(share).toMatchObject({ status: 'available', protocol: 'NFS', size: 1, shareServerId: s.id });
  expect((await client.listExportLocations(share.id)).length).toBeGreaterThan(0);
  expect((await client.listShareInstances(share.id)).map((i) => i.castRulesToReadonly)).toEqual([false]);
});

test('migration_get_progress right after a start: Zed answers 400, 2024.1+ 200 with empty strings; the client gives a task state of null either way or Manila\'s error', async () => {
  const s = (await client.listShareServers()).find((x) => x.shareNetworkName === 'mp-sn-2' && x.status === 'active')!;
  await client.migrationStart(s.id, { host: 'node1@beta', writable: false, nondisruptive: false, preserveSnapshots: false, newShareNetworkId: null });
  let early: unknown;
  try {
    early = await client.migrationGetProgress(s.id);
  } catch (e) {
    early = e;
  }
  const release = (testbed() as unknown as Facts).release ?? 'zed';
  if (early instanceof ManilaApiError) {
    expect(early.status).toBe(400);
  } else {
    expect(early).toMatchObject({ totalProgress: expect.any(Number) });
    const p = early as { taskState: string | null; destinationShareServerId: string | null };
    expect(p.taskState === null || typeof p.taskState === 'string').toBe(true);
  }
   
  console.log(`release ${release}: get_progress right after start: ${early instanceof ManilaApiError ? `HTTP ${early.status}` : JSON.stringify(early)}`);
  const during = await waitFor(
    'driver in progress',
    async () => ((await client.getShareServer(s.id)).taskState === 'migration_driver_in_progress' ? client.migrationGetProgress(s.id) : undefined),
    60_000,
    500,
  );
  expect(during.taskState).toBe('migration_driver_in_progress');
  expect(during.destinationShareServerId).toMatch(/^[0-9a-f-]{36}$/);
  await waitFor('phase 1 done', async () => ((await client.getShareServer(s.id)).taskState === 'migration_driver_phase1_done' ? true : undefined), 120_000, 500);
  await client.migrationCancel(s.id);
  await waitFor('cancelled', async () => ((await client.getShareServer(s.id)).taskState === 'migration_cancelled' ? true : undefined), 120_000, 1_000);
});
