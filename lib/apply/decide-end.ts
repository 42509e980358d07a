import { windowAt } from '../plan/window';
import { plural } from '../util/plural';
import { traitsOf } from '../manila/resource';
import type { TrackedMove } from './memory';
import type { MovePolicy } from './options';
import { finish, manilaTime, RULES_SETTLE_MS, secs, watching, type Draft, type Outcome } from './decision';
import type { Verification } from './verify';

/** The end of a move, decided purely: the switchover (windows, manual completion) and the checks after it. */

export function phase1Done(t: TrackedMove, p: MovePolicy, now: number): Draft {
  const e = t.entry;
  const m = t.memory;
  const serverId = e.server.id;
  if (m.complete && !m.complete.error) {
    // Complete was accepted; Manila records it when the destination's manager picks it up.
    if (now - m.complete.at > p.completeTimeoutMs) {
      return finish({ phase: 'timed-out', code: 'MP_DEADLINE', message: `completion of ${serverId} did not begin in ${secs(p.completeTimeoutMs)} s`, hint: 'Run apply again.' });
    }
    return { action: { kind: 'leave' }, phase: 'completing', soon: true };
  }
  if (m.complete?.error) {
    if (watching(m.complete, now, p)) return { action: { kind: 'leave' }, phase: 'completing', soon: true };
    const err = m.complete.error;
    return finish({
      phase: 'failed',
      code: err.code,
      message: err.ambiguous ? `${err.message} (Manila shows no completion for ${serverId}; nothing was resent)` : err.message,
      hint: err.ambiguous ? 'Nothing changed in Manila. Apply again when Manila answers normally.' : err.hint,
    });
  }
  const c = e.completion;
  if (c === 'manual' && !p.completeManual) {
    return finish({
      phase: 'awaiting-completion',
      message: `phase 1 of ${serverId} is done; completion is manual (the switchover disrupts clients)`,
      hint: 'When ready: manila-placement apply --complete.',
    });
  }
  if (typeof c === 'object' && !p.completeManual) {
    const w = windowAt(c.window, now);
    if (!w.open) {
      const when = new Date(w.opensAt).toISOString();
      if (!p.waitForWindow || p.noWait) {
        const outcome: Outcome = {
          phase: 'awaiting-window',
          message: `phase 1 of ${serverId} is done; the switchover waits for the next maintenance window, which opens ${when}`,
          hint: 'Run `manila-placement apply --no-wait` again inside the window (e.g. from a schedule), or `apply --complete` to switch over now.',
        };
        return p.noWait ? { action: { kind: 'leave' }, phase: 'awaiting-window', event: { message: outcome.message, waiting: `window opens ${when}` } } : finish(outcome);
      }
      return { action: { kind: 'leave' }, phase: 'phase1-done', until: w.opensAt, event: { waiting: `window opens ${when}` } };
    }
  }
  return { action: { kind: 'complete' }, phase: 'completing' };
}

export function atTarget(t: TrackedMove, server: { readonly id: string; readonly updatedAt?: string }, p: MovePolicy, now: number): Draft {
  const e = t.entry;
  const serverId = server.id;
  // A share keeps its id through a migration: it moved if the plan saw it elsewhere or this run saw it move.
  const moved = traitsOf(e.server).newIdAfterMove ? serverId !== e.server.id : e.server.host !== e.to || t.memory.seenInFlight || t.memory.start !== undefined;
  if (!moved) return finish({ phase: 'done', message: `already on ${e.to}`, newServerId: serverId });
  const moveText = traitsOf(e.server).newIdAfterMove ? `${e.server.id} → ${serverId} on ${e.to}` : `${traitsOf(e.server).noun} ${serverId} on ${e.to}`;
  if (!p.verify) return finish({ phase: 'done', newServerId: serverId, message: `${moveText}` });
  // Finished well before this run (earlier passes saw it through and verified it): said so,
  // not verified again, or every `--no-wait` pass would re-read every finished move.
  const finishedAt = manilaTime(server.updatedAt);
  const m0 = t.memory;
  if (!m0.seenInFlight && !m0.start && m0.verifySince === undefined && finishedAt !== undefined && now - finishedAt > p.verifyRecentMs) {
    const at = new Date(finishedAt).toISOString();
    return finish({ phase: 'done', newServerId: serverId, message: `${moveText} (finished ${at}, before this run; not verified again)` });
  }
  const verifySince = t.memory.verifySince ?? now;
  const v: Verification | undefined = t.memory.verification;
  const m = t.memory;
  const exportLocations = (): NonNullable<Outcome['exportLocations']> =>
    (e.server.shares ?? e.server.shareIds.map((id) => ({ id, name: undefined }))).map((s) => {
      const before = m.exportsBefore?.[s.id];
      const after = v?.exportLocations[s.id];
      return { shareId: s.id, ...(s.name ? { name: s.name } : {}), before, after, changed: before !== undefined && after !== undefined && before.join('\n') !== after.join('\n') };
    });
  if (v?.ok) {
    return finish({
      phase: 'done',
      newServerId: serverId,
      message: `${moveText}: ${plural(v.shares, 'share')}, ${plural(v.accessRules, 'access rule')}, ${plural(v.snapshots, 'snapshot')} verified`,
      exportLocations: exportLocations(),
      readOnly: { duringPhase1: m.readOnlyInPhase1, restored: !v.readOnly },
    });
  }
  // After a read-only phase 1, Zed's share manager asks the *source* host to apply the restored
  // rules (share/manager.py _server_migration_complete_driver: _reset_read_only_access_rules_for_server
  // with dest_host = the source's host), so the destination never applies them: they stay
  // queued_to_apply until something else changes the share's access. Say so, with the fix.
  if (v && m.readOnlyInPhase1 && v.queuedRules.length && v.problems.length === v.queuedRules.length && now - verifySince >= RULES_SETTLE_MS) {
    const shares = [...new Set(v.queuedRules.map((r) => r.shareId))];
    return finish({
      phase: 'failed',
      code: 'MP_RULES_NOT_APPLIED',
      newServerId: serverId,
      message:
        `moved to ${e.to} as ${serverId}, but Manila left ${v.queuedRules.length} access rule(s) queued_to_apply after the switchover (${v.queuedRules.map((r) => `${r.accessTo} on share ${r.shareId}`).join(', ')}): ` +
        'it restored the rules it had cast read-only for phase 1 through the source host, so the destination has not applied them and clients cannot mount yet',
      hint:
        'Any access change on the share makes the destination apply every queued rule: ' +
        shares.map((s) => `openstack share access create ${s} ip 192.0.2.1 --access-level ro, then openstack share access delete ${s} <that rule's id>`).join('; ') +
        '; then `openstack share access list` shows them active.',
      exportLocations: exportLocations(),
      readOnly: { duringPhase1: true, restored: !v.readOnly },
    });
  }
  if (v && (now - verifySince >= p.verifyTimeoutMs || p.noWait)) {
    if (p.noWait && now - verifySince < p.verifyTimeoutMs) return { action: { kind: 'leave' }, phase: 'verifying', event: { newServerId: serverId, message: v.problems.join('; ') } };
    return finish({
      phase: 'failed',
      code: 'MP_VERIFY_FAILED',
      newServerId: serverId,
      message: `moved to ${e.to} as ${serverId}, but: ${v.problems.join('; ')}`,
      hint: 'Inspect the shares (openstack share show) and their access rules; apply again to re-verify.',
    });
  }
  return { action: { kind: 'verify', destination: { id: serverId, host: e.to } }, phase: 'verifying', event: { newServerId: serverId }, memory: { verifySince } };
}
