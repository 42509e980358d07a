/**
 * The runner's pure decisions, as table cases with a fake clock: every state the old Move
 * handled, and the reconciler's rules (admission from Manila's counts, adaptive polling,
 * windows, short passes, failures since the plan).
 */
import { countInFlight } from '../../../lib/apply/admission';
import { decide, type Decision, type PassObservation } from '../../../lib/apply/decide';
import { freshMemory, type MoveMemory, type TrackedMove } from '../../../lib/apply/memory';
import { APPLY_DEFAULTS, policyOf, type ApplyOptions } from '../../../lib/apply/options';
import type { Observation } from '../../../lib/apply/stage';
import type { MigrationCheckResult, ShareServer } from '../../../lib/manila/types';
import type { Completion, MigrateEntry } from '../../../lib/plan/types';

const T0 = Date.parse('2026-12-01T10:00:00Z');
const FROM = 'node1@alpha';
const TO = 'node1@beta';

function srv(over: Partial<ShareServer> = {}): ShareServer {
  return { id: 'S', projectId: 'p', status: 'active', host: FROM, taskState: null, sourceShareServerId: null, shareNetworkSubnetIds: [], ...over };
}
const migrating = (taskState: string, over: Partial<ShareServer> = {}): ShareServer => srv({ status: 'server_migrating', taskState, ...over });
const dest = (over: Partial<ShareServer> = {}): ShareServer => srv({ id: 'D', status: 'server_migrating_to', host: TO, sourceShareServerId: 'S', taskState: 'migration_driver_in_progress', ...over });

function entry(over: Partial<MigrateEntry> = {}, completion: Completion = 'auto'): MigrateEntry {
  return {
    action: 'migrate',
    key: 'k1',
    declaration: 'stack/p',
    server: { id: 'S', host: FROM, status: 'active', taskState: null, projectId: 'p', shareIds: ['sh1'] },
    from: FROM,
    to: TO,
    flags: { writable: false, nondisruptive: false, preserveSnapshots: false },
    newShareNetworkId: null,
    completion,
    ...over,
  };
}

const compatible: MigrationCheckResult = {
  compatible: true,
  requested: {},
  supported: { writable: true, nondisruptive: false, preserveSnapshots: true, migrationCancel: true, migrationGetProgress: true, shareNetworkId: 'n' },
};
const incompatible: MigrationCheckResult = { ...compatible, compatible: false };

const NO_FLIGHT = countInFlight([]);

interface Case {
  readonly name: string;
  readonly obs?: Observation;
  readonly memory?: Partial<MoveMemory>;
  readonly entry?: MigrateEntry;
  readonly opts?: ApplyOptions;
  readonly now?: number;
  readonly pass?: Partial<PassObservation>;
  readonly expect: Partial<{ action: string; phase: string; code: string; message: RegExp; hint: RegExp; progress: boolean; nextPollIn: number }>;
}

function run(c: Case): Decision {
  const now = c.now ?? T0;
  const t: TrackedMove = { entry: c.entry ?? entry(), memory: { ...freshMemory(T0 - 1_000), ...(c.memory ?? {}) } };
  const pass: PassObservation = { moves: new Map(c.obs ? [[t.entry.key, c.obs]] : []), inFlight: NO_FLIGHT, ...(c.pass ?? {}) };
  return decide(pass, [t], policyOf(c.opts ?? {}), now)[0];
}

function summary(d: Decision, now: number): Record<string, unknown> {
  const a = d.action;
  const o = a.kind === 'finish' ? a.outcome : undefined;
  return {
    action: a.kind,
    phase: d.event?.phase ?? d.memory.phase,
    code: o?.code,
    message: o?.message ?? d.event?.message ?? d.event?.waiting,
    hint: o?.hint,
    progress: d.progress,
    nextPollIn: d.memory.nextPollAt - now,
  };
}

const checked = { check: { at: T0 - 5_000, result: compatible } };
// This run started it: it read the export locations when it checked.
const started = { seenInFlight: true, start: { at: T0 - 60_000 }, check: { at: T0 - 60_000, result: compatible }, exportsBefore: {} };
const HOUR = 3_600_000;

const cases: Case[] = [
  // -- ready: check, then start, within the limits counted from Manila
  { name: 'ready with no check yet: check first, and decide again at once', obs: { source: srv() }, expect: { action: 'check', phase: 'checking', nextPollIn: 0 } },
  { name: 'ready with a fresh compatible check and a free slot: start', obs: { source: srv() }, memory: checked, expect: { action: 'start', phase: 'starting' } },
  { name: 'ready with a check older than 10 minutes: check again', obs: { source: srv() }, memory: { check: { at: T0 - APPLY_DEFAULTS.checkMaxAgeMs - 1, result: compatible } }, expect: { action: 'check' } },
  { name: 'ready but the pass did not list what is in flight: queue until it does', obs: { source: srv() }, memory: checked, pass: { inFlight: undefined }, expect: { action: 'queue', phase: 'queued' } },
  {
    name: 'ready but the cloud already runs `parallel` migrations (whoever started them): queue, saying why',
    obs: { source: srv() },
    memory: checked,
    opts: { parallel: 2 },
    pass: { inFlight: countInFlight([migrating('migration_driver_in_progress', { id: 'X1' }), migrating('migration_starting', { id: 'X2', host: 'node1@gamma' })]) },
    expect: { action: 'queue', message: /2 migrations in flight in the cloud, limit 2 \(parallel\)/ },
  },
  {
    name: 'ready, per-source limit reached by a migration started by hand: queue',
    obs: { source: srv() },
    memory: checked,
    opts: { maxPerSource: 1 },
    pass: { inFlight: countInFlight([migrating('migration_driver_in_progress', { id: 'X1' })]) },
    expect: { action: 'queue', message: /from node1@alpha, limit 1 \(max per source\)/ },
  },
  {
    name: 'ready, a migration whose destination Manila does not show yet counts toward every destination',
    obs: { source: srv() },
    memory: checked,
    opts: { maxPerDestination: 1 },
    pass: { inFlight: countInFlight([migrating('migration_starting', { id: 'X1', host: 'node1@gamma' })]) },
    expect: { action: 'queue', message: /toward node1@beta \(1 whose destination Manila does not show yet\), limit 1/ },
  },
  {
    name: 'ready, the destination limit counts destinations Manila shows: another host is free',
    obs: { source: srv() },
    memory: checked,
    opts: { maxPerDestination: 1 },
    pass: { inFlight: countInFlight([migrating('migration_driver_in_progress', { id: 'X1', host: 'node1@gamma' }), dest({ id: 'XD', sourceShareServerId: 'X1', host: 'node1@gamma' })]) },
    expect: { action: 'start' },
  },
  {
    name: 'migration_check says no to a demand: blocked, naming it, nothing started',
    obs: { source: srv() },
    entry: entry({ flags: { writable: false, nondisruptive: true, preserveSnapshots: false } }),
    memory: { check: { at: T0, result: incompatible } },
    expect: { action: 'finish', phase: 'blocked', code: 'MP_INCOMPATIBLE', message: /cannot meet nondisruptive/, hint: /No migration was started/ },
  },
  {
    name: 'migration_check says no without a demand: blocked, Manila gives no reason',
    obs: { source: srv() },
    memory: { check: { at: T0, result: incompatible } },
    expect: { action: 'finish', phase: 'blocked', code: 'MP_INCOMPATIBLE', message: /Manila gives no reason/ },
  },
  {
    name: 'migration_check failed (e.g. 409 share not available): the move fails with Manila\'s message',
    obs: { source: srv() },
    memory: { check: { at: T0, error: { code: 'MP_MANILA_CONFLICT', message: 'migration_check: Manila answered 409: Share X status must be available', hint: 'h', ambiguous: false } } },
    expect: { action: 'finish', phase: 'failed', code: 'MP_MANILA_CONFLICT', message: /409/ },
  },
  {
    name: 'first look: the server is not where the plan saw it: stale',
    obs: { source: srv({ host: 'node1@gamma' }) },
    expect: { action: 'finish', phase: 'stale', code: 'MP_PLAN_STALE', hint: /--replan/ },
  },
  { name: 'first look, elsewhere, with --replan: move it from where it is', obs: { source: srv({ host: 'node1@gamma' }) }, opts: { replan: true }, expect: { action: 'check' } },
  // -- failures and cancels, seen by this run or since the plan
  {
    name: 'back to active after this run saw it migrate, cancelled: cancelled',
    obs: { source: srv({ taskState: 'migration_cancelled' }) },
    memory: started,
    expect: { action: 'finish', phase: 'cancelled', code: 'MP_CANCELLED' },
  },
  {
    name: 'back to active with migration_error after the start: failed, naming the failed destination to delete',
    obs: { source: srv({ taskState: 'migration_error' }), leftovers: ['D1'] },
    memory: started,
    expect: { action: 'finish', phase: 'failed', code: 'MP_MIGRATION_ERROR', hint: /openstack share server delete D1/ },
  },
  {
    name: 'migration_error since the plan (another run, a pass before this one): failed, not started again',
    obs: { source: srv({ taskState: 'migration_error' }) },
    expect: { action: 'finish', phase: 'failed', code: 'MP_MIGRATION_ERROR' },
  },
  { name: 'migration_cancelled since the plan (manila-placement cancel): cancelled, not started again', obs: { source: srv({ taskState: 'migration_cancelled' }) }, expect: { action: 'finish', phase: 'cancelled' } },
  {
    name: 'the plan already saw the failure (planned again after fixing it): start anew',
    obs: { source: srv({ taskState: 'migration_error' }) },
    entry: entry({ server: { id: 'S', host: FROM, status: 'active', taskState: 'migration_error', projectId: 'p', shareIds: ['sh1'] } }),
    expect: { action: 'check' },
  },
  { name: 'a failure since the plan, with --replan: start anew', obs: { source: srv({ taskState: 'migration_error' }) }, opts: { replan: true }, expect: { action: 'check' } },
  {
    name: 'start answer lost (timeout), Manila shows no migration yet: keep watching, resend nothing',
    obs: { source: srv() },
    memory: { ...checked, start: { at: T0 - 5_000, error: { code: 'MP_TIMEOUT', message: 'no answer', hint: '', ambiguous: true } } },
    expect: { action: 'leave', phase: 'starting', nextPollIn: APPLY_DEFAULTS.pollIntervalMs },
  },
  {
    name: 'start answer lost and Manila still shows none after the window: failed, nothing was resent',
    obs: { source: srv() },
    memory: { ...checked, start: { at: T0 - 21_000, error: { code: 'MP_TIMEOUT', message: 'no answer', hint: '', ambiguous: true } } },
    expect: { action: 'finish', phase: 'failed', code: 'MP_TIMEOUT', message: /nothing was resent/ },
  },
  {
    name: 'start refused (409): failed with Manila\'s code and hint',
    obs: { source: srv() },
    memory: { ...checked, start: { at: T0 - 1_000, error: { code: 'MP_MANILA_CONFLICT', message: 'Manila answered 409', hint: 'its message names the state', ambiguous: false } } },
    expect: { action: 'finish', phase: 'failed', code: 'MP_MANILA_CONFLICT', hint: /names the state/ },
  },
  // -- where the server went
  { name: 'gone without a successor: failed', obs: {}, expect: { action: 'finish', phase: 'failed', code: 'MP_SERVER_GONE' } },
  { name: 'migrated elsewhere since the plan: stale', obs: { successor: srv({ id: 'N', host: 'node1@gamma', sourceShareServerId: 'S' }) }, expect: { action: 'finish', phase: 'stale', code: 'MP_PLAN_STALE' } },
  {
    name: 'migrating to another host: conflict',
    obs: { source: migrating('migration_driver_in_progress'), destination: dest({ host: 'node1@gamma' }) },
    expect: { action: 'finish', phase: 'conflict', code: 'MP_MIGRATING_ELSEWHERE', hint: /manila-placement cancel S/ },
  },
  { name: 'status error (driver complete raised): stuck, with the reset commands', obs: { source: srv({ status: 'error', taskState: 'migration_error' }) }, expect: { action: 'finish', phase: 'failed', code: 'MP_SERVER_STUCK', hint: /reset-task-state S/ } },
  // -- at the target
  { name: 'already on the target with the plan\'s id: done, nothing to do', obs: { source: srv({ host: TO }) }, expect: { action: 'finish', phase: 'done', message: /already on node1@beta/ } },
  {
    name: 'a successor that finished long before this run, never seen in flight: done without reading it again',
    obs: { successor: srv({ id: 'N', host: TO, taskState: 'migration_success', sourceShareServerId: 'S', updatedAt: new Date(T0 - 2 * 3_600_000).toISOString() }) },
    expect: { action: 'finish', phase: 'done', message: /S → N on node1@beta \(finished .*, before this run; not verified again\)/ },
  },
  {
    name: 'a successor that finished 10 min before this run (the --no-wait pass that completed it ended first): verify it',
    obs: { successor: srv({ id: 'N', host: TO, taskState: 'migration_success', sourceShareServerId: 'S', updatedAt: new Date(T0 - 600_000).toISOString() }) },
    expect: { action: 'verify', phase: 'verifying' },
  },
  {
    name: 'a successor that finished moments before this run (a pass killed after the switchover): verify it',
    obs: { successor: srv({ id: 'N', host: TO, taskState: 'migration_success', sourceShareServerId: 'S', updatedAt: new Date(T0 - 30_000).toISOString() }) },
    expect: { action: 'verify', phase: 'verifying' },
  },
  { name: 'a successor on the target: verify it', obs: { successor: srv({ id: 'N', host: TO, taskState: 'migration_success', sourceShareServerId: 'S' }) }, memory: started, expect: { action: 'verify', phase: 'verifying' } },
  {
    name: 'verification passed: done, with what was verified',
    obs: { successor: srv({ id: 'N', host: TO, sourceShareServerId: 'S' }) },
    memory: {
      ...started,
      verifySince: T0 - 1_000,
      verification: {
        ok: true,
        problems: [],
        shares: 1,
        accessRules: 1,
        snapshots: 1,
        sourceGone: true,
        exportLocations: {},
        readOnly: false,
        queuedRules: [],
      },
    },
    expect: { action: 'finish', phase: 'done', message: /S → N on node1@beta: 1 share, 1 access rule, 1 snapshot verified/ },
  },
  {
    name: 'verification not settled yet: verify again',
    obs: { successor: srv({ id: 'N', host: TO, sourceShareServerId: 'S' }) },
    memory: { ...started, verifySince: T0 - 10_000, verification: { ok: false, problems: ['access rule ip:1 of share sh1 is queued_to_apply'], shares: 1, accessRules: 1, snapshots: 0, sourceGone: true, exportLocations: {}, readOnly: false, queuedRules: [] } },
    expect: { action: 'verify' },
  },
  {
    name: 'verification still failing at its deadline: failed, with the problems',
    obs: { successor: srv({ id: 'N', host: TO, sourceShareServerId: 'S' }) },
    memory: { ...started, verifySince: T0 - 121_000, verification: { ok: false, problems: ['share sh1 is error, not available'], shares: 1, accessRules: 0, snapshots: 0, sourceGone: true, exportLocations: {}, readOnly: false, queuedRules: [] } },
    expect: { action: 'finish', phase: 'failed', code: 'MP_VERIFY_FAILED', message: /share sh1 is error/ },
  },
  { name: 'at the target with --no-verify: done', obs: { successor: srv({ id: 'N', host: TO, sourceShareServerId: 'S' }) }, opts: { verify: false }, memory: started, expect: { action: 'finish', phase: 'done' } },
  // -- phase 1
  {
    name: 'phase 1, driver in progress, progress not asked for a minute: wait, and ask it for the display',
    obs: { source: migrating('migration_driver_in_progress'), destination: dest() },
    memory: started,
    expect: { action: 'leave', phase: 'phase1', progress: true },
  },
  {
    name: 'phase 1, progress asked 30 s ago: not again (at most once a minute)',
    obs: { source: migrating('migration_driver_in_progress'), destination: dest() },
    memory: { ...started, progressAt: T0 - 30_000 },
    expect: { action: 'leave', progress: false },
  },
  {
    name: 'phase 1, the driver has no get_progress: never asked',
    obs: { source: migrating('migration_driver_in_progress'), destination: dest() },
    memory: { ...started, check: { at: T0, result: { ...compatible, supported: { ...compatible.supported, migrationGetProgress: false } } } },
    expect: { action: 'leave', progress: false },
  },
  {
    name: 'phase 1 past its deadline: timed out, left running',
    obs: { source: migrating('migration_driver_in_progress'), destination: dest() },
    memory: { ...started, stage: { kind: 'phase1', since: T0 - 25 * HOUR } },
    expect: { action: 'finish', phase: 'timed-out', code: 'MP_DEADLINE', message: /left running/ },
  },
  {
    name: 'phase 1 past its deadline with --cancel-on-timeout: cancel',
    obs: { source: migrating('migration_driver_in_progress'), destination: dest() },
    opts: { cancelOnTimeout: true },
    memory: { ...started, stage: { kind: 'phase1', since: T0 - 25 * HOUR } },
    expect: { action: 'cancel', phase: 'cancelling' },
  },
  {
    name: 'deadline cancel accepted: cancelled',
    obs: { source: migrating('migration_driver_in_progress'), destination: dest() },
    opts: { cancelOnTimeout: true },
    memory: { ...started, stage: { kind: 'phase1', since: T0 - 25 * HOUR }, cancel: { at: T0 - 1_000 } },
    expect: { action: 'finish', phase: 'cancelled', code: 'MP_DEADLINE' },
  },
  {
    name: 'deadline cancel refused: timed out, cancel by hand',
    obs: { source: migrating('migration_driver_in_progress'), destination: dest() },
    opts: { cancelOnTimeout: true },
    memory: { ...started, stage: { kind: 'phase1', since: T0 - 25 * HOUR }, cancel: { at: T0 - 1_000, error: { code: 'MP_MANILA_BAD_REQUEST', message: 'no', hint: '', ambiguous: false } } },
    expect: { action: 'finish', phase: 'timed-out', hint: /manila-placement cancel S/ },
  },
  {
    name: 'first look of a run at a phase 1 that Manila updated 25 h ago: the deadline counts from Manila\'s record',
    obs: { source: migrating('migration_driver_in_progress', { updatedAt: '2026-11-30T09:00:00.000000' }), destination: dest() },
    expect: { action: 'finish', phase: 'timed-out' },
  },
  // -- phase 1 done: the completion policy
  { name: 'phase 1 done, auto: complete', obs: { source: migrating('migration_driver_phase1_done'), destination: dest({ taskState: 'migration_driver_phase1_done' }) }, memory: started, expect: { action: 'complete', phase: 'completing' } },
  {
    name: 'phase 1 done, manual: stop there (exit 4), hint apply --complete',
    obs: { source: migrating('migration_driver_phase1_done') },
    entry: entry({}, 'manual'),
    memory: started,
    expect: { action: 'finish', phase: 'awaiting-completion', hint: /apply --complete/ },
  },
  { name: 'phase 1 done, manual, with apply --complete: complete', obs: { source: migrating('migration_driver_phase1_done') }, entry: entry({}, 'manual'), opts: { completeManual: true }, memory: started, expect: { action: 'complete' } },
  {
    name: 'phase 1 done inside the window: complete',
    obs: { source: migrating('migration_driver_phase1_done') },
    entry: entry({}, { window: { cron: '0 10 * * *', durationMinutes: 60 } }),
    memory: started,
    now: T0 + 30 * 60_000,
    expect: { action: 'complete' },
  },
  {
    name: 'phase 1 done outside the window: wait for it, read again at the latest when it opens',
    obs: { source: migrating('migration_driver_phase1_done') },
    entry: entry({}, { window: { cron: '0 10 * * *', durationMinutes: 60 } }),
    memory: { ...started, lastChangeAt: T0 + 2 * HOUR - 10_000 },
    now: T0 + 2 * HOUR,
    expect: { action: 'leave', phase: 'phase1-done', nextPollIn: APPLY_DEFAULTS.pollIntervalMs },
  },
  {
    name: 'phase 1 done outside the window, --no-wait-for-window: the run ends there as awaiting-window',
    obs: { source: migrating('migration_driver_phase1_done') },
    entry: entry({}, { window: { cron: '0 10 * * *', durationMinutes: 60 } }),
    opts: { waitForWindow: false },
    memory: started,
    now: T0 + 2 * HOUR,
    expect: { action: 'finish', phase: 'awaiting-window', message: /opens 2026-12-02T10:00:00.000Z/ },
  },
  {
    name: 'phase 1 done outside the window, apply --complete: the window is overridden',
    obs: { source: migrating('migration_driver_phase1_done') },
    entry: entry({}, { window: { cron: '0 10 * * *', durationMinutes: 60 } }),
    opts: { completeManual: true },
    memory: started,
    now: T0 + 2 * HOUR,
    expect: { action: 'complete' },
  },
  {
    name: 'complete accepted, Manila has not picked it up yet: wait (never send it again)',
    obs: { source: migrating('migration_driver_phase1_done') },
    memory: { ...started, complete: { at: T0 - 2_000 } },
    expect: { action: 'leave', phase: 'completing', nextPollIn: APPLY_DEFAULTS.pollIntervalMs },
  },
  {
    name: 'complete answer lost, still phase 1 done after the window: failed, nothing was resent',
    obs: { source: migrating('migration_driver_phase1_done') },
    memory: { ...started, complete: { at: T0 - 30_000, error: { code: 'MP_CONNECTION', message: 'reset', hint: '', ambiguous: true } } },
    expect: { action: 'finish', phase: 'failed', message: /no completion .*nothing was resent/ },
  },
  // -- switchover and cancel
  { name: 'completing: wait', obs: { source: migrating('migration_completing'), destination: dest({ taskState: 'migration_completing' }) }, memory: started, expect: { action: 'leave', phase: 'completing' } },
  {
    name: 'completing past its deadline: timed out',
    obs: { source: migrating('migration_completing') },
    memory: { ...started, stage: { kind: 'completing', since: T0 - 2 * HOUR } },
    expect: { action: 'finish', phase: 'timed-out', code: 'MP_DEADLINE' },
  },
  { name: 'cancel in progress: wait', obs: { source: migrating('migration_cancel_in_progress') }, memory: started, expect: { action: 'leave', phase: 'cancelling' } },
  {
    name: 'cancel stuck past its deadline: failed, with the reset commands',
    obs: { source: migrating('migration_cancel_in_progress') },
    memory: { ...started, stage: { kind: 'cancelling', since: T0 - HOUR } },
    expect: { action: 'finish', phase: 'failed', code: 'MP_CANCEL_STUCK', hint: /reset-task-state/ },
  },
  // -- passes, detach, moves not read this pass
  { name: 'not read this pass: left alone', memory: started, expect: { action: 'leave' } },
  { name: 'Ctrl-C before the move started: detached, not started', pass: { detached: true }, expect: { action: 'finish', phase: 'detached', message: /not started/ } },
  {
    name: 'Ctrl-C while it migrates: detached, Manila carries on',
    obs: { source: migrating('migration_driver_in_progress') },
    memory: started,
    pass: { detached: true },
    expect: { action: 'finish', phase: 'detached', message: /Manila carries on/ },
  },
  {
    name: '--no-wait, outside the window: reported as awaiting-window, not finished',
    obs: { source: migrating('migration_driver_phase1_done') },
    entry: entry({}, { window: { cron: '0 10 * * *', durationMinutes: 60 } }),
    opts: { noWait: true },
    memory: started,
    now: T0 + 2 * HOUR,
    expect: { action: 'leave', phase: 'awaiting-window' },
  },
];

describe('decide', () => {
  test.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const now = c.now ?? T0;
    const got = summary(run(c), now);
    const want = c.expect;
    for (const [k, v] of Object.entries(want)) {
      if (v instanceof RegExp) expect({ [k]: got[k] }).toEqual({ [k]: expect.stringMatching(v) });
      else expect({ [k]: got[k] }).toEqual({ [k]: v });
    }
  });
});

describe('decide: polling', () => {
  const phase1 = { source: migrating('migration_driver_in_progress'), destination: dest() };

  test('the interval grows while nothing changes, up to the cap, and drops when something changes', () => {
    const p = policyOf({});
    const intervals: number[] = [];
    let memory: MoveMemory = { ...freshMemory(T0), ...started };
    let now = T0;
    for (let i = 0; i < 120; i++) {
      const d = decide({ moves: new Map([['k1', phase1]]) }, [{ entry: entry(), memory }], p, now)[0];
      intervals.push(d.memory.nextPollAt - now);
      memory = d.memory;
      now = d.memory.nextPollAt;
    }
    expect(intervals[0]).toBe(p.pollIntervalMs);
    expect(intervals.every((x, i) => i === 0 || x >= intervals[i - 1])).toBe(true);
    expect(Math.max(...intervals)).toBe(p.maxPollIntervalMs);
    const changed = decide({ moves: new Map([['k1', { ...phase1, source: migrating('migration_driver_phase1_done') }]]) }, [{ entry: entry(), memory }], p, now)[0];
    expect(changed.action.kind).toBe('complete');
    expect(changed.memory.nextPollAt - now).toBe(p.pollIntervalMs);
  });

  test('the next poll counts from when the reads were sent, not from when their answers came back', () => {
    const p = policyOf({});
    const memory: MoveMemory = { ...freshMemory(T0), ...started };
    const now = T0 + 10_000;
    const sent = now - 450; // a list that took 0.45 s
    const d = decide({ moves: new Map([['k1', phase1]]), readAt: sent }, [{ entry: entry(), memory }], p, now)[0];
    expect(d.action.kind).toBe('leave');
    expect(d.memory.nextPollAt).toBe(sent + p.pollIntervalMs);
    // A read time in the future (a clock that went back) counts as now.
    const later = decide({ moves: new Map([['k1', phase1]]), readAt: now + 5_000 }, [{ entry: entry(), memory }], p, now)[0];
    expect(later.memory.nextPollAt).toBe(now + p.pollIntervalMs);
  });

  test('a six-hour phase 1 costs about a read a minute: under 450 decisions', () => {
    const p = policyOf({});
    let memory: MoveMemory = { ...freshMemory(T0), ...started };
    let now = T0;
    let reads = 0;
    while (now < T0 + 6 * HOUR) {
      memory = decide({ moves: new Map([['k1', phase1]]) }, [{ entry: entry(), memory }], p, now)[0].memory;
      now = memory.nextPollAt;
      reads++;
    }
    expect(reads).toBeGreaterThan(350);
    expect(reads).toBeLessThan(450);
  });

  test('an event is reported when the phase or task state changes, not on every read', () => {
    const p = policyOf({});
    const first = decide({ moves: new Map([['k1', phase1]]) }, [{ entry: entry(), memory: { ...freshMemory(T0), ...started, phase: 'starting' } }], p, T0)[0];
    expect(first.event?.phase).toBe('phase1');
    const again = decide({ moves: new Map([['k1', phase1]]) }, [{ entry: entry(), memory: first.memory }], p, T0 + 2_000)[0];
    expect(again.event).toBeUndefined();
  });
});

describe('decide: admission in fair order', () => {
  test('of three ready moves with parallel 2 and one in flight elsewhere, only the first starts; the batch never exceeds the limit', () => {
    const p = policyOf({ parallel: 2 });
    const moves: TrackedMove[] = ['k1', 'k2', 'k3'].map((key, i) => ({
      entry: entry({ key, server: { id: `S${i}`, host: FROM, status: 'active', taskState: null, projectId: 'p', shareIds: ['x'] } }),
      memory: { ...freshMemory(T0), ...checked },
    }));
    const obs = new Map(moves.map((m, i) => [m.entry.key, { source: srv({ id: `S${i}` }) }] as const));
    const inFlight = countInFlight([migrating('migration_driver_in_progress', { id: 'OTHER', host: 'node1@gamma' })]);
    const ds = decide({ moves: obs, inFlight }, moves, p, T0);
    expect(ds.map((d) => d.action.kind)).toEqual(['start', 'queue', 'queue']);
  });
});

describe('decide: what the tenants see', () => {
  const p = policyOf({});
  const one = (obs: Observation, memory: Partial<MoveMemory>, e = entry({ server: { id: 'S', host: FROM, status: 'active', taskState: null, projectId: 'p', shareIds: ['sh1'], shares: [{ id: 'sh1', name: 'data', size: 1, snapshots: 0 }] } })) =>
    decide({ moves: new Map([['k1', obs]]), inFlight: NO_FLIGHT }, [{ entry: e, memory: { ...freshMemory(T0), ...memory } }], p, T0)[0];

  test('before the start, the export locations are read (to tell the tenants what to remount)', () => {
    expect(one({ source: srv() }, {}).reads).toEqual(['exports-before']);
    expect(one({ source: srv() }, { exportsBefore: { sh1: ['10.0.0.20:/p'] } }).reads).toEqual([]);
  });

  test('a move admission queues does not read them in every pass it waits', () => {
    const full = { ...NO_FLIGHT, total: 99 };
    const d = decide({ moves: new Map([['k1', { source: srv() }]]), inFlight: full }, [{ entry: entry(), memory: freshMemory(T0) }], policyOf({ parallel: 1 }), T0)[0];
    expect(d.action.kind).toBe('queue');
    expect(d.reads).toEqual([]);
    // Checked while queued, then admitted: read as it starts.
    const admitted = decide({ moves: new Map([['k1', { source: srv() }]]), inFlight: NO_FLIGHT }, [{ entry: entry(), memory: { ...freshMemory(T0), check: started.check } }], policyOf({}), T0)[0];
    expect(admitted.action.kind).toBe('start');
    expect(admitted.reads).toEqual(['exports-before']);
  });

  test('phase 1 done of a migration this run did not start: the switchover waits for the export locations, not phase 1 polls', () => {
    const { exportsBefore: _, ...resumed } = started;
    const inPhase1 = one({ source: migrating('migration_driver_in_progress'), destination: dest() }, { ...resumed, readOnlyInPhase1: false });
    expect(inPhase1.reads).toEqual([]);
    const held = one({ source: migrating('migration_driver_phase1_done'), destination: dest({ taskState: 'migration_driver_phase1_done' }) }, resumed);
    expect(held.action.kind).toBe('leave');
    expect(held.reads).toEqual(['exports-before']);
    const go = one({ source: migrating('migration_driver_phase1_done'), destination: dest({ taskState: 'migration_driver_phase1_done' }) }, { ...resumed, exportsBefore: { sh1: ['10.0.0.20:/p'] } });
    expect(go.action.kind).toBe('complete');
    expect(go.reads).toEqual([]);
  });

  test('in phase 1, once, whether Manila cast the access rules read-only', () => {
    const obs = { source: migrating('migration_driver_in_progress'), destination: dest() };
    expect(one(obs, { ...started, exportsBefore: {} }).reads).toEqual(['read-only']);
    expect(one(obs, { ...started, exportsBefore: {}, readOnlyInPhase1: true }).reads).toEqual([]);
  });

  test('a --no-wait pass asks about the read-only cast early in phase 1 only, and else just before the switchover, which waits for it', () => {
    const nw = policyOf({ noWait: true });
    const pass = (obs: Observation, memory: Partial<MoveMemory>) => decide({ moves: new Map([['k1', obs]]), inFlight: NO_FLIGHT }, [{ entry: entry(), memory: { ...freshMemory(T0), ...memory } }], nw, T0)[0];
    const at = (ago: number) => new Date(T0 - ago).toISOString().replace('Z', '');
    const { start: _s, exportsBefore: _e, ...fresh } = started;
    const inPhase1 = (ago: number) => ({ source: migrating('migration_driver_in_progress', { updatedAt: at(ago) }), destination: dest() });
    expect(pass(inPhase1(5 * 60_000), fresh).reads).toEqual(['read-only']);
    // Two hours into phase 1: not asked again in this pass (earlier passes asked).
    expect(pass(inPhase1(2 * 3_600_000), fresh).reads).toEqual([]);
    const done = { source: migrating('migration_driver_phase1_done', { updatedAt: at(2 * 3_600_000) }), destination: dest({ taskState: 'migration_driver_phase1_done' }) };
    const held = pass(done, { ...fresh, exportsBefore: { sh1: ['10.0.0.20:/p'] } });
    expect(held.action.kind).toBe('leave');
    expect(held.reads).toEqual(['read-only']);
    // Answered, or asked and failed: the switchover goes on.
    expect(pass(done, { ...fresh, exportsBefore: { sh1: ['10.0.0.20:/p'] }, readOnlyInPhase1: true }).action.kind).toBe('complete');
    expect(pass(done, { ...fresh, exportsBefore: { sh1: ['10.0.0.20:/p'] }, readOnlyAskedBeforeComplete: true }).action.kind).toBe('complete');
    // One long run asks in phase 1 however old it is, and never holds the switchover for it.
    expect(one(inPhase1(2 * 3_600_000), fresh).reads).toEqual(['read-only']);
    expect(one(done, { ...fresh, exportsBefore: { sh1: ['10.0.0.20:/p'] } }).action.kind).toBe('complete');
  });

  test('done: each share\'s export locations before and after, changed when they differ, and the read-only cast lifted', () => {
    const d = one(
      { successor: srv({ id: 'N', host: TO, sourceShareServerId: 'S' }) },
      {
        ...started,
        exportsBefore: { sh1: ['10.0.0.20:/path/a'] },
        readOnlyInPhase1: true,
        verifySince: T0,
        verification: { ok: true, problems: [], shares: 1, accessRules: 1, snapshots: 0, sourceGone: true, exportLocations: { sh1: ['10.0.0.10:/path/a'] }, readOnly: false, queuedRules: [] },
      },
    );
    expect(d.action).toMatchObject({
      kind: 'finish',
      outcome: {
        phase: 'done',
        exportLocations: [{ shareId: 'sh1', name: 'data', before: ['10.0.0.20:/path/a'], after: ['10.0.0.10:/path/a'], changed: true }],
        readOnly: { duringPhase1: true, restored: true },
      },
    });
  });

  test('a verification that finds the rules still read-only waits (Manila restores them after the switchover)', () => {
    const d = one(
      { successor: srv({ id: 'N', host: TO, sourceShareServerId: 'S' }) },
      { ...started, verifySince: T0 - 1_000, verification: { ok: false, problems: ['the access rules of share sh1 are still read-only'], shares: 1, accessRules: 1, snapshots: 0, sourceGone: true, exportLocations: {}, readOnly: true, queuedRules: [] } },
    );
    expect(d.action.kind).toBe('verify');
  });
});

describe('decide: rules Manila leaves queued after a read-only phase 1', () => {
  const p = policyOf({});
  const base = { ...started, readOnlyInPhase1: true, exportsBefore: { sh1: ['a'] } };
  const queued = { ok: false, problems: ['access rule ip:10.0.0.1 of share sh1 is queued_to_apply'], shares: 1, accessRules: 1, snapshots: 0, sourceGone: true, exportLocations: { sh1: ['b'] }, readOnly: false, queuedRules: [{ shareId: 'sh1', accessTo: '10.0.0.1' }] };
  const run1 = (since: number) =>
    decide({ moves: new Map([['k1', { successor: srv({ id: 'N', host: TO, sourceShareServerId: 'S' }) }]]), inFlight: NO_FLIGHT }, [{ entry: entry(), memory: { ...freshMemory(T0), ...base, verifySince: since, verification: queued } }], p, T0)[0];

  test('still queued 30 s after the switchover: failed, saying why and how to make the destination apply them', () => {
    const d = run1(T0 - 31_000);
    expect(d.action).toMatchObject({ kind: 'finish', outcome: { phase: 'failed', code: 'MP_RULES_NOT_APPLIED', exportLocations: [{ shareId: 'sh1', before: ['a'], after: ['b'], changed: true }] } });
    const o = (d.action as { outcome: { message: string; hint: string } }).outcome;
    expect(o.message).toMatch(/queued_to_apply after the switchover \(10\.0\.0\.1 on share sh1\).*through the source host/);
    expect(o.hint).toContain('openstack share access create sh1 ip 192.0.2.1 --access-level ro');
  });

  test('queued for less than 30 s: verify again (Manila may still be applying them)', () => {
    expect(run1(T0 - 5_000).action.kind).toBe('verify');
  });
});
