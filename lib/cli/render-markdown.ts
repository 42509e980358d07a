import type { MoveCheck } from '../apply/check';
import { impactByProject } from '../plan/impact';
import type { Plan, PlanEntry } from '../plan/types';
import { completionText, windowAt } from '../plan/window';
import { supportedOf, untilText, type PlanExtras } from './render-plan';

/**
 * A plan as markdown, fit for a merge-request comment (`plan --format markdown`): what moves,
 * what is blocked and why, the disruptive steps and when they run, and what the tenants see.
 */

const esc = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const code = (s: string): string => `\`${s.replace(/`/g, "'")}\``;

function net(e: { server: { shareNetworkName?: string; shareNetworkId?: string } }): string {
  return e.server.shareNetworkName ?? e.server.shareNetworkId ?? '';
}

function checkCell(c: MoveCheck | undefined): string {
  if (!c) return 'not asked (`plan --check`)';
  if ('error' in c) return `failed: ${esc(c.error.message)}`;
  return c.verdict.compatible ? 'compatible' : `**refused**: ${esc(c.verdict.summary)}`;
}

function whenCell(e: Extract<PlanEntry, { action: 'migrate' | 'resume' }>, now: number): string {
  if (e.completion === 'auto') return 'as soon as phase 1 is done';
  if (e.completion === 'manual') return 'on `apply --complete`';
  const w = windowAt(e.completion.window, now);
  return w.open ? `window open now, until ${new Date(w.closesAt).toISOString()}` : `next window ${new Date(w.opensAt).toISOString()} (${untilText(w.opensAt - now)}, ${e.completion.window.durationMinutes} min)`;
}

/** The markdown summary of one or more plans. */
export function renderMarkdown(plans: readonly Plan[], now: number = Date.now(), x: PlanExtras = {}): string {
  const entries = plans.flatMap((p) => [...p.entries]);
  const pending = entries.filter((e): e is Extract<PlanEntry, { action: 'migrate' | 'resume' }> => e.action === 'migrate' || e.action === 'resume');
  const blocked = entries.filter((e): e is Extract<PlanEntry, { action: 'blocked' }> => e.action === 'blocked');
  const other = entries.filter((e) => e.action === 'conflict' || e.action === 'unmatched');
  const count = (a: PlanEntry['action']) => entries.filter((e) => e.action === a).length;
  const out = ['## manila-placement plan', ''];
  for (const p of plans) out.push(`Snapshot of ${code(p.snapshot.cloud.endpoint)} taken ${p.snapshot.takenAt} (${code(p.snapshot.digest.slice(0, 19) + '…')}).`);
  out.push(
    '',
    `**Plan:** ${count('migrate')} to migrate, ${count('resume')} to resume, ${count('in-sync')} in sync, ${count('blocked')} blocked, ${count('conflict')} in conflict, ${count('unmatched')} unmatched.`,
    '',
  );
  if (pending.length) {
    out.push('### Moves', '', '| share server | share network | from | to | switchover | check | key |', '|---|---|---|---|---|---|---|');
    for (const e of pending) {
      out.push(`| ${code(e.server.id)} | ${esc(net(e))} | ${e.from} | ${e.to} | ${esc(whenCell(e, now))} | ${checkCell(x.checks?.get(e.key))} | ${code(e.key)} |`);
    }
    out.push('');
  }
  if (blocked.length || other.length) {
    out.push('### Blocked', '');
    for (const e of blocked) out.push(`- ${code(e.server.id)} (${esc(net(e))}) → ${e.to}: ${e.reasons.map((r) => `**${r.code}**: ${esc(r.message)}`).join('; ')}`);
    for (const e of other) out.push(`- ${e.action}: ${esc('message' in e ? e.message : '')}`);
    out.push('');
  }
  if (pending.length) {
    const byPolicy = (f: (e: (typeof pending)[number]) => boolean) => pending.filter(f).length;
    out.push(
      '### Disruptive steps',
      '',
      `The switchover (\`migration_complete\`) of each move disrupts its clients briefly: ${byPolicy((e) => e.completion === 'auto')} run as soon as phase 1 is done, ` +
        `${byPolicy((e) => typeof e.completion === 'object')} wait for their maintenance window, ${byPolicy((e) => e.completion === 'manual')} wait for \`apply --complete\`.`,
    );
    const windows = [...new Set(pending.filter((e) => typeof e.completion === 'object').map((e) => completionText(e.completion)))];
    if (windows.length) {
      out.push('', 'Next windows:');
      for (const w of windows) {
        const e = pending.find((y) => completionText(y.completion) === w)!;
        out.push(`- ${code(w)}: ${esc(whenCell(e, now))}`);
      }
    }
    out.push('', '### What the tenants see', '');
    const supported = supportedOf(x.checks);
    out.push('| project | share | size | protocol | during phase 1 | at the switchover | snapshots | access rules |', '|---|---|---|---|---|---|---|---|');
    for (const pr of impactByProject(pending, supported)) {
      for (const m of pr.moves) {
        for (const s of m.shares) {
          out.push(`| ${code(pr.projectId)} | ${esc(s.name ?? s.id)} | ${s.size} GiB | ${s.protocol ?? '?'} | ${m.writes.outcome} (${m.writes.source}) | ${m.exportLocations.outcome} (${m.exportLocations.source}) | ${esc(m.snapshots.outcome)} | kept |`);
        }
      }
    }
    out.push('', '_known_: from the snapshot; _asked_: what the declaration demands (the driver decides); _manila_: Manila\'s `migration_check` answer (`plan --check`).');
  }
  return out.join('\n') + '\n';
}
