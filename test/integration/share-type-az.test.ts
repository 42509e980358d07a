/**
 * A share type's `availability_zones` extra spec against the real Manila: refresh records it,
 * the plan blocks a move to a host outside those zones with SHARE_TYPE_AZ, and Manila's own
 * `migration_check` refuses the same move (409), so the plan predicts Manila, not a guess.
 */
import { ManilaApiError } from '../../lib/errors';
import type { ManilaClient } from '../../lib/manila/client';
import { plan } from '../../lib/plan/plan';
import { takeSnapshot } from '../../lib/snapshot/refresh';
import { clientFor, resetTestbed, serverOfNetwork, type TestbedFacts } from '../helper/testbed';
import { placement } from '../unit/plan/declarations';

jest.setTimeout(300_000);

const ELSEWHERE = 'mp-zone-elsewhere';
let client: ManilaClient;
let facts: TestbedFacts;

const typeId = (): string => facts.share_type.id;
const setZones = (zones: string): Promise<unknown> =>
  client.request('set availability_zones', 'POST', `/types/${typeId()}/extra_specs`, { body: { extra_specs: { availability_zones: zones } } });
const unsetZones = (): Promise<unknown> =>
  client.request('unset availability_zones', 'DELETE', `/types/${typeId()}/extra_specs/availability_zones`, { expect: [202, 200, 404] });

beforeAll(() => {
  facts = resetTestbed();
  client = clientFor('testbed');
});
afterAll(async () => {
  await unsetZones();
  await client.close();
});

test('a share type limited to another zone: refresh records it, the plan blocks the move with SHARE_TYPE_AZ, and migration_check refuses it too', async () => {
  // GIVEN the fixture share type, recorded without a zone limit
  const before = await takeSnapshot(client);
  // (the flat fixtures' type mp-flat is recorded too; only the DHSS type matters here)
  expect(before.shareTypes?.filter((t) => t.id === typeId())).toEqual([{ id: typeId(), name: facts.share_type.name, dhss: true }]);
  // A retype target for flat shares: driver_handles_share_servers read from the real extra spec.
  expect(before.shareTypes?.find((t) => t.name === 'mp-flat')).toMatchObject({ dhss: false });
  const zone = before.services.find((s) => s.host === 'node1@beta')?.zone;
  // Manila's default storage_availability_zone: the test bed sets none (test/fixtures/snapshots/testbed-recorded.json records it).
  expect(zone).toBe('nova');
  const decl = placement('test/az', { shareNetwork: 'mp-sn-6' }, 'node1@beta');
  expect(plan([decl], before).entries[0]).toMatchObject({ action: 'migrate', to: 'node1@beta' });

  // WHEN the type is limited to a zone no backend is in
  await setZones(ELSEWHERE);
  const after = await takeSnapshot(client);

  // THEN the snapshot carries the spec and the plan blocks the move, naming type, zones and host
  expect(after.shareTypes?.filter((t) => t.id === typeId())).toEqual([{ id: typeId(), name: facts.share_type.name, availabilityZones: ELSEWHERE, dhss: true }]);
  const [entry] = plan([decl], after).entries;
  expect(entry).toMatchObject({ action: 'blocked', reasons: [{ code: 'SHARE_TYPE_AZ' }] });
  expect(entry.action === 'blocked' ? entry.reasons[0].message : '').toBe(
    `share type ${facts.share_type.name} of a share on this server is limited to availability zones "${ELSEWHERE}", and node1@beta is in zone ${zone}`,
  );

  // AND Manila agrees: its check refuses the same move with 409 and the zone in its message
  const server = await serverOfNetwork(client, 'mp-sn-6');
  const err = await client
    .migrationCheck(server.id, { host: 'node1@beta', writable: false, nondisruptive: false, preserveSnapshots: false, newShareNetworkId: null })
    .then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(ManilaApiError);
  expect(err).toMatchObject({ status: 409 });
  expect((err as ManilaApiError).manilaMessage).toContain(`not supported within the availability zone (${zone})`);

  // AND with the limit gone, the move plans again
  await unsetZones();
  expect(plan([decl], await takeSnapshot(client)).entries[0]).toMatchObject({ action: 'migrate' });
});
