import { plan } from '../../../lib/plan/plan';
import type { Declaration, PlacementDeclaration, PlanEntry } from '../../../lib/plan/types';
import { migrationParams } from '../../../lib/apply/check';
import type { SnapshotShareType } from '../../../lib/snapshot/model';
import { SnapshotBuilder } from '../../helper/snapshot-builder';
import { NO_FLAGS } from './declarations';

/** Share placements that select by share network and metadata, and retype with newShareType. */

const DELTA = 'node1@delta#fake_pool_for_DELTA';
const EPSILON = 'node1@epsilon#fake_pool_for_EPSILON';

function place(select: PlacementDeclaration['select'], o: { newShareType?: string; pool?: string } = {}): Declaration {
  return {
    kind: 'placement',
    resource: 'share',
    path: 'app/move',
    select,
    host: o.pool ?? EPSILON,
    flags: NO_FLAGS,
    ...(o.newShareType !== undefined ? { newShareType: o.newShareType } : {}),
    completion: 'auto',
  };
}

/**
 * fs-1 (gold, net-a), fs-2 (gold, net-b), fs-3 (silver, net-a), all of type flat on delta;
 * types flat, flat-big (min 5 GiB), dhss-type (True), zoned (zone-x only), flat-2.
 */
function cloud(types: SnapshotShareType[] = []): SnapshotBuilder {
  const b = new SnapshotBuilder()
    .host('node1@delta', { dhss: false })
    .host('node1@epsilon', { dhss: false })
    .network('net-a')
    .flatShare('fs-1', DELTA, { metadata: { tier: 'gold', app: 'web' }, shareNetworkId: 'net-a', shareTypeId: 'flat' })
    .flatShare('fs-2', DELTA, { metadata: { tier: 'gold' }, shareNetworkId: 'net-b', shareTypeId: 'flat' })
    .flatShare('fs-3', DELTA, { metadata: { tier: 'silver' }, shareNetworkId: 'net-a', shareTypeId: 'flat' });
  b.shareType('flat');
  const snap = b as unknown as { types: SnapshotShareType[] };
  snap.types.push(
    { id: 'flat-big', name: 'flat-big', dhss: false, minSizeGb: 5 },
    { id: 'dhss-type', name: 'dhss-type', dhss: true },
    { id: 'zoned', name: 'zoned', dhss: false, availabilityZones: 'zone-x' },
    { id: 'flat-2', name: 'flat-2', dhss: false },
    ...types,
  );
  return b;
}

const moved = (entries: readonly PlanEntry[]): string[] => entries.filter((e) => e.action === 'migrate').map((e) => (e as { server: { id: string } }).server.id);
const codes = (entries: readonly PlanEntry[]): string[] => entries.flatMap((e) => (e.action === 'blocked' ? e.reasons.map((r) => r.code) : []));

describe('SharePlacement selectors', () => {
  it('GIVEN metadata tier=gold WHEN planning THEN exactly the gold shares move', () => {
    expect(moved(plan([place({ metadata: { tier: 'gold' } })], cloud().build()).entries)).toEqual(['fs-1', 'fs-2']);
  });

  it('GIVEN metadata with two keys WHEN planning THEN a share must have both to be selected', () => {
    expect(moved(plan([place({ metadata: { tier: 'gold', app: 'web' } })], cloud().build()).entries)).toEqual(['fs-1']);
  });

  it('GIVEN a share network by name or by id WHEN planning THEN the shares created on it move', () => {
    expect(moved(plan([place({ shareNetwork: 'a' })], cloud().build()).entries)).toEqual(['fs-1', 'fs-3']);
    expect(moved(plan([place({ shareNetwork: 'net-b' })], cloud().build()).entries)).toEqual(['fs-2']);
  });

  it('GIVEN a share network and metadata WHEN planning THEN they narrow each other, and a named share adds to them', () => {
    expect(moved(plan([place({ shareNetwork: 'net-a', metadata: { tier: 'gold' } })], cloud().build()).entries)).toEqual(['fs-1']);
    expect(moved(plan([place({ shares: ['fs-2'], shareNetwork: 'net-a', metadata: { tier: 'gold' } })], cloud().build()).entries)).toEqual(['fs-1', 'fs-2']);
  });

  it('GIVEN metadata no share has WHEN planning THEN an unmatched entry names the metadata', () => {
    const p = plan([place({ metadata: { tier: 'bronze' } })], cloud().build());
    expect(p.entries).toEqual([expect.objectContaining({ action: 'unmatched', message: 'no share without a share server has the metadata tier=bronze' })]);
  });
});

describe('SharePlacement newShareType', () => {
  it('GIVEN newShareType by name WHEN planning THEN each move carries its id, and the start sends it as new_share_type_id', () => {
    const p = plan([place({ shares: ['fs-1'] }, { newShareType: 'flat-2' })], cloud().build());
    const e = p.entries[0];
    expect(e).toMatchObject({ action: 'migrate', newShareTypeId: 'flat-2', to: EPSILON });
    expect(migrationParams(e as Extract<PlanEntry, { action: 'migrate' }>)).toMatchObject({ host: EPSILON, newShareTypeId: 'flat-2', newShareNetworkId: null });
  });

  it('GIVEN no newShareType WHEN planning THEN the move has no newShareTypeId (the plan file is as before)', () => {
    const e = plan([place({ shares: ['fs-1'] })], cloud().build()).entries[0];
    expect(e.action).toBe('migrate');
    expect('newShareTypeId' in e).toBe(false);
  });

  it('GIVEN a share already on the pool with another type WHEN retyping THEN blocked (RETYPE_IN_PLACE, the runner would read it as done); with that type THEN it is in sync', () => {
    const b = cloud();
    b.flatShare('fs-9', EPSILON, { shareTypeId: 'flat' });
    expect(plan([place({ shares: ['fs-9'] }, { newShareType: 'flat-2' })], b.build()).entries[0]).toMatchObject({ action: 'blocked', reasons: [{ code: 'RETYPE_IN_PLACE' }] });
    expect(plan([place({ shares: ['fs-9'] }, { newShareType: 'flat' })], b.build()).entries[0]).toMatchObject({ action: 'in-sync' });
  });

  it('GIVEN a type not in the snapshot, one with share servers, one too big for the share, or one barred from the zone WHEN planning THEN blocked with the reason, before anything moves', () => {
    const one = (t: string): string[] => codes(plan([place({ shares: ['fs-1'] }, { newShareType: t })], cloud().build()).entries);
    expect(one('nope')).toContain('NEW_SHARE_TYPE_UNKNOWN');
    expect(one('dhss-type')).toEqual(expect.arrayContaining(['NEW_SHARE_TYPE_DHSS', 'DEST_DHSS_MISMATCH']));
    expect(one('flat-big')).toEqual(['NEW_SHARE_TYPE_SIZE']);
    expect(one('zoned')).toEqual(['TYPE_ZONE_MISMATCH']);
  });
});
