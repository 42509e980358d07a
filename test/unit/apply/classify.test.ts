import { classify, type Observation } from '../../../lib/apply/stage';
import { exitCodeFor, fairOrder } from '../../../lib/apply/runner';
import type { MoveResult } from '../../../lib/apply/result';
import type { ShareServer } from '../../../lib/manila/types';

function srv(over: Partial<ShareServer> = {}): ShareServer {
  return { id: 'S', projectId: 'p', status: 'active', host: 'node1@alpha', taskState: null, sourceShareServerId: null, shareNetworkSubnetIds: [], ...over };
}
const dest = (over: Partial<ShareServer> = {}): ShareServer => srv({ id: 'D', status: 'server_migrating_to', host: 'node1@beta', sourceShareServerId: 'S', ...over });

const T = 'node1@beta';

const cases: Array<[string, Observation, string]> = [
  ['active on the source host: ready to start', { source: srv() }, 'ready'],
  ['active after an earlier failed migration: ready again', { source: srv({ taskState: 'migration_error' }) }, 'ready'],
  ['active after a cancel: ready again', { source: srv({ taskState: 'migration_cancelled' }) }, 'ready'],
  ['already on the target host: at-target', { source: srv({ host: T }) }, 'at-target'],
  ['a successful earlier migration to the target: at-target', { source: srv({ host: T, taskState: 'migration_success' }) }, 'at-target'],
  ['start accepted, no destination yet: phase1', { source: srv({ status: 'server_migrating', taskState: 'migration_starting' }) }, 'phase1'],
  ['driver in progress toward the target: phase1', { source: srv({ status: 'server_migrating', taskState: 'migration_driver_in_progress' }), destination: dest() }, 'phase1'],
  ['phase 1 done: phase1-done', { source: srv({ status: 'server_migrating', taskState: 'migration_driver_phase1_done' }), destination: dest() }, 'phase1-done'],
  ['completing: completing', { source: srv({ status: 'server_migrating', taskState: 'migration_completing' }), destination: dest() }, 'completing'],
  ['cancel in progress: cancelling', { source: srv({ status: 'server_migrating', taskState: 'migration_cancel_in_progress' }) }, 'cancelling'],
  ['migrating to another host: elsewhere', { source: srv({ status: 'server_migrating', taskState: 'migration_driver_in_progress' }), destination: dest({ host: 'node1@gamma' }) }, 'elsewhere'],
  ['source gone, successor active on target: at-target', { successor: srv({ id: 'D', host: T, taskState: 'migration_success', sourceShareServerId: 'S' }) }, 'at-target'],
  ['source inactive after success, successor active on target: at-target', { source: srv({ status: 'inactive', taskState: 'migration_success' }), successor: srv({ id: 'D', host: T, taskState: 'migration_success' }) }, 'at-target'],
  ['source deleting, successor still switching over: completing', { source: srv({ status: 'deleting' }), successor: dest({ taskState: 'migration_completing' }) }, 'completing'],
  ['source gone, successor active elsewhere: moved-elsewhere', { successor: srv({ id: 'D', host: 'node1@gamma' }) }, 'moved-elsewhere'],
  ['source gone and no successor: gone', {}, 'gone'],
  ['source in error (driver complete raised): stuck', { source: srv({ status: 'error', taskState: 'migration_error' }) }, 'stuck'],
  ['server_migrating with no task state: stuck', { source: srv({ status: 'server_migrating', taskState: null }) }, 'stuck'],
];

describe('classify', () => {
  test.each(cases)('%s', (_name, obs, kind) => {
    expect(classify(obs, T).kind).toBe(kind);
  });
});

describe('fairOrder', () => {
  test('resumes first, then round-robin over source hosts', () => {
    const m = (key: string, from: string, action = 'migrate') => ({ key, from, action });
    const order = fairOrder([m('a1', 'a'), m('a2', 'a'), m('a3', 'a'), m('b1', 'b'), m('r', 'a', 'resume'), m('c1', 'c')]);
    expect(order.map((x) => x.key)).toEqual(['r', 'a1', 'b1', 'c1', 'a2', 'a3']);
  });
});

describe('exitCodeFor', () => {
  const r = (phase: MoveResult['phase']): MoveResult => ({ key: phase, phase, server: 's', from: 'a', to: 'b', elapsed: 0 });
  test.each([
    [[r('done'), r('done')], 0],
    [[], 0],
    [[r('done'), r('awaiting-completion')], 4],
    [[r('detached')], 4],
    [[r('timed-out'), r('blocked')], 3],
    [[r('failed')], 3],
    [[r('stale')], 3],
    // a --no-wait pass: one move failed while another still runs, so the schedule keeps going
    [[r('failed'), r('phase1')], 4],
    [[r('blocked'), r('awaiting-window')], 4],
    [[r('failed'), r('awaiting-completion')], 3],
    // an outage past --outage-limit stopped the run: its own code, whatever else happened
    [[{ ...r('detached'), code: 'MP_OUTAGE' }, r('failed')], 5],
  ])('%j -> %i', (results, code) => {
    expect(exitCodeFor(results as MoveResult[])).toBe(code);
  });
});
