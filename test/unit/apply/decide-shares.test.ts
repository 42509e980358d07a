/**
 * decide over both kinds of move in one pass: share server moves and share moves (share
 * migration) read the same task states, share one set of limits, and differ only where Manila
 * does (lib/manila/resource.ts): a share has no migration_check, keeps its id, and idles as
 * `available` on a pool.
 */
import { countInFlight } from '../../../lib/apply/admission';
import { decide, type Decision } from '../../../lib/apply/decide';
import { freshMemory, type MoveMemory, type TrackedMove } from '../../../lib/apply/memory';
import { policyOf } from '../../../lib/apply/options';
import type { Observation } from '../../../lib/apply/stage';
import { shareRecord, shareRecordsFromInstances } from '../../../lib/manila/share-record';
import type { MigrationCheckResult, ShareServer } from '../../../lib/manila/types';
import type { MigrateEntry } from '../../../lib/plan/types';

const T0 = Date.parse('2026-12-07T10:00:00Z');
const DELTA = 'node1@delta#fake_pool_for_DELTA';
const EPSILON = 'node1@epsilon#fake_pool_for_EPSILON';

const compatible: MigrationCheckResult = {
  compatible: true,
  requested: {},
  supported: { writable: true, nondisruptive: false, preserveSnapshots: true, migrationCancel: true, migrationGetProgress: true, shareNetworkId: null },
};

function serverMove(key: string, id: string): MigrateEntry {
  return {
    action: 'migrate',
    key,
    declaration: 'stack/servers',
    server: { id, host: 'node1@alpha', status: 'active', taskState: null, projectId: 'p', shareIds: [`share-of-${id}`] },
    from: 'node1@alpha',
    to: 'node1@beta',
    flags: { writable: true, nondisruptive: false, preserveSnapshots: true },
    newShareNetworkId: null,
    completion: 'auto',
  };
}

function shareMove(key: string, id: string, to = EPSILON): MigrateEntry {
  return {
    action: 'migrate',
    key,
    declaration: 'stack/shares',
    server: { resource: 'share', id, host: DELTA, status: 'available', taskState: null, projectId: 'p', shareIds: [id] },
    from: DELTA,
    to,
    flags: { writable: true, nondisruptive: false, preserveSnapshots: true },
    newShareNetworkId: null,
    completion: 'auto',
  };
}

const srv = (id: string, over: Partial<ShareServer> = {}): ShareServer => ({
  id,
  projectId: 'p',
  status: 'active',
  host: 'node1@alpha',
  taskState: null,
  sourceShareServerId: null,
  shareNetworkSubnetIds: [],
  ...over,
});

const share = (id: string, over: { status?: string; taskState?: string; host?: string; updatedAt?: string } = {}): ShareServer =>
  shareRecord({ id, projectId: 'p', status: over.status ?? 'available', size: 1, host: over.host ?? DELTA, hasReplicas: false, isSoftDeleted: false, taskState: over.taskState, updatedAt: over.updatedAt });

function track(e: MigrateEntry, memory: Partial<MoveMemory> = {}): TrackedMove {
  return { entry: e, memory: { ...freshMemory(T0 - 1_000), ...memory } };
}

const byKey = (ds: Decision[]): Record<string, Decision> => Object.fromEntries(ds.map((d) => [d.key, d]));

test('GIVEN a ready share server and a ready share WHEN decided in one pass THEN the server is checked first and the share starts at once (shares have no migration_check)', () => {
  const moves = [track(serverMove('srv', 'S1')), track(shareMove('sh', 'F1'))];
  const obs = new Map<string, Observation>([
    ['srv', { source: srv('S1') }],
    ['sh', { source: share('F1') }],
  ]);
  const d = byKey(decide({ moves: obs, inFlight: countInFlight([]) }, moves, policyOf({ parallel: 2 }), T0));
  expect(d.srv.action.kind).toBe('check');
  expect(d.sh.action).toEqual({ kind: 'start', params: expect.objectContaining({ host: EPSILON, writable: true, preserveSnapshots: true }) });
});

test('GIVEN one share server migration in flight and parallel 1 WHEN a share wants to start THEN it queues behind it: one limit over both kinds', () => {
  const moves = [track(serverMove('srv', 'S1'), { seenInFlight: true, start: { at: T0 - 60_000 }, check: { at: T0 - 60_000, result: compatible } }), track(shareMove('sh', 'F1'))];
  const running = srv('S1', { status: 'server_migrating', taskState: 'migration_driver_in_progress' });
  const obs = new Map<string, Observation>([
    ['srv', { source: running }],
    ['sh', { source: share('F1') }],
  ]);
  const d = byKey(decide({ moves: obs, inFlight: countInFlight([running]) }, moves, policyOf({ parallel: 1 }), T0));
  expect(d.srv.memory.phase).toBe('phase1');
  expect(d.sh.action).toEqual({ kind: 'queue', needsCounts: false });
  expect(d.sh.event?.waiting).toBe('1 migration in flight in the cloud, limit 1 (parallel)');
});

test('GIVEN a share migrating (from the share instances) WHEN a share server wants to start under parallel 1 THEN the server waits: shares count in flight too', () => {
  const inFlight = countInFlight(
    shareRecordsFromInstances([
      { id: 'i-src', shareId: 'F9', status: 'migrating', host: DELTA },
      { id: 'i-dst', shareId: 'F9', status: 'migrating_to', host: EPSILON },
    ]),
  );
  expect({ total: inFlight.total, from: inFlight.bySource.get('node1@delta'), to: inFlight.byDestination.get('node1@epsilon') }).toEqual({ total: 1, from: 1, to: 1 });
  const moves = [track(serverMove('srv', 'S1'), { check: { at: T0 - 1_000, result: compatible } })];
  const d = decide({ moves: new Map([['srv', { source: srv('S1') }]]), inFlight }, moves, policyOf({ parallel: 1 }), T0)[0];
  expect(d.action).toEqual({ kind: 'queue', needsCounts: false });
});

test('GIVEN per-destination limits WHEN a share goes to one pool of a host THEN the pool counts toward its host (host@backend)', () => {
  const inFlight = countInFlight(shareRecordsFromInstances([{ id: 'i-src', shareId: 'F9', status: 'migrating', host: DELTA }, { id: 'i-dst', shareId: 'F9', status: 'migrating_to', host: 'node1@epsilon#other_pool' }]));
  const moves = [track(shareMove('sh', 'F1'))];
  const d = decide({ moves: new Map([['sh', { source: share('F1') }]]), inFlight }, moves, policyOf({ parallel: 5, maxPerDestination: 1 }), T0)[0];
  expect(d.event?.waiting).toBe('1 migration in flight toward node1@epsilon, limit 1 (max per destination)');
});

test('GIVEN both kinds at phase 1 done WHEN decided THEN both complete; a share destination elsewhere is a conflict', () => {
  const seen = { seenInFlight: true, start: { at: T0 - 60_000 }, exportsBefore: {}, readOnlyInPhase1: false };
  const moves = [track(serverMove('srv', 'S1'), { ...seen, check: { at: T0 - 60_000, result: compatible } }), track(shareMove('sh', 'F1'), seen), track(shareMove('other', 'F2'), seen)];
  const dest = (shareId: string, host: string): ShareServer => ({ ...share(`i-${shareId}`, { status: 'migrating_to', host }), sourceShareServerId: shareId });
  const obs = new Map<string, Observation>([
    ['srv', { source: srv('S1', { status: 'server_migrating', taskState: 'migration_driver_phase1_done' }), destination: srv('D1', { status: 'server_migrating_to', host: 'node1@beta', sourceShareServerId: 'S1' }) }],
    ['sh', { source: share('F1', { status: 'migrating', taskState: 'migration_driver_phase1_done' }), destination: dest('F1', EPSILON) }],
    ['other', { source: share('F2', { status: 'migrating', taskState: 'migration_driver_in_progress' }), destination: dest('F2', 'node1@gamma#pool') }],
  ]);
  const d = byKey(decide({ moves: obs, inFlight: countInFlight([]) }, moves, policyOf({}), T0));
  expect(d.srv.action.kind).toBe('complete');
  expect(d.sh.action.kind).toBe('complete');
  expect(d.other.action).toMatchObject({ kind: 'finish', outcome: { phase: 'conflict', code: 'MP_MIGRATING_ELSEWHERE' } });
});

test('GIVEN a share on its target pool with the same id WHEN this run moved it THEN it is verified; WHEN the plan saw it there THEN already on', () => {
  const arrived = share('F1', { host: EPSILON, taskState: 'migration_success', updatedAt: new Date(T0).toISOString() });
  const moved = decide({ moves: new Map([['sh', { source: arrived }]]) }, [track(shareMove('sh', 'F1'), { seenInFlight: true, start: { at: T0 - 60_000 } })], policyOf({}), T0)[0];
  expect(moved.action).toEqual({ kind: 'verify', destination: { id: 'F1', host: EPSILON } });
  const inSyncEntry = { ...shareMove('sh', 'F1'), server: { ...shareMove('sh', 'F1').server, host: EPSILON } };
  const already = decide({ moves: new Map([['sh', { source: arrived }]]) }, [track(inSyncEntry)], policyOf({}), T0)[0];
  expect(already.action).toMatchObject({ kind: 'finish', outcome: { phase: 'done', message: `already on ${EPSILON}` } });
});

test('GIVEN a share cancelled by the operator after this run started it WHEN decided THEN cancelled, with the share reset command', () => {
  const t = track(shareMove('sh', 'F1'), { seenInFlight: true, start: { at: T0 - 60_000 } });
  const d = decide({ moves: new Map([['sh', { source: share('F1', { taskState: 'migration_cancelled' }) }]]) }, [t], policyOf({}), T0)[0];
  expect(d.action).toMatchObject({ kind: 'finish', outcome: { phase: 'cancelled', code: 'MP_CANCELLED', hint: expect.stringContaining('manila reset-task-state F1') } });
});

test('GIVEN a share available again while its task state still says phase 1 (a cancel winding down) WHEN decided THEN it waits as cancelling, not failed', () => {
  const t = track(shareMove('sh', 'F1'), { seenInFlight: true, start: { at: T0 - 60_000 }, exportsBefore: {} });
  const d = decide({ moves: new Map([['sh', { source: share('F1', { taskState: 'migration_driver_in_progress' }) }]]) }, [t], policyOf({}), T0)[0];
  expect(d.action).toEqual({ kind: 'leave' });
  expect(d.memory.phase).toBe('cancelling');
});
