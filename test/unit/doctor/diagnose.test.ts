/**
 * Doctor's reading of the evidence, state by state, on records shaped as the real Manila
 * answers them (test/e2e/doctor.test.ts produces the states a test bed can be brought to). The
 * stuck `server_migrating` and the share instance in `error` come only from here: the first
 * needs a migration whose driver died mid-way, the second a complete-phase failure, and the
 * test bed's drivers do neither on demand.
 */
import { diagnose, safeSteps } from '../../../lib/doctor/diagnose';
import { serversToExamine, type ServerEvidence, type ShareEvidence } from '../../../lib/doctor/evidence';
import type { ShareServer } from '../../../lib/manila/types';
import { shareRecord } from '../../../lib/manila/share-record';

const AT = Date.parse('2026-12-07T05:00:00Z');
const server = (over: Partial<ShareServer> = {}): ShareServer => ({
  id: 'S',
  projectId: 'p',
  status: 'active',
  host: 'node1@alpha',
  taskState: null,
  sourceShareServerId: null,
  shareNetworkSubnetIds: [],
  updatedAt: '2026-12-07T04:50:00.000000',
  ...over,
});
const share = (over: Partial<ShareEvidence> = {}, status = 'available'): ShareEvidence => ({
  share: { id: 'sh1', name: 'mp-share-1', projectId: 'p', status, size: 1, hasReplicas: false, isSoftDeleted: false },
  instances: [{ id: 'i1', status: 'available', shareServerId: 'S' }],
  rules: [{ id: 'r1', accessType: 'ip', accessTo: '10.0.0.1', accessLevel: 'rw', state: 'active' }],
  snapshots: [],
  messages: [],
  ...over,
});
const ev = (over: Partial<ServerEvidence> = {}): ServerEvidence => ({
  at: AT,
  server: server(),
  destinations: [],
  shares: [share()],
  sharesOnDestinations: {},
  messages: [],
  journal: [],
  ...over,
});
const dest = (over: Partial<ShareServer>): ShareServer => server({ id: 'D', host: 'node1@beta', sourceShareServerId: 'S', ...over });

test('healthy: nothing found, nothing to do', () => {
  const d = diagnose(ev());
  expect(d).toMatchObject({ verdict: 'healthy', findings: [] });
});

test('migrating normally: how long in this phase, no step', () => {
  const d = diagnose(
    ev({
      server: server({ status: 'server_migrating', taskState: 'migration_driver_in_progress' }),
      destinations: [dest({ status: 'server_migrating_to', taskState: 'migration_driver_in_progress' })],
    }),
  );
  expect(d.findings).toEqual([expect.objectContaining({ state: 'migrating', summary: 'migrating normally to node1@beta: migration_driver_in_progress for 10 min 00 s so far', steps: [] })]);
});

test.each([
  ['migration_cancelled', 'cancelled-mark'],
  ['migration_error', 'failed-mark'],
])('%s with the source healthy: clearing the mark is the one safe step', (taskState, state) => {
  const d = diagnose(ev({ server: server({ taskState }) }));
  expect(d.verdict).toBe(state);
  expect(safeSteps(d)).toEqual([expect.objectContaining({ command: 'manila share-server-reset-task-state S', action: { type: 'reset-task-state', serverId: 'S' } })]);
});

test('a mark while a share is not available: nothing safe', () => {
  const d = diagnose(ev({ server: server({ taskState: 'migration_error' }), shares: [share({}, 'error')] }));
  expect(safeSteps(d)).toEqual([]);
  expect(d.findings[0].steps[0]).toMatchObject({ kind: 'manual', why: expect.stringContaining('sh1 is error') });
});

test('leftover destination: an error record without shares is deleted (first), an inactive one is left to a person or the cleanup', () => {
  const d = diagnose(
    ev({
      server: server({ taskState: 'migration_error' }),
      destinations: [dest({ status: 'error', taskState: 'migration_error' }), dest({ id: 'D2', status: 'inactive', taskState: 'migration_cancelled' })],
      sharesOnDestinations: { D: [], D2: [] },
    }),
  );
  expect(d.findings.map((f) => f.state)).toEqual(['failed-mark', 'leftover-destination', 'leftover-destination']);
  expect(safeSteps(d).map((s) => s.action)).toEqual([{ type: 'delete-server', serverId: 'D' }, { type: 'reset-task-state', serverId: 'S' }]);
  expect(d.findings[2].steps[0]).toMatchObject({ kind: 'manual', command: 'openstack share server set --status error D2 && openstack share server delete D2' });
});

test('a destination record that still holds a share is never deleted', () => {
  const d = diagnose(ev({ destinations: [dest({ status: 'error', taskState: 'migration_error' })], sharesOnDestinations: { D: [share().share] } }));
  expect(safeSteps(d)).toEqual([]);
});

test('server_migrating with no migration anywhere: stuck, the reset printed for a person', () => {
  const d = diagnose(ev({ server: server({ status: 'server_migrating', taskState: 'migration_in_progress' }) }));
  expect(d.verdict).toBe('stuck-migrating');
  expect(d.findings[0].steps).toEqual([expect.objectContaining({ kind: 'manual', command: 'manila share-server-reset-task-state S && openstack share server set --status active S && openstack share set --status available sh1' })]);
  expect(safeSteps(d)).toEqual([]);
});

test('shares left migrating on an active server: stuck, never fixed', () => {
  const d = diagnose(ev({ shares: [share({}, 'migrating')] }));
  expect(d.verdict).toBe('stuck-migrating');
  expect(safeSteps(d)).toEqual([]);
});

test('rules queued_to_apply or in error, and a share instance in error on the destination: printed, never fixed', () => {
  const d = diagnose(
    ev({
      shares: [
        share({
          rules: [{ id: 'r1', accessType: 'ip', accessTo: '10.0.0.1', accessLevel: 'rw', state: 'queued_to_apply' }],
          instances: [
            { id: 'i1', status: 'available', shareServerId: 'S' },
            { id: 'i2', status: 'error', shareServerId: 'D' },
          ],
        }),
      ],
    }),
  );
  expect(d.findings.map((f) => f.state)).toEqual(['rules-stuck', 'instance-error']);
  expect(d.findings[1].summary).toContain('in error on a destination');
  expect(d.findings[1].steps[0].why).toMatch(/can lose data\. Never automated/);
  expect(safeSteps(d)).toEqual([]);
});

test("Manila's user messages and the journal are shown as evidence", () => {
  const d = diagnose(
    ev({
      messages: [{ id: 'm1', resourceType: 'SHARE', resourceId: 'sh1', userMessage: 'allocate host: No storage could be allocated', detailId: '002', createdAt: '2026-12-07T04:51:00', requestId: 'req-1' }],
      journal: [{ ts: '2026-12-07T04:52:00.000Z', phase: 'failed', code: 'MP_MIGRATION_ERROR' }],
    }),
  );
  expect(d.context).toEqual([
    'Manila message m1 about SHARE sh1 at 2026-12-07T04:51:00: "allocate host: No storage could be allocated" (detail_id 002) [request req-1]',
    'journal 2026-12-07T04:52:00.000Z: failed MP_MIGRATION_ERROR',
  ]);
});

test('with no server named: marks, migration states and debris through its source; retired sources left alone', () => {
  const all = [
    server({ id: 'ok' }),
    server({ id: 'marked', taskState: 'migration_cancelled' }),
    server({ id: 'src' }),
    dest({ id: 'leftover', sourceShareServerId: 'src', status: 'inactive', taskState: 'migration_cancelled' }),
    server({ id: 'old', status: 'inactive', taskState: 'migration_success' }),
    server({ id: 'moved', sourceShareServerId: 'old' }),
  ];
  expect(serversToExamine(all).map((s) => s.id)).toEqual(['marked', 'src', 'moved']);
});

test('a failed switchover (source, destination and shares in error): never fixed, the live copy is for a person to find', () => {
  const d = diagnose(ev({ server: server({ status: 'error', taskState: 'migration_error' }), destinations: [dest({ status: 'error', taskState: 'migration_error' })], shares: [share({}, 'error')], sharesOnDestinations: { D: [] } }));
  expect(d.verdict).toBe('failed-complete');
  expect(d.findings[0].steps[0].why).toMatch(/never safe to automate/);
  expect(safeSteps(d)).toEqual([]);
});

describe('a share that moves by itself (no share server), read as doctor reads a server', () => {
  const POOL = 'node1@delta#fake_pool_for_DELTA';
  const flat = (over: { status?: string; taskState?: string } = {}): ServerEvidence => {
    const sh = { id: 'F1', name: 'mp-flat-1', projectId: 'p', status: over.status ?? 'available', size: 1, hasReplicas: false, isSoftDeleted: false, host: POOL, taskState: over.taskState };
    return ev({
      server: shareRecord({ ...sh, updatedAt: '2026-12-07T04:50:00.000000' }),
      shares: [share({ share: sh, instances: [{ id: 'i1', shareId: 'F1', status: sh.status === 'migrating' ? 'migrating' : 'available', host: POOL }] })],
    });
  };

  test('a cancelled mark on an available share: clearing it is safe, with the share reset command', () => {
    const d = diagnose(flat({ taskState: 'migration_cancelled' }));
    expect(d).toMatchObject({ kind: 'share', verdict: 'cancelled-mark' });
    expect(safeSteps(d)).toEqual([
      expect.objectContaining({ kind: 'safe', command: 'manila reset-task-state F1', action: { type: 'reset-task-state', serverId: 'F1', kind: 'share' } }),
    ]);
    expect(d.findings[0].summary).toContain('the source and its shares are healthy');
    expect(d.findings[0].evidence[0]).toBe(`share F1: status available, task_state migration_cancelled, host ${POOL}, updated 2026-12-07T04:50:00.000000`);
  });

  test('migrating with its destination instance: migrating normally, nothing to do', () => {
    const e = flat({ status: 'migrating', taskState: 'migration_driver_in_progress' });
    const d = diagnose({ ...e, destinations: [{ ...shareRecord({ id: 'i2', projectId: '', status: 'migrating_to', size: 1, host: 'node1@epsilon#p', hasReplicas: false, isSoftDeleted: false }), sourceShareServerId: 'F1' }] });
    expect(d.findings).toEqual([expect.objectContaining({ state: 'migrating', summary: expect.stringContaining('migrating normally to node1@epsilon#p'), steps: [] })]);
  });

  test('migrating with no destination instance: stuck, and the manual reset names the share commands', () => {
    const d = diagnose(flat({ status: 'migrating', taskState: 'migration_driver_in_progress' }));
    expect(d.verdict).toBe('stuck-migrating');
    expect(d.findings[0].summary).toContain('no destination in migrating_to');
    expect(d.findings[0].steps[0]).toMatchObject({ kind: 'manual', command: 'openstack share set --status available F1 && manila reset-task-state F1' });
  });
});
