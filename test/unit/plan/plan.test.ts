import { plan } from '../../../lib/plan/plan';
import { serializePlan } from '../../../lib/plan/file';
import { BLOCKED_CODES } from '../../../lib/plan/blockers';
import { isSafeKey } from '../../../lib/plan/key';
import { InputError } from '../../../lib/errors';
import type { CloudSnapshot } from '../../../lib/snapshot/model';
import type { Declaration, PlanEntry } from '../../../lib/plan/types';
import { SnapshotBuilder, share, testbed } from '../../helper/snapshot-builder';
import { evacuation, placement } from './declarations';

/** The parts of an entry a case checks. */
function brief(e: PlanEntry): Record<string, unknown> {
  switch (e.action) {
    case 'in-sync':
      return { action: e.action, server: e.server.id, to: e.host };
    case 'migrate':
    case 'resume':
      return { action: e.action, server: e.server.id, from: e.from, to: e.to };
    case 'conflict':
      return { action: e.action, server: e.server.id, to: e.to, migratingTo: e.migratingTo };
    case 'blocked':
      return { action: e.action, server: e.server.id, to: e.to, codes: e.reasons.map((r) => r.code) };
    case 'unmatched':
      return { action: e.action };
  }
}

const toBeta = (select: Parameters<typeof placement>[1], o: Parameters<typeof placement>[3] = {}): Declaration[] => [placement('app/p', select, 'node1@beta', o)];
const sn1 = { shareNetwork: 'mp-sn-1' };
const one = (): SnapshotBuilder => testbed({ servers: 1 });
/** Two DHSS=False hosts (one pool each, 900 GiB free) and shares fs-1, fs-2 on node1@delta's pool. */
const flat = (o: { size?: number } = {}): SnapshotBuilder =>
  new SnapshotBuilder()
    .host('node1@delta', { dhss: false })
    .host('node1@epsilon', { dhss: false })
    .flatShare('fs-1', 'node1@delta#fake_pool_for_DELTA', { size: o.size ?? 1 })
    .flatShare('fs-2', 'node1@delta#fake_pool_for_DELTA', { size: o.size ?? 1 });

interface Case {
  readonly name: string;
  readonly snapshot: () => CloudSnapshot;
  readonly decls: Declaration[];
  readonly expected: Array<Record<string, unknown>>;
}

const cases: Case[] = [
  // Entry kinds
  { name: 'GIVEN the server on the declared host WHEN planning THEN in-sync', snapshot: () => new SnapshotBuilder().host('node1@beta').network('net-mp-sn-1', { name: 'mp-sn-1' }).server('srv-1', { host: 'node1@beta', network: 'mp-sn-1' }).build(), decls: toBeta(sn1), expected: [{ action: 'in-sync', server: 'srv-1', to: 'node1@beta' }] },
  { name: 'GIVEN the server elsewhere WHEN planning THEN migrate', snapshot: () => one().build(), decls: toBeta(sn1), expected: [{ action: 'migrate', server: 'srv-1', from: 'node1@alpha', to: 'node1@beta' }] },
  {
    name: 'GIVEN the source migrating and a destination on the declared host WHEN planning THEN resume',
    snapshot: () => withServers(one(), [['srv-1', { status: 'server_migrating', taskState: 'migration_driver_in_progress' }], ['srv-1b', { host: 'node1@beta', status: 'server_migrating_to', taskState: 'migration_driver_in_progress', source: 'srv-1', shares: [] }]]),
    decls: toBeta(sn1),
    expected: [{ action: 'resume', server: 'srv-1', from: 'node1@alpha', to: 'node1@beta' }],
  },
  {
    name: 'GIVEN only the destination left, on the declared host with a task in flight WHEN planning THEN resume',
    snapshot: () => withServers(one(), [['srv-1', { host: 'node1@beta', taskState: 'migration_completing', source: 'srv-0' }]]),
    decls: toBeta(sn1),
    expected: [{ action: 'resume', server: 'srv-1', from: 'node1@beta', to: 'node1@beta' }],
  },
  {
    name: 'GIVEN only a server_migrating_to destination on the declared host WHEN planning THEN resume',
    snapshot: () => withServers(one(), [['srv-1b', { host: 'node1@beta', status: 'server_migrating_to', taskState: 'migration_completing', source: 'srv-1' }]], ['srv-1']),
    decls: toBeta(sn1),
    expected: [{ action: 'resume', server: 'srv-1b', from: 'node1@beta', to: 'node1@beta' }],
  },
  {
    name: 'GIVEN the server migrating to another host WHEN planning THEN conflict naming that host',
    snapshot: () => withServers(one(), [['srv-1', { status: 'server_migrating', taskState: 'migration_driver_in_progress' }], ['srv-1g', { host: 'node1@gamma', status: 'server_migrating_to', taskState: 'migration_driver_in_progress', source: 'srv-1', shares: [] }]]),
    decls: toBeta(sn1),
    expected: [{ action: 'conflict', server: 'srv-1', to: 'node1@beta', migratingTo: 'node1@gamma' }],
  },
  {
    name: 'GIVEN the server migrating with no destination record yet WHEN planning THEN conflict with unknown destination',
    snapshot: () => withServers(one(), [['srv-1', { status: 'server_migrating', taskState: 'migration_starting' }]]),
    decls: toBeta(sn1),
    expected: [{ action: 'conflict', server: 'srv-1', to: 'node1@beta', migratingTo: undefined }],
  },
  {
    name: 'GIVEN a cancel in progress toward the declared host WHEN planning THEN conflict',
    snapshot: () => withServers(one(), [['srv-1', { status: 'server_migrating', taskState: 'migration_cancel_in_progress' }], ['srv-1b', { host: 'node1@beta', status: 'server_migrating_to', taskState: 'migration_driver_in_progress', source: 'srv-1', shares: [] }]]),
    decls: toBeta(sn1),
    expected: [{ action: 'conflict', server: 'srv-1', to: 'node1@beta', migratingTo: 'node1@beta' }],
  },
  { name: 'GIVEN an unknown share network WHEN planning THEN unmatched', snapshot: () => one().build(), decls: toBeta({ shareNetwork: 'mp-sn-9' }), expected: [{ action: 'unmatched' }] },
  { name: 'GIVEN an unknown share server id WHEN planning THEN unmatched', snapshot: () => one().build(), decls: toBeta({ shareServerId: 'nope' }), expected: [{ action: 'unmatched' }] },
  { name: 'GIVEN a share name held by no server WHEN planning THEN unmatched', snapshot: () => one().build(), decls: toBeta({ shares: ['mp-share-9'] }), expected: [{ action: 'unmatched' }] },
  {
    name: 'GIVEN some shares found and one missing WHEN planning THEN the found server moves and an unmatched entry names the missing one',
    snapshot: () => testbed({ servers: 2 }).build(),
    decls: toBeta({ shares: ['mp-share-1', 'share-2', 'ghost'] }),
    expected: [
      { action: 'migrate', server: 'srv-1', from: 'node1@alpha', to: 'node1@beta' },
      { action: 'migrate', server: 'srv-2', from: 'node1@alpha', to: 'node1@beta' },
      { action: 'unmatched' },
    ],
  },
  {
    name: 'GIVEN a share network name used in two projects WHEN selected without project THEN unmatched (ambiguous)',
    snapshot: () => one().network('net-other', { name: 'mp-sn-1', projectId: 'other' }).server('srv-o', { network: 'net-other', projectId: 'other' }).build(),
    decls: toBeta(sn1),
    expected: [{ action: 'unmatched' }],
  },
  {
    name: 'GIVEN a share network name used in two projects WHEN selected with project THEN only that project\'s server',
    snapshot: () => one().network('net-other', { name: 'mp-sn-1', projectId: 'other' }).server('srv-o', { network: 'net-other', projectId: 'other' }).build(),
    decls: toBeta({ shareNetwork: 'mp-sn-1', project: 'other' }),
    expected: [{ action: 'migrate', server: 'srv-o', from: 'node1@alpha', to: 'node1@beta' }],
  },
  {
    name: 'GIVEN a share network given by id WHEN planning THEN its servers are selected',
    snapshot: () => testbed({ servers: 2 }).build(),
    decls: toBeta({ shareNetwork: 'net-mp-sn-2' }),
    expected: [{ action: 'migrate', server: 'srv-2', from: 'node1@alpha', to: 'node1@beta' }],
  },
  {
    name: 'GIVEN a share name that two shares carry WHEN selected THEN unmatched (ambiguous)',
    snapshot: () => testbed({ servers: 0 }).server('srv-1', { network: 'mp-sn-1', shares: [share('a', { name: 'data' })] }).server('srv-2', { network: 'mp-sn-2', shares: [share('b', { name: 'data' })] }).build(),
    decls: toBeta({ shares: ['data'] }),
    expected: [{ action: 'unmatched' }],
  },
  // Lineage
  {
    name: 'GIVEN a server declared by id that has since migrated (source deleted) WHEN planning THEN in-sync, not an error',
    snapshot: () => withServers(one(), [['srv-1b', { host: 'node1@beta', taskState: 'migration_success', source: 'srv-1' }]], ['srv-1']),
    decls: toBeta({ shareServerId: 'srv-1' }),
    expected: [{ action: 'in-sync', server: 'srv-1b', to: 'node1@beta' }],
  },
  {
    name: 'GIVEN a server declared by id whose old record is still inactive after success WHEN planning THEN in-sync on the new record',
    snapshot: () => withServers(one(), [['srv-1', { status: 'inactive', taskState: 'migration_success', shares: [] }], ['srv-1b', { host: 'node1@beta', taskState: 'migration_success', source: 'srv-1' }]]),
    decls: toBeta({ shareServerId: 'srv-1' }),
    expected: [{ action: 'in-sync', server: 'srv-1b', to: 'node1@beta' }],
  },
  {
    name: 'GIVEN a server migrated twice WHEN declared by its first id THEN it is followed to the newest record',
    snapshot: () => withServers(one(), [['srv-1b', { host: 'node1@gamma', status: 'deleting', taskState: 'migration_success', source: 'srv-1', shares: [] }], ['srv-1c', { host: 'node1@beta', taskState: 'migration_success', source: 'srv-1b' }]], ['srv-1']),
    decls: toBeta({ shareServerId: 'srv-1' }),
    expected: [{ action: 'in-sync', server: 'srv-1c', to: 'node1@beta' }],
  },
  {
    name: 'GIVEN a cancelled migration (Manila keeps the mark on the source) WHEN planning THEN blocked: a new plan does not undo a cancel',
    snapshot: () => withServers(one(), [['srv-1', { taskState: 'migration_cancelled' }], ['srv-1x', { host: 'node1@beta', status: 'inactive', taskState: 'migration_cancelled', source: 'srv-1', shares: [] }]]),
    decls: toBeta(sn1),
    expected: [{ action: 'blocked', server: 'srv-1', to: 'node1@beta', codes: ['LAST_MIGRATION_CANCELLED'] }],
  },
  {
    name: 'GIVEN a cancelled destination left on the target and the mark cleared WHEN planning THEN it is ignored and the source migrates',
    snapshot: () => withServers(one(), [['srv-1', { taskState: null }], ['srv-1x', { host: 'node1@beta', status: 'inactive', taskState: 'migration_cancelled', source: 'srv-1', shares: [] }]]),
    decls: toBeta(sn1),
    expected: [{ action: 'migrate', server: 'srv-1', from: 'node1@alpha', to: 'node1@beta' }],
  },
  {
    name: 'GIVEN a failed migration WHEN planning THEN blocked until the mark is cleared: a schedule does not retry a failing driver',
    snapshot: () => withServers(one(), [['srv-1', { taskState: 'migration_error' }], ['srv-1x', { host: 'node1@beta', status: 'error', taskState: 'migration_error', source: 'srv-1', shares: [] }]]),
    decls: toBeta({ shareServerId: 'srv-1' }),
    expected: [{ action: 'blocked', server: 'srv-1', to: 'node1@beta', codes: ['LAST_MIGRATION_FAILED'] }],
  },
  {
    name: 'GIVEN a failed destination left in error and the mark cleared WHEN planning THEN it is ignored and the source migrates again',
    snapshot: () => withServers(one(), [['srv-1', { taskState: null }], ['srv-1x', { host: 'node1@beta', status: 'error', taskState: 'migration_error', source: 'srv-1', shares: [] }]]),
    decls: toBeta({ shareServerId: 'srv-1' }),
    expected: [{ action: 'migrate', server: 'srv-1', from: 'node1@alpha', to: 'node1@beta' }],
  },
  {
    name: 'GIVEN a share network change on the same backend WHEN planning THEN migrate with the new network',
    snapshot: () => one().host('node2@alpha').build(),
    decls: [placement('app/p', sn1, 'node2@alpha', { newShareNetwork: 'mp-sn-2' })],
    expected: [{ action: 'migrate', server: 'srv-1', from: 'node1@alpha', to: 'node2@alpha' }],
  },
  {
    name: 'GIVEN the server already on the host and the new network WHEN planning THEN in-sync',
    snapshot: () => new SnapshotBuilder().host('node1@beta').network('net-mp-sn-2', { name: 'mp-sn-2' }).server('srv-1', { host: 'node1@beta', network: 'mp-sn-2' }).build(),
    decls: toBeta({ shareServerId: 'srv-1' }, { newShareNetwork: 'mp-sn-2' }),
    expected: [{ action: 'in-sync', server: 'srv-1', to: 'node1@beta' }],
  },
  // Blocked reasons, one code each
  ...blockedCase('SERVER_NOT_ACTIVE', () => withServers(one(), [['srv-1', { status: 'error' }]])),
  ...blockedCase('NO_SHARES', () => withServers(one(), [['srv-1', { shares: [] }]])),
  ...blockedCase('SAME_BACKEND', () => one().host('node2@alpha').build(), 'node2@alpha'),
  ...blockedCase('DEST_UNKNOWN', () => one().build(), 'node9@delta'),
  ...blockedCase('DEST_DISABLED', () => testbed({ servers: 1, hosts: { 'node1@beta': { status: 'disabled' } } }).build()),
  ...blockedCase('DEST_DOWN', () => testbed({ servers: 1, hosts: { 'node1@beta': { state: 'down' } } }).build()),
  ...blockedCase('DEST_NOT_DHSS', () => testbed({ servers: 1, hosts: { 'node1@beta': { dhss: false } } }).build()),
  ...blockedCase('SHARE_NOT_AVAILABLE', () => withShare({ status: 'error' })),
  ...blockedCase('SHARE_SOFT_DELETED', () => withShare({ isSoftDeleted: true })),
  ...blockedCase('SHARE_HAS_REPLICAS', () => withShare({ hasReplicas: true })),
  ...blockedCase('SHARE_IN_GROUP', () => withShare({ shareGroupId: 'sg-1' })),
  ...blockedCase('SNAPSHOT_NOT_AVAILABLE', () => withShare({ snapshots: [{ id: 'snap-1', status: 'creating' }] })),
  ...blockedCase('SHARE_BUSY', () => withShare({ taskState: 'data_copying_in_progress' })),
  ...blockedCase('LAST_MIGRATION_CANCELLED', () => withServers(one(), [['srv-1', { taskState: 'migration_cancelled' }]])),
  ...blockedCase('LAST_MIGRATION_FAILED', () => withServers(one(), [['srv-1', { taskState: 'migration_error' }]])),
  ...blockedCase('ACCESS_RULES_ERROR', () => withShare({ accessRulesStatus: 'error' })),
  ...blockedCase('SHARE_NETWORK_UNKNOWN', () => one().build(), 'node1@beta', 'no-such-net'),
  ...blockedCase('SHARE_NETWORK_NOT_ACTIVE', () => one().network('net-x', { name: 'x', status: 'network_change' }).build(), 'node1@beta', 'x'),
  ...blockedCase('SHARE_NETWORK_NOT_ACTIVE', () => new SnapshotBuilder().host('node1@alpha').host('node1@beta').network('net-mp-sn-1', { name: 'mp-sn-1', status: 'error' }).server('srv-1', { network: 'mp-sn-1' }).build(), 'node1@beta', undefined, ' (current network)'),
  ...blockedCase('HOST_FORMAT', () => one().build(), 'node1'),
  ...blockedCase('HOST_FORMAT', () => one().build(), 'node1@beta#fake_pool_for_BETA', undefined, ' (pool)'),
  ...blockedCase('STALE_DESTINATION', () => withServers(one(), [['srv-1b', { host: 'node1@gamma', status: 'server_migrating_to', taskState: 'migration_error', source: 'srv-1', shares: [] }]])),
  ...blockedCase('SHARE_TYPE_AZ', () => new SnapshotBuilder().host('node1@alpha', { zone: 'az1' }).host('node1@beta', { zone: 'az2' }).shareType('st-az1', 'az1').server('srv-1', { shares: [share('sh-1', { shareTypeId: 'st-az1' })] }).build()),
  ...blockedCase('NO_SUBNET_IN_DEST_AZ', () => new SnapshotBuilder().host('node1@alpha', { zone: 'az1' }).host('node1@beta', { zone: 'az2' }).network('net-mp-sn-1', { name: 'mp-sn-1', subnets: [{ id: 'sub-az1', availabilityZone: 'az1' }] }).server('srv-1', { network: 'mp-sn-1' }).build()),
  {
    name: 'GIVEN a server with several problems WHEN planning THEN blocked with ALL reasons',
    snapshot: () => testbed({ servers: 0, hosts: { 'node1@beta': { state: 'down', dhss: false } } }).server('srv-1', { status: 'error', network: 'mp-sn-1', shares: [share('s1', { status: 'error', hasReplicas: true })] }).build(),
    decls: toBeta(sn1),
    expected: [{ action: 'blocked', server: 'srv-1', to: 'node1@beta', codes: ['SERVER_NOT_ACTIVE', 'SHARE_NOT_AVAILABLE', 'SHARE_HAS_REPLICAS', 'DEST_DOWN', 'DEST_NOT_DHSS'] }],
  },
  // Evacuations
  {
    name: 'GIVEN 6 servers and 2 empty targets WHEN evacuating THEN 3 and 3, alternating by host name',
    snapshot: () => testbed().build(),
    decls: [evacuation('app/e', 'node1@alpha', ['node1@gamma', 'node1@beta'])],
    expected: [1, 2, 3, 4, 5, 6].map((i) => ({ action: 'migrate', server: `srv-${i}`, from: 'node1@alpha', to: i % 2 === 1 ? 'node1@beta' : 'node1@gamma' })),
  },
  {
    name: 'GIVEN maxPerTarget 2 WHEN evacuating 6 servers THEN 4 move and 2 are blocked with NO_CAPACITY',
    snapshot: () => testbed().build(),
    decls: [evacuation('app/e', 'node1@alpha', ['node1@beta', 'node1@gamma'], { maxPerTarget: 2 })],
    expected: [
      ...[1, 2, 3, 4].map((i) => ({ action: 'migrate', server: `srv-${i}`, from: 'node1@alpha', to: i % 2 === 1 ? 'node1@beta' : 'node1@gamma' })),
      ...[5, 6].map((i) => ({ action: 'blocked', server: `srv-${i}`, to: 'node1@beta,node1@gamma', codes: ['NO_CAPACITY'] })),
    ],
  },
  {
    name: 'GIVEN one target down WHEN evacuating THEN every server goes to the other',
    snapshot: () => testbed({ hosts: { 'node1@gamma': { state: 'down' } } }).build(),
    decls: [evacuation('app/e', 'node1@alpha', ['node1@beta', 'node1@gamma'])],
    expected: [1, 2, 3, 4, 5, 6].map((i) => ({ action: 'migrate', server: `srv-${i}`, from: 'node1@alpha', to: 'node1@beta' })),
  },
  {
    name: 'GIVEN no usable target WHEN evacuating THEN every server is blocked with the targets reasons',
    snapshot: () => testbed({ servers: 2, hosts: { 'node1@beta': { state: 'down' }, 'node1@gamma': { status: 'disabled' } } }).build(),
    decls: [evacuation('app/e', 'node1@alpha', ['node1@beta', 'node1@gamma', 'node9@delta'])],
    expected: [1, 2].map((i) => ({ action: 'blocked', server: `srv-${i}`, to: 'node1@beta,node1@gamma,node9@delta', codes: ['DEST_DOWN', 'DEST_DISABLED', 'DEST_UNKNOWN'] })),
  },
  {
    name: 'GIVEN servers already on a target WHEN evacuating THEN they count toward its load',
    snapshot: () => testbed({ servers: 4 }).server('srv-b1', { host: 'node1@beta', network: 'mp-sn-5' }).server('srv-b2', { host: 'node1@beta', network: 'mp-sn-6' }).build(),
    decls: [evacuation('app/e', 'node1@alpha', ['node1@beta', 'node1@gamma'])],
    expected: [
      { action: 'migrate', server: 'srv-1', from: 'node1@alpha', to: 'node1@gamma' },
      { action: 'migrate', server: 'srv-2', from: 'node1@alpha', to: 'node1@gamma' },
      { action: 'migrate', server: 'srv-3', from: 'node1@alpha', to: 'node1@beta' },
      { action: 'migrate', server: 'srv-4', from: 'node1@alpha', to: 'node1@gamma' },
    ],
  },
  {
    name: 'GIVEN a server already migrating to a target WHEN evacuating THEN resume, and it counts toward that target',
    snapshot: () => withServers(testbed({ servers: 3 }), [['srv-1', { status: 'server_migrating', taskState: 'migration_driver_phase1_done' }], ['srv-1g', { host: 'node1@gamma', status: 'server_migrating_to', taskState: 'migration_driver_phase1_done', source: 'srv-1', shares: [] }]]),
    decls: [evacuation('app/e', 'node1@alpha', ['node1@beta', 'node1@gamma'])],
    expected: [
      { action: 'resume', server: 'srv-1', from: 'node1@alpha', to: 'node1@gamma' },
      { action: 'migrate', server: 'srv-2', from: 'node1@alpha', to: 'node1@beta' },
      { action: 'migrate', server: 'srv-3', from: 'node1@alpha', to: 'node1@beta' },
    ],
  },
  {
    name: 'GIVEN a target with the same backend name as the source WHEN evacuating THEN it is skipped',
    snapshot: () => testbed({ servers: 2 }).host('node2@alpha').build(),
    decls: [evacuation('app/e', 'node1@alpha', ['node2@alpha', 'node1@beta'])],
    expected: [1, 2].map((i) => ({ action: 'migrate', server: `srv-${i}`, from: 'node1@alpha', to: 'node1@beta' })),
  },
  {
    name: 'GIVEN a server with its own problem WHEN evacuating THEN it is blocked and takes no capacity',
    snapshot: () => withServers(testbed({ servers: 3 }), [['srv-1', { status: 'error' }]]),
    decls: [evacuation('app/e', 'node1@alpha', ['node1@beta', 'node1@gamma'], { maxPerTarget: 1 })],
    expected: [
      { action: 'blocked', server: 'srv-1', to: 'node1@beta,node1@gamma', codes: ['SERVER_NOT_ACTIVE'] },
      { action: 'migrate', server: 'srv-2', from: 'node1@alpha', to: 'node1@beta' },
      { action: 'migrate', server: 'srv-3', from: 'node1@alpha', to: 'node1@gamma' },
    ],
  },
  { name: 'GIVEN an empty host WHEN evacuating THEN no entries (a finished evacuation is a no-op)', snapshot: () => testbed({ servers: 0 }).build(), decls: [evacuation('app/e', 'node1@alpha', ['node1@beta'])], expected: [] },
  // Shares without share servers (DHSS=False backends) move by themselves, to pools
  {
    name: 'GIVEN two shares on a DHSS=False host WHEN evacuating THEN each goes to the target pool with the most room',
    snapshot: () => flat().build(),
    decls: [evacuation('app/f', 'node1@delta', ['node1@epsilon'])],
    expected: ['fs-1', 'fs-2'].map((id) => ({ action: 'migrate', server: id, from: 'node1@delta#fake_pool_for_DELTA', to: 'node1@epsilon#fake_pool_for_EPSILON' })),
  },
  {
    name: 'GIVEN a target pool that handles share servers WHEN evacuating flat shares THEN blocked with DEST_DHSS_MISMATCH',
    snapshot: () => flat().host('node1@alpha').build(),
    decls: [evacuation('app/f', 'node1@delta', ['node1@alpha'])],
    expected: ['fs-1', 'fs-2'].map((id) => ({ action: 'blocked', server: id, to: 'node1@alpha', codes: ['DEST_DHSS_MISMATCH'] })),
  },
  {
    name: 'GIVEN a pool target not in the snapshot WHEN evacuating flat shares THEN blocked with DEST_POOL_UNKNOWN',
    snapshot: () => flat().build(),
    decls: [evacuation('app/f', 'node1@delta', ['node1@epsilon#no_such_pool'])],
    expected: ['fs-1', 'fs-2'].map((id) => ({ action: 'blocked', server: id, to: 'node1@epsilon#no_such_pool', codes: ['DEST_POOL_UNKNOWN'] })),
  },
  {
    name: 'GIVEN a 600 GiB share and 900 GiB free WHEN evacuating two of them THEN the second is blocked with NO_CAPACITY',
    snapshot: () => flat({ size: 600 }).build(),
    decls: [evacuation('app/f', 'node1@delta', ['node1@epsilon'])],
    expected: [
      { action: 'migrate', server: 'fs-1', from: 'node1@delta#fake_pool_for_DELTA', to: 'node1@epsilon#fake_pool_for_EPSILON' },
      { action: 'blocked', server: 'fs-2', to: 'node1@epsilon', codes: ['NO_CAPACITY'] },
    ],
  },
  {
    name: 'GIVEN a flat share already migrating to a target pool (an earlier pass started it) WHEN evacuating THEN resume',
    snapshot: () => flat().flatShare('fs-0', 'node1@delta#fake_pool_for_DELTA', { status: 'migrating', taskState: 'migration_driver_phase1_done', migratingTo: 'node1@epsilon#fake_pool_for_EPSILON' }).build(),
    decls: [evacuation('app/f', 'node1@delta', ['node1@epsilon'])],
    expected: [
      { action: 'resume', server: 'fs-0', from: 'node1@delta#fake_pool_for_DELTA', to: 'node1@epsilon#fake_pool_for_EPSILON' },
      { action: 'migrate', server: 'fs-1', from: 'node1@delta#fake_pool_for_DELTA', to: 'node1@epsilon#fake_pool_for_EPSILON' },
      { action: 'migrate', server: 'fs-2', from: 'node1@delta#fake_pool_for_DELTA', to: 'node1@epsilon#fake_pool_for_EPSILON' },
    ],
  },
  {
    name: 'GIVEN a flat share migrating and one with a snapshot in error WHEN evacuating THEN conflict and blocked',
    snapshot: () =>
      flat()
        .flatShare('fs-0', 'node1@delta#fake_pool_for_DELTA', { status: 'migrating', taskState: 'migration_driver_in_progress' })
        .flatShare('fs-3', 'node1@delta#fake_pool_for_DELTA', { snapshots: [{ id: 'snap-3', status: 'error' }] })
        .build(),
    decls: [evacuation('app/f', 'node1@delta', ['node1@epsilon'])],
    expected: [
      { action: 'conflict', server: 'fs-0', to: 'node1@epsilon', migratingTo: undefined },
      { action: 'migrate', server: 'fs-1', from: 'node1@delta#fake_pool_for_DELTA', to: 'node1@epsilon#fake_pool_for_EPSILON' },
      { action: 'migrate', server: 'fs-2', from: 'node1@delta#fake_pool_for_DELTA', to: 'node1@epsilon#fake_pool_for_EPSILON' },
      { action: 'blocked', server: 'fs-3', to: 'node1@epsilon', codes: ['SNAPSHOT_NOT_AVAILABLE'] },
    ],
  },
];

/** Replaces (or adds) servers of a builder's snapshot, keeping network and share defaults. */
function withServers(b: SnapshotBuilder, servers: Array<[string, Parameters<SnapshotBuilder['server']>[1]]>, remove: readonly string[] = []): CloudSnapshot {
  const base = b.build();
  const extra = new SnapshotBuilder();
  for (const n of base.shareNetworks) extra.network(n.id, n);
  for (const [id, o] of servers) {
    const old = base.shareServers.find((s) => s.id === id);
    extra.server(id, { network: old?.shareNetworkId ?? 'net-mp-sn-1', shares: old?.shares, ...o });
  }
  const replaced = new Set([...servers.map(([id]) => id), ...remove]);
  return { ...base, shareServers: [...base.shareServers.filter((s) => !replaced.has(s.id)), ...extra.build().shareServers] };
}

function withShare(over: Partial<ReturnType<typeof share>>): CloudSnapshot {
  return withServers(one(), [['srv-1', { shares: [share('share-1', { name: 'mp-share-1', ...over })] }]]);
}

function blockedCase(code: string, snapshot: () => CloudSnapshot, host = 'node1@beta', newShareNetwork?: string, note = ''): Case[] {
  return [
    {
      name: `GIVEN a move revealing ${code}${note} WHEN planning THEN blocked with ${code}`,
      snapshot,
      decls: [placement('app/p', { shareServerId: 'srv-1' }, host, newShareNetwork !== undefined ? { newShareNetwork } : {})],
      expected: [{ action: 'blocked', server: 'srv-1', to: host, codes: [code] }],
    },
  ];
}

describe('plan()', () => {
  it.each(cases)('$name', ({ snapshot, decls, expected }) => {
    // WHEN
    const p = plan(decls, snapshot());
    // THEN
    expect(p.entries.map(brief)).toEqual(expected);
  });

  it('covers every blocked reason code in the table', () => {
    // GIVEN every case WHEN planned THEN each code of BLOCKED_CODES appears in some blocked entry
    const seen = new Set(cases.flatMap((c) => plan(c.decls, c.snapshot()).entries.flatMap((e) => (e.action === 'blocked' ? e.reasons.map((r) => r.code) : []))));
    expect([...BLOCKED_CODES].filter((c) => !seen.has(c))).toEqual([]);
  });

  it('covers every entry kind in the table', () => {
    const seen = new Set(cases.flatMap((c) => plan(c.decls, c.snapshot()).entries.map((e) => e.action)));
    expect([...seen].sort()).toEqual(['blocked', 'conflict', 'in-sync', 'migrate', 'resume', 'unmatched']);
  });

  it('GIVEN a destination an admin disabled with a reason (Manila 2023.2+) WHEN planning THEN the blocked reason gives it', () => {
    const p = plan(toBeta(sn1), testbed({ servers: 1, hosts: { 'node1@beta': { status: 'disabled', disabledReason: 'disk swap, back Friday' } } }).build());
    expect(p.entries[0]).toMatchObject({ action: 'blocked', reasons: [{ code: 'DEST_DISABLED', message: 'the manila-share service on node1@beta is disabled (disk swap, back Friday)' }] });
  });

  it('GIVEN a migrate entry WHEN planning THEN it carries the declared flags, network id and completion', () => {
    const p = plan([placement('app/p', sn1, 'node1@beta', { flags: { writable: true, preserveSnapshots: true }, newShareNetwork: 'mp-sn-2', completion: 'manual' })], one().build());
    expect(p.entries[0]).toMatchObject({
      action: 'migrate',
      flags: { writable: true, nondisruptive: false, preserveSnapshots: true },
      newShareNetworkId: 'net-mp-sn-2',
      completion: 'manual',
      server: { id: 'srv-1', host: 'node1@alpha', status: 'active', taskState: null, shareNetworkId: 'net-mp-sn-1', shareNetworkName: 'mp-sn-1', shareIds: ['share-1'] },
    });
  });

  it('GIVEN a windowed completion WHEN planning THEN the entry carries the next window after the snapshot was taken (the plan reads no clock)', () => {
    const window = { cron: '0 2 * * SAT', durationMinutes: 120, timezone: 'Europe/Berlin' };
    const p = plan([placement('app/p', sn1, 'node1@beta', { completion: { window } })], one().at('2026-12-01T12:00:00.000Z').build());
    expect(p.entries[0]).toMatchObject({ action: 'migrate', completion: { window }, nextWindow: { opens: '2026-12-05T01:00:00.000Z', closes: '2026-12-05T03:00:00.000Z' } });
    // and a plan file with it parses back identically
    expect(serializePlan(p)).toContain('"nextWindow"');
  });

  it('GIVEN a server by share network WHEN it has migrated THEN its entry key is unchanged', () => {
    // GIVEN
    const before = plan(toBeta(sn1), one().build());
    const during = plan(toBeta(sn1), withServers(one(), [['srv-1', { status: 'server_migrating', taskState: 'migration_driver_in_progress' }], ['srv-1b', { host: 'node1@beta', status: 'server_migrating_to', taskState: 'migration_driver_in_progress', source: 'srv-1', shares: [] }]]));
    const after = plan(toBeta(sn1), withServers(one(), [['srv-1', { status: 'inactive', taskState: 'migration_success', shares: [] }], ['srv-1b', { host: 'node1@beta', taskState: 'migration_success', source: 'srv-1' }]]));
    // THEN
    expect([before, during, after].map((p) => p.entries[0].action)).toEqual(['migrate', 'resume', 'in-sync']);
    expect(new Set([before, during, after].map((p) => p.entries[0].key)).size).toBe(1);
    expect(before.entries[0].key).toBe('app_p--srv-1');
  });

  it('GIVEN a server declared by id WHEN planning THEN its key uses the declared id', () => {
    const p = plan(toBeta({ shareServerId: 'srv-1' }), withServers(one(), [['srv-1b', { host: 'node1@beta', taskState: 'migration_success', source: 'srv-1' }]], ['srv-1']));
    expect(p.entries[0].key).toBe('app_p--srv-1');
  });

  it('GIVEN any plan WHEN planning THEN every key is safe as a Terraform name and entries are sorted by key', () => {
    const p = plan([evacuation('My App/evac #1', 'node1@alpha', ['node1@beta', 'node1@gamma']), placement('9/p', { shareNetwork: 'nothing' }, 'node1@beta')], testbed().build());
    expect(p.entries.every((e) => isSafeKey(e.key))).toBe(true);
    expect(p.entries.map((e) => e.key)).toEqual([...p.entries.map((e) => e.key)].sort());
  });

  it('GIVEN an evacuation WHEN a target is chosen THEN why says how loaded it will be and what was skipped', () => {
    const p = plan([evacuation('app/e', 'node1@alpha', ['node1@beta', 'node1@gamma', 'node9@delta'])], testbed({ servers: 2 }).build());
    const whys = p.entries.map((e) => (e.action === 'migrate' ? e.why : undefined));
    expect(whys).toEqual([
      'least loaded target (1 server after this move); tied with node1@gamma, chosen by host name; skipped node9@delta (DEST_UNKNOWN)',
      'least loaded target (1 server after this move); skipped node9@delta (DEST_UNKNOWN)',
    ]);
  });

  it('GIVEN a plan WHEN counting THEN summary has every action', () => {
    const p = plan([placement('app/a', sn1, 'node1@beta'), placement('app/b', { shareNetwork: 'mp-sn-2' }, 'node1@alpha'), placement('app/c', { shareNetwork: 'ghost' }, 'node1@beta')], testbed({ servers: 2 }).build());
    expect(p.summary).toEqual({ 'in-sync': 1, migrate: 1, resume: 0, conflict: 0, blocked: 0, unmatched: 1 });
  });

  describe('declarations that contradict each other', () => {
    it('GIVEN two placements selecting the same server WHEN planning THEN MP_DECLARATION_OVERLAP naming both paths', () => {
      const decls = [placement('app/by-network', sn1, 'node1@beta'), placement('app/by-share', { shares: ['mp-share-1'] }, 'node1@gamma')];
      const err = catchError(() => plan(decls, one().build()));
      expect(err).toBeInstanceOf(InputError);
      expect(err).toMatchObject({ code: 'MP_DECLARATION_OVERLAP' });
      expect(err.message).toContain('app/by-network');
      expect(err.message).toContain('app/by-share');
    });

    it('GIVEN a placement of a server that an evacuation moves WHEN planning THEN MP_DECLARATION_OVERLAP', () => {
      const err = catchError(() => plan([placement('app/p', sn1, 'node1@beta'), evacuation('app/e', 'node1@alpha', ['node1@gamma'])], one().build()));
      expect(err).toMatchObject({ code: 'MP_DECLARATION_OVERLAP' });
      expect(err.message).toMatch(/app\/p.*app\/e/);
    });

    it('GIVEN a placement onto the evacuated host WHEN planning THEN MP_DECLARATION_CONFLICT', () => {
      const b = one().server('srv-9', { host: 'node1@beta', network: 'mp-sn-2' }).build();
      const err = catchError(() => plan([placement('app/p', { shareNetwork: 'mp-sn-2' }, 'node1@alpha'), evacuation('app/e', 'node1@alpha', ['node1@gamma'])], b));
      expect(err).toMatchObject({ code: 'MP_DECLARATION_CONFLICT' });
      expect(err.message).toContain('app/p');
      expect(err.message).toContain('app/e');
    });
  });

  describe('determinism', () => {
    const decls = [evacuation('app/e', 'node1@alpha', ['node1@beta', 'node1@gamma'], { maxPerTarget: 2 }), placement('app/p', { shareNetwork: 'mp-sn-9' }, 'node1@beta')];

    it('GIVEN the same inputs twice WHEN planning THEN the serialized plans are identical', () => {
      expect(serializePlan(plan(decls, testbed().build()))).toBe(serializePlan(plan(decls, testbed().build())));
    });

    it('GIVEN the snapshot lists and declarations in another order WHEN planning THEN the plan is the same', () => {
      const s = testbed().build();
      const shuffled: CloudSnapshot = {
        ...s,
        shareServers: [...s.shareServers].reverse(),
        services: [...s.services].reverse(),
        pools: [...s.pools].reverse(),
        shareNetworks: [...s.shareNetworks].reverse(),
      };
      expect(plan([...decls].reverse(), shuffled)).toEqual(plan(decls, s));
    });

    it('GIVEN a frozen snapshot WHEN planning THEN it is not modified', () => {
      const s = testbed().build();
      const copy = JSON.parse(JSON.stringify(s)) as CloudSnapshot;
      plan(decls, deepFreeze(s));
      expect(s).toEqual(copy);
    });

    it('GIVEN a refreshed snapshot (new takenAt) WHEN planning THEN only the snapshot record changes', () => {
      const a = plan(decls, testbed().build());
      const b = plan(decls, testbed().at('2026-11-26T08:00:00.000Z').build());
      expect(b.entries).toEqual(a.entries);
      expect(b.snapshot.digest).toBe(a.snapshot.digest);
      expect(b.snapshot.takenAt).not.toBe(a.snapshot.takenAt);
    });
  });
});

function catchError(fn: () => unknown): Error & { code?: string } {
  try {
    fn();
  } catch (e) {
    return e as Error & { code?: string };
  }
  throw new Error('expected an error');
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object') {
    Object.values(o).forEach(deepFreeze);
    Object.freeze(o);
  }
  return o;
}

describe('plan() and share type availability zones', () => {
  // alpha in az1, beta in az2; srv-1 on alpha holds one share of the given type
  const cloud = (azs?: string, withTypes = true): CloudSnapshot => {
    const b = new SnapshotBuilder().host('node1@alpha', { zone: 'az1' }).host('node1@beta', { zone: 'az2' });
    if (withTypes) b.shareType('st-1', azs);
    return b.server('srv-1', { shares: [share('sh-1', { shareTypeId: 'st-1' })] }).build();
  };
  const toBeta = [placement('app/p', { shareServerId: 'srv-1' }, 'node1@beta')];

  it('GIVEN a type limited to az1 WHEN moving to a host in az2 THEN blocked with SHARE_TYPE_AZ naming the type, its zones and the host', () => {
    const [e] = plan(toBeta, cloud('az1')).entries;
    expect(e).toMatchObject({ action: 'blocked', reasons: [{ code: 'SHARE_TYPE_AZ' }] });
    expect(e.action === 'blocked' ? e.reasons[0].message : '').toBe('share type st-1 of a share on this server is limited to availability zones "az1", and node1@beta is in zone az2');
  });

  it.each([
    ['lists the destination zone', 'az1,az2'],
    ['has no availability_zones', undefined],
    ['names the zone inside a longer name (Manila matches by substring)', 'xaz2x'],
  ])('GIVEN a type that %s WHEN moving THEN migrate', (_what, azs) => {
    expect(plan(toBeta, cloud(azs)).entries[0]).toMatchObject({ action: 'migrate', to: 'node1@beta' });
  });

  it('GIVEN a snapshot written before share types were recorded WHEN moving THEN migrate (Manila checks the type at start)', () => {
    expect(plan(toBeta, cloud('az1', false)).entries[0]).toMatchObject({ action: 'migrate' });
  });
});
