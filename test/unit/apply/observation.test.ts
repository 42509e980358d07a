import { fleetOf, observeInFleet } from '../../../lib/apply/observation';
import type { ShareServer } from '../../../lib/manila/types';

/** What one list of share servers says of a failed migration: the destinations to remove. */

const srv = (over: Partial<ShareServer> = {}): ShareServer => ({
  id: 'S',
  projectId: 'p',
  status: 'active',
  host: 'node1@alpha',
  taskState: 'migration_error',
  sourceShareServerId: null,
  shareNetworkSubnetIds: [],
  ...over,
});

describe('observeInFleet on a failed source', () => {
  it('GIVEN its destination in error WHEN observed THEN the destination is a leftover to remove', () => {
    const fleet = fleetOf([srv(), srv({ id: 'D', status: 'error', host: 'node1@faulty', sourceShareServerId: 'S' })]);
    expect(observeInFleet(fleet, { serverId: 'S' }).leftovers).toEqual(['D']);
  });

  it('GIVEN its destination still server_migrating_to WHEN observed THEN it is a leftover too', () => {
    const fleet = fleetOf([srv(), srv({ id: 'D', status: 'server_migrating_to', taskState: 'migration_driver_in_progress', sourceShareServerId: 'S' })]);
    expect(observeInFleet(fleet, { serverId: 'S' }).leftovers).toEqual(['D']);
  });

  it('GIVEN another source in error and an active successor of an older move WHEN observed THEN neither is a leftover', () => {
    const fleet = fleetOf([srv(), srv({ id: 'X', status: 'error', sourceShareServerId: 'OTHER' }), srv({ id: 'OLD', status: 'active', taskState: null, sourceShareServerId: 'S' })]);
    expect(observeInFleet(fleet, { serverId: 'S' }).leftovers).toEqual([]);
  });
});
