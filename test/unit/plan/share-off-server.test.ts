import { analysePlan, plan } from '../../../lib/plan/plan';
import type { Declaration, MigrateEntry, PlacementDeclaration, PlanEntry } from '../../../lib/plan/types';
import { share, SnapshotBuilder } from '../../helper/snapshot-builder';
import { NO_FLAGS } from './declarations';

/**
 * A share that a share server holds, moved by itself with share migration (SharePlacement by
 * name or id): it leaves its server for a pool of another backend with share servers, and
 * Manila builds (or reuses) a server for its share network there.
 */

const ALPHA = 'node1@alpha#fake_pool_for_ALPHA';
const BETA = 'node1@beta#fake_pool_for_BETA';
const DELTA = 'node1@delta#fake_pool_for_DELTA';

function place(shares: string[], pool = BETA, path = 'app/move'): PlacementDeclaration {
  return { kind: 'placement', resource: 'share', path, select: { shares }, host: pool, flags: NO_FLAGS, completion: 'auto' };
}

/** srv-1 on alpha holds sh-1 and sh-2 (pools recorded), on net-a; beta has share servers, delta has none. */
function cloud(o: { status?: string; taskState?: string | null; zones?: boolean } = {}): SnapshotBuilder {
  return new SnapshotBuilder()
    .host('node1@alpha')
    .host('node1@beta', o.zones ? { zone: 'zone-b' } : {})
    .host('node1@delta', { dhss: false })
    .network('net-a', o.zones ? { subnets: [{ id: 'sub-a', availabilityZone: 'nova' }] } : {})
    .server('srv-1', { network: 'net-a', status: o.status, taskState: o.taskState, shares: [share('sh-1', { host: ALPHA, size: 3 }), share('sh-2', { host: ALPHA })] })
    .server('srv-2', { network: 'net-a', shares: [share('sh-3', { host: ALPHA })] });
}

const entriesOf = (decls: Declaration[], b: SnapshotBuilder) => plan(decls, b.build()).entries;
const serverOf = (e: PlanEntry) => ('server' in e ? e.server : undefined);

describe('a share on a share server, placed by itself', () => {
  it('GIVEN a share named on a share server WHEN planned to a pool with share servers THEN one share migration from its pool, keeping its network', () => {
    const [e] = entriesOf([place(['sh-1'])], cloud());
    expect(e).toMatchObject({ action: 'migrate', from: ALPHA, to: BETA, newShareNetworkId: null });
    const m = e as MigrateEntry;
    expect(m.server).toMatchObject({ resource: 'share', id: 'sh-1', shareNetworkId: 'net-a', shareIds: ['sh-1'] });
  });

  it('GIVEN the share already on that pool WHEN planned THEN in sync', () => {
    expect(entriesOf([place(['sh-1'], ALPHA)], cloud())).toEqual([expect.objectContaining({ action: 'in-sync', host: ALPHA })]);
  });

  it('GIVEN a pool without share servers WHEN planned THEN blocked with DEST_DHSS_MISMATCH', () => {
    const [e] = entriesOf([place(['sh-1'], DELTA)], cloud());
    expect(e).toMatchObject({ action: 'blocked', reasons: [expect.objectContaining({ code: 'DEST_DHSS_MISMATCH' })] });
  });

  it('GIVEN its share server in a migration WHEN planned THEN blocked with SHARE_SERVER_BUSY naming the server', () => {
    const [e] = entriesOf([place(['sh-1'])], cloud({ status: 'server_migrating', taskState: 'migration_driver_in_progress' }));
    expect(e).toMatchObject({ action: 'blocked', reasons: [expect.objectContaining({ code: 'SHARE_SERVER_BUSY', message: expect.stringContaining('share server srv-1') })] });
  });

  it('GIVEN its share network without a subnet in the destination zone WHEN planned THEN blocked with NO_SUBNET_IN_DEST_AZ', () => {
    const [e] = entriesOf([place(['sh-1'])], cloud({ zones: true }));
    expect(e).toMatchObject({ action: 'blocked', reasons: [expect.objectContaining({ code: 'NO_SUBNET_IN_DEST_AZ' })] });
  });

  it('GIVEN a share type selector WHEN planned THEN shares on share servers are not selected by it (only by name or id)', () => {
    const b = cloud().flatShare('fs-1', DELTA, { shareTypeId: 't' });
    b.shareType('t');
    const d: PlacementDeclaration = { ...place([]), select: { shareType: 't' }, host: 'node1@delta#fake_pool_for_DELTA' };
    expect(entriesOf([d], b).map((e) => [e.action, serverOf(e)?.id])).toEqual([['in-sync', 'fs-1']]);
  });

  it('GIVEN a ShareServerPlacement of its server beside it WHEN planned THEN MP_DECLARATION_CONFLICT naming both declarations', () => {
    const server: Declaration = { kind: 'placement', path: 'app/server', select: { shareServerId: 'srv-1' }, host: 'node1@beta', flags: NO_FLAGS, completion: 'auto' };
    const a = analysePlan([place(['sh-1']), server], cloud().build());
    expect(a.problems).toEqual([
      expect.objectContaining({ code: 'MP_DECLARATION_CONFLICT', paths: ['app/move', 'app/server'], message: expect.stringContaining('moves share sh-1 off share server srv-1 (node1@alpha)') }),
    ]);
  });

  it('GIVEN an evacuation of its server host WHEN planned THEN MP_DECLARATION_CONFLICT as well', () => {
    const evac: Declaration = { kind: 'evacuation', path: 'app/drain', sourceHost: 'node1@alpha', targets: ['node1@beta'], flags: NO_FLAGS, completion: 'auto' };
    const codes = analysePlan([place(['sh-1']), evac], cloud().build()).problems.map((p) => [p.code, p.paths]);
    expect(codes).toContainEqual(['MP_DECLARATION_CONFLICT', ['app/move', 'app/drain']]);
  });

  it('GIVEN a ShareServerPlacement of another server WHEN planned THEN no problem, and both moves are planned', () => {
    const server: Declaration = { kind: 'placement', path: 'app/server', select: { shareServerId: 'srv-2' }, host: 'node1@beta', flags: NO_FLAGS, completion: 'auto' };
    const a = analysePlan([place(['sh-1']), server], cloud().build());
    expect(a.problems).toEqual([]);
    expect(a.plan?.entries.map((e) => [e.action, serverOf(e)?.resource ?? 'share-server', serverOf(e)?.id])).toEqual([
      ['migrate', 'share', 'sh-1'],
      ['migrate', 'share-server', 'srv-2'],
    ]);
  });

  it('GIVEN a snapshot that does not record the pool of a share on a share server WHEN planned THEN unmatched, saying to refresh', () => {
    const b = new SnapshotBuilder().host('node1@alpha').host('node1@beta').server('srv-1');
    const [e] = entriesOf([place(['share-of-srv-1'])], b);
    expect(e).toMatchObject({ action: 'unmatched', message: expect.stringContaining('run manila-placement refresh') });
  });
});
