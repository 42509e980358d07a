/**
 * Every list is complete: the test bed's manila-api caps lists at osapi_max_limit = 4 (share
 * networks always, snapshots when a limit is sent), below the number of share networks, shares
 * and snapshots here. Planning and applying read every page.
 */
import { applyPlan } from '../../../lib/apply/runner';
import { plan } from '../../../lib/plan/plan';
import { takeSnapshot } from '../../../lib/snapshot/refresh';
import { clientFor, resetTestbed, serverOfNetwork, testbed } from '../../helper/testbed';

jest.setTimeout(300_000);

// Pages of 5: bigger than the server's cap (4), so the pager must notice the cap itself; and
// smaller than the six shares, which Zed does not cap.
const client = clientFor('testbed', { pageSize: 5, maxRequestRate: Infinity });
afterAll(() => client.close());

test('with osapi_max_limit below the number of share networks, shares and snapshots, refresh sees them all and a move on a later page applies', async () => {
  resetTestbed();
  expect(testbed().osapi_max_limit).toBe(4);
  // More snapshots than one page: five scratch snapshots on mp-share-2 (reset removes them).
  const share2 = testbed().fixtures[1].share.id;
  for (let i = 0; i < 5; i++) {
    await client.request('create snapshot', 'POST', '/snapshots', { body: { snapshot: { share_id: share2, name: `mp-tmp-snap-${i}`, force: false } }, expect: [202] });
  }
  for (;;) {
    const snaps = await client.listSnapshots({ share_id: share2 });
    if (snaps.length === 5 && snaps.every((s) => s.status === 'available')) break;
    await new Promise((r) => setTimeout(r, 1_000));
  }
  // The cap is live: one unpaged request returns 4 of the 6 share networks.
  const capped = await client.request('list share networks', 'GET', '/share-networks/detail', { query: { all_tenants: '1' } });
  expect((capped.body as { share_networks: unknown[] }).share_networks).toHaveLength(4);

  const snap = await takeSnapshot(client);
  const fixtures = testbed().fixtures;
  expect(snap.shareNetworks.map((n) => n.name).filter((n) => n?.startsWith('mp-sn-')).sort()).toEqual(fixtures.map((f) => f.share_network.name).sort());
  const shares = snap.shareServers.flatMap((s) => s.shares);
  expect(shares.map((s) => s.id).sort()).toEqual(expect.arrayContaining(fixtures.map((f) => f.share.id).sort()));
  expect(shares.flatMap((s) => s.snapshots)).toHaveLength(6);

  // The share networks a single page would miss are planned and moved.
  const seen = (capped.body as { share_networks: Array<{ name: string }> }).share_networks.map((n) => n.name);
  const missed = fixtures.map((f) => f.share_network.name).filter((n) => !seen.includes(n));
  expect(missed.length).toBeGreaterThan(0);
  const net = missed[0];
  const p = plan([{ kind: 'placement', path: `paging/${net}`, select: { shareNetwork: net }, host: 'node1@beta', flags: { writable: false, nondisruptive: false, preserveSnapshots: true }, completion: 'auto' }], snap);
  expect(p.entries.map((e) => e.action)).toEqual(['migrate']);
  const r = await applyPlan(p, client, { pollIntervalMs: 1_000 });
  expect(r.results[0].phase).toBe('done');
  expect((await serverOfNetwork(client, net)).host).toBe('node1@beta');
});
