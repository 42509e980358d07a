import { isCancelledSource, isFailedSource, isMigrationSource, TASK_STATE } from '../manila/server-state';
import { admit } from './admission';
import { checkVerdict, migrationParams, snapshotsOf } from './check';
import type { MovePhase } from './events';
import type { MoveMemory, TrackedMove } from './memory';
import type { MovePolicy } from './options';
import { nextPollAt } from './poll';
import { traitsOf } from '../manila/resource';
import { migrationErrorHint, resetSourceCommands, stuckHint } from './recovery';
import { classify, IN_FLIGHT_STAGES, type Observation } from './stage';
import { finish, manilaTime, secs, watching, type Decision, type Draft, type ImpactRead, type PassObservation } from './decision';
import { atTarget, phase1Done } from './decide-end';

/**
 * The runner's decisions, as a pure function: `decide(observation, moves, policy, now)` gives
 * the next action of every move from what Manila shows now, the run's memory and the time
 * passed in. No I/O, no clock: the same inputs always give the same decisions, so every rule
 * is a table case in the unit tests.
 */
export type { Action, Decision, EventDraft, ImpactRead, Outcome, PassObservation } from './decision';



/** The decision for one observed move, before admission. */
function decideOne(t: TrackedMove, obs: Observation, p: MovePolicy, now: number): Draft {
  const e = t.entry;
  const m = t.memory;
  const stage = classify(obs, e.to);
  const noun = traitsOf(e.server).noun;
  const seen = m.seenInFlight || IN_FLIGHT_STAGES.has(stage.kind) || (m.start !== undefined && !m.start.error);
  const since = m.stage?.kind === stage.kind ? m.stage.since : stage.kind !== 'gone' && !m.observed ? Math.min(now, manilaTime(stage.server.updatedAt) ?? now) : now;
  const base: Partial<MoveMemory> = { seenInFlight: seen, stage: { kind: stage.kind, since } };
  const d = ((): Draft => {
    if (m.cancel && !m.cancel.error && (stage.kind === 'phase1' || stage.kind === 'cancelling' || stage.kind === 'ready' || stage.kind === 'phase1-done')) {
      return finish({ phase: 'cancelled', code: 'MP_DEADLINE', message: `phase 1 of ${e.server.id} not done after ${secs(p.phase1TimeoutMs)} s: cancel sent`, hint: 'Apply again to retry the move.' });
    }
    switch (stage.kind) {
      case 'gone':
        return finish({ phase: 'failed', code: 'MP_SERVER_GONE', message: `${noun} ${e.server.id} no longer exists${traitsOf(e.server).newIdAfterMove ? ' and no server replaced it' : ''}`, hint: 'Someone deleted it. Run `manila-placement plan` again.' });
      case 'moved-elsewhere':
        return finish({
          phase: 'stale',
          code: 'MP_PLAN_STALE',
          message: `share server ${e.server.id} was migrated to ${stage.server.host} (now ${stage.server.id}) since the plan was made`,
          hint: 'Run `manila-placement plan` again (or refresh and re-synth) before applying.',
        });
      case 'elsewhere':
        return finish({
          phase: 'conflict',
          code: 'MP_MIGRATING_ELSEWHERE',
          message: `${noun} ${stage.server.id} is being migrated to ${stage.destinationHost ?? 'another host'}, not ${e.to}`,
          hint: `Let that migration finish, or cancel it (manila-placement cancel ${stage.server.id}), then plan again.`,
        });
      case 'stuck':
        return finish({ phase: 'failed', code: 'MP_SERVER_STUCK', message: `${noun} ${stage.server.id}: ${stage.why}`, hint: stuckHint(stage.server.id, stage.why, e.server.shareIds) });
      case 'at-target':
        return atTarget(t, stage.server, p, now);
      case 'ready':
        return ready(t, stage.server, obs, seen, p, now);
      case 'phase1':
        return phase1(t, stage.server.taskState, since, p, now);
      case 'phase1-done':
        return phase1Done(t, p, now);
      case 'completing':
        return waitIn('completing', since, p.completeTimeoutMs, now, () =>
          finish({
            phase: 'timed-out',
            code: 'MP_DEADLINE',
            message: `completion of ${e.server.id} is not done after ${secs(p.completeTimeoutMs)} s`,
            hint: 'Manila is still switching over; run apply again later, or check manila-share.log on the destination host.',
          }),
        );
      case 'cancelling':
        return waitIn('cancelling', since, p.cancelTimeoutMs, now, () =>
          finish({
            phase: 'failed',
            code: 'MP_CANCEL_STUCK',
            message: `cancel of ${stage.server.id} has not finished after ${secs(p.cancelTimeoutMs)} s`,
            hint: `The driver may not support cancel. When the backend is consistent: ${resetSourceCommands(stage.server.id, e.server.shareIds)}`,
          }),
        );
    }
  })();
  // The destination record is remembered while the migration runs (it is listed only once).
  const destination = ('destination' in stage ? stage.destination : undefined) ?? (obs.source && isMigrationSource(obs.source) ? m.destination : undefined);
  const taskState = stage.kind === 'gone' ? null : stage.server.taskState;
  const destinationId = destination?.id ?? m.destinationId;
  const reads: ImpactRead[] = [];
  // The paths do not change before the switchover, so they are read once: when the move is
  // about to start (dropped again if admission queues it), or, for a migration this run did not
  // start, just before the complete. Not during phase 1: a schedule of `--no-wait` passes over
  // hours would read them again in every pass.
  const completing = stage.kind === 'phase1-done' && d.action.kind === 'complete';
  const starting = stage.kind === 'ready' && (d.action.kind === 'check' || d.action.kind === 'start');
  if (m.exportsBefore === undefined && (starting || completing)) reads.push('exports-before');
  // Whether phase 1 cast the rules read-only is fixed when the driver starts, so it is read once
  // a run, in phase 1. A `--no-wait` pass reads it only early in phase 1 (in every pass of an
  // hours-long phase 1 it would make most of the pass's requests), and else just before the
  // complete, while the cast still shows: the verification after the switchover needs it.
  if (m.readOnlyInPhase1 === undefined) {
    const changedAt = stage.kind === 'gone' ? undefined : manilaTime(stage.server.updatedAt);
    const early = !p.noWait || m.start !== undefined || changedAt === undefined || now - changedAt <= p.readOnlyAskWithinMs;
    if (stage.kind === 'phase1' && taskState === TASK_STATE.driverInProgress && early) reads.push('read-only');
    if (completing && p.noWait && !m.readOnlyAskedBeforeComplete) reads.push('read-only');
  }
  // The switchover waits for those reads (they wake the loop when done): what tenants remount
  // from, and what the verification after it needs.
  const held: Partial<Draft> = completing && reads.length ? { action: { kind: 'leave' }, soon: true } : {};
  return {
    ...d,
    ...held,
    reads,
    signature: `${stage.kind}/${stage.kind === 'gone' ? '' : `${stage.server.id}/${stage.server.status}`}/${taskState ?? ''}/${destinationId ?? ''}`,
    memory: { ...base, destination, destinationId, ...d.memory },
    event: { taskState, destinationId, ...d.event },
  };
}

function waitIn(phase: MovePhase, since: number, timeoutMs: number, now: number, onDeadline: () => Draft): Draft {
  if (now - since > timeoutMs) return onDeadline();
  return { action: { kind: 'leave' }, phase };
}

function ready(
  t: TrackedMove,
  server: { id: string; host: string; taskState: string | null; status: string },
  obs: Observation,
  seen: boolean,
  p: MovePolicy,
  now: number,
): Draft {
  const e = t.entry;
  const m = t.memory;
  const rec = { ...server, sourceShareServerId: null, resource: e.server.resource };
  // A migration that ended badly since the plan was made (this run's, someone else's, or one
  // a cancel stopped): report it, never start it again on the same plan. A rerun after
  // `plan` (which then shows the failure) or with --replan starts anew.
  const endedSincePlan = !p.replan && server.taskState !== e.server.taskState && (isFailedSource(rec) || isCancelledSource(rec));
  if (seen || endedSincePlan) {
    if (isCancelledSource(rec)) {
      return finish({
        phase: 'cancelled',
        code: 'MP_CANCELLED',
        message: `the migration of ${server.id} was cancelled`,
        hint: `To move it again: clear Manila's mark (${traitsOf(e.server).resetTaskStateCommand} ${server.id}), then plan again (or apply --replan with this plan).`,
      });
    }
    if (isFailedSource(rec) || seen) {
      return finish({
        phase: 'failed',
        code: 'MP_MIGRATION_ERROR',
        message: `Manila reports ${server.taskState ?? 'no task'} for ${server.id} after the start was accepted`,
        hint: migrationErrorHint(server.id, obs.leftovers ?? []),
      });
    }
  }
  if (m.start?.error) {
    if (watching(m.start, now, p)) return { action: { kind: 'leave' }, phase: 'starting', soon: true };
    const err = m.start.error;
    return finish({
      phase: 'failed',
      code: err.code,
      message: err.ambiguous ? `${err.message} (Manila shows no migration for ${server.id}; nothing was resent)` : err.message,
      hint: err.ambiguous ? 'Nothing changed in Manila. Apply again when Manila answers normally.' : err.hint,
    });
  }
  if (!m.observed && server.host !== e.from && !p.replan) {
    return finish({
      phase: 'stale',
      code: 'MP_PLAN_STALE',
      message: `${traitsOf(e.server).noun} ${server.id} is on ${server.host}, but the plan saw it on ${e.from}`,
      hint: 'Plan again, or apply with --replan to move it from where it is now.',
    });
  }
  // Manila has no migration_check for shares: what can be checked was checked by the plan.
  if (!traitsOf(e.server).hasCheck) return { action: { kind: 'start', params: migrationParams(e) }, phase: 'starting', wantsSlot: true };
  if (m.check?.error) return finish({ phase: 'failed', code: m.check.error.code, message: m.check.error.message, hint: m.check.error.hint });
  const check = m.check && now - m.check.at <= p.checkMaxAgeMs ? m.check.result : undefined;
  if (check && !check.compatible) {
    const v = checkVerdict(e.flags, check, server.host, e.to, snapshotsOf(e));
    return finish({ phase: 'blocked', code: 'MP_INCOMPATIBLE', message: v.summary, hint: v.hint, check: { requested: check.requested, supported: check.supported } });
  }
  return {
    action: check ? { kind: 'start', params: migrationParams(e) } : { kind: 'check', params: migrationParams(e) },
    phase: check ? 'starting' : 'checking',
    wantsSlot: true,
  };
}

function phase1(t: TrackedMove, taskState: string | null, since: number, p: MovePolicy, now: number): Draft {
  const e = t.entry;
  const m = t.memory;
  if (now - since > p.phase1TimeoutMs) {
    const serverId = e.server.id;
    if (p.cancelOnTimeout && m.check?.result?.supported.migrationCancel !== false) {
      if (m.cancel?.error && !watching(m.cancel, now, p)) {
        return finish({
          phase: 'timed-out',
          code: 'MP_DEADLINE',
          message: `phase 1 of ${serverId} not done after ${secs(p.phase1TimeoutMs)} s, and cancelling failed: ${m.cancel.error.message}`,
          hint: `Cancel by hand: manila-placement cancel ${serverId}`,
        });
      }
      if (!m.cancel) return { action: { kind: 'cancel' }, phase: 'cancelling' };
      return { action: { kind: 'leave' }, phase: 'cancelling', soon: true };
    }
    return finish({
      phase: 'timed-out',
      code: 'MP_DEADLINE',
      message: `phase 1 of ${serverId} not done after ${secs(p.phase1TimeoutMs)} s; the migration is left running`,
      hint: `Run apply again to keep waiting, or cancel it: manila-placement cancel ${serverId}. Phase 1 takes at least server_migration_driver_continue_update_interval (900 s by default).`,
    });
  }
  const progress =
    taskState === TASK_STATE.driverInProgress &&
    m.check?.result?.supported.migrationGetProgress !== false &&
    now - (m.progressAt ?? -Infinity) >= p.progressIntervalMs;
  return { action: { kind: 'leave' }, phase: 'phase1', progress, event: { progress: m.progress } };
}

/** A move that was not read this pass: left alone. */
const untouched = (t: TrackedMove): Draft => ({ action: { kind: 'leave' }, phase: t.memory.phase as MovePhase });

/** Ctrl-C: no new move starts; running ones are left to Manila, reported where they stand. */
function detachedDraft(t: TrackedMove, d: Draft | undefined): Draft {
  if (d?.action.kind === 'finish') return d;
  const started = t.memory.seenInFlight || t.memory.start !== undefined;
  return {
    ...finish({
      phase: 'detached',
      message: started ? 'detached on request; Manila carries on with whatever was started' : 'not started (detached)',
      hint: started ? 'Run apply again to resume from what Manila shows.' : 'Run apply again.',
    }),
    memory: d?.memory,
    signature: d?.signature,
  };
}

/**
 * The next action of every move. `moves` are in fair order (resumes first, then round-robin
 * over source hosts); moves that want to start are admitted in that order against
 * `observation.inFlight` (the final word is the admission under the lock, on a fresh list).
 */
export function decide(observation: PassObservation, moves: readonly TrackedMove[], policy: MovePolicy, now: number): Decision[] {
  const drafts = moves.map((t): Draft => {
    const obs = observation.moves.get(t.entry.key);
    const d = obs ? decideOne(t, obs, policy, now) : undefined;
    if (observation.detached) return detachedDraft(t, d);
    return d ?? untouched(t);
  });
  // Admission: who of those wanting a slot fits, by what the pass saw in flight.
  const wanting = drafts.map((d, i) => ({ d, t: moves[i] })).filter((x) => x.d.wantsSlot);
  const res = observation.inFlight
    ? admit(observation.inFlight, wanting.map((x) => ({ key: x.t.entry.key, from: x.t.entry.from, to: x.t.entry.to })), policy.limits)
    : undefined;
  const why = new Map((res?.waiting ?? []).map((w) => [w.candidate.key, w.why] as const));
  for (const x of wanting) {
    if (!res) {
      Object.assign(x.d, { action: { kind: 'queue', needsCounts: true }, phase: 'queued' });
      continue;
    }
    const w = why.get(x.t.entry.key);
    if (w !== undefined) Object.assign(x.d, { action: { kind: 'queue', needsCounts: false }, phase: 'queued', event: { ...x.d.event, waiting: w } });
  }
  // A queued move reads its export locations when it is admitted, not in every pass it waits.
  for (const x of wanting) if (x.d.action.kind === 'queue' && x.d.reads?.length) x.d.reads = x.d.reads.filter((r) => r !== 'exports-before');
  const readAt = Math.min(now, observation.readAt ?? now);
  return drafts.map((d, i) => toDecision(moves[i], d, policy, now, readAt));
}

/** When to read a move again, given its decision: counted from `readAt`, when the reads it decided on were sent. */
function pollTime(d: Draft, lastChangeAt: number, p: MovePolicy, now: number, readAt: number): number {
  switch (d.action.kind) {
    case 'check':
      return now; // the start follows in the next pass, at once
    case 'queue':
      return nextPollAt(readAt, lastChangeAt, p);
    case 'leave': {
      const t = d.soon ? readAt + p.pollIntervalMs : nextPollAt(readAt, lastChangeAt, p);
      return d.until !== undefined ? Math.min(t, Math.max(d.until, now + p.pollIntervalMs)) : t;
    }
    default:
      return readAt + p.pollIntervalMs;
  }
}

function toDecision(t: TrackedMove, d: Draft, p: MovePolicy, now: number, readAt: number): Decision {
  const m = t.memory;
  const read = d.signature !== undefined;
  const changed = read && (d.signature !== m.signature || d.phase !== m.phase);
  const lastChangeAt = changed ? now : m.lastChangeAt;
  const ev = d.event ?? {};
  const said = ev.message ?? ev.waiting;
  const report =
    d.action.kind === 'finish' ||
    d.phase !== m.phase ||
    changed ||
    (said !== undefined && said !== m.message) ||
    (d.phase === 'phase1' && ev.progress !== undefined && ev.progress !== m.progress);
  const memory: MoveMemory = {
    ...m,
    ...(d.memory ?? {}),
    observed: m.observed || read,
    begunAt: m.begunAt ?? (d.phase !== 'queued' ? now : undefined),
    phase: d.phase,
    signature: read ? d.signature : m.signature,
    lastChangeAt,
    nextPollAt: read ? pollTime(d, lastChangeAt, p, now, readAt) : m.nextPollAt,
    waiting: d.action.kind === 'queue' ? ev.waiting : undefined,
    message: said ?? (d.phase === m.phase ? m.message : undefined),
  };
  return {
    key: t.entry.key,
    action: d.action,
    memory,
    progress: d.progress === true,
    reads: d.reads ?? [],
    event: report ? { phase: d.phase, ...ev } : undefined,
  };
}
