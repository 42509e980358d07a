import type { MoveCheck } from '../apply/check';
import { impactByProject, projectLabel } from '../plan/impact';
import type { Plan, PlanEntry } from '../plan/types';
import { completionText, windowAt } from '../plan/window';
import { plural } from '../util/plural';
import { moveGroups, supportedOf, totals, untilText, type PendingEntry, type PlanExtras } from './plan-parts';

/**
 * A plan as markdown, fit for a merge-request comment (`plan --format markdown`), in the shape
 * of the text plan: what is blocked and why first, the moves grouped by source → destination,
 * the disruptive steps and when they run, what each project's tenants see; then one row per
 * move and per share while the comment stays within `MARKDOWN_LIMIT`, with the count of the
 * rows it leaves out.
 */

/** GitHub's limit on a comment's body, in characters (GitLab's is larger). */
export const MARKDOWN_LIMIT = 65_536;
/** Kept free for the lines that say what was left out. */
const RESERVE = 1_000;

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

function whenCell(e: PendingEntry, now: number): string {
  if (e.completion === 'auto') return 'as soon as phase 1 is done';
  if (e.completion === 'manual') return 'on `apply --complete`';
  const w = windowAt(e.completion.window, now);
  return w.open ? `window open now, until ${new Date(w.closesAt).toISOString()}` : `next window ${new Date(w.opensAt).toISOString()} (${untilText(w.opensAt - now)}, ${e.completion.window.durationMinutes} min)`;
}

/** Rows under `head` (none, head included, unless the first fits) while the text stays within the limit; then the count of the rest. */
function bounded(out: string[], used: () => number, rows: readonly string[], what: string, limit: number, head: readonly string[]): void {
  const fits = (extra: number): boolean => used() + extra <= limit - RESERVE;
  const size = (lines: readonly string[]): number => lines.reduce((n, l) => n + l.length + 1, 0);
  let shown = 0;
  if (rows.length && fits(size([...head, rows[0]]))) {
    out.push(...head);
    for (const r of rows) {
      if (!fits(r.length + 1)) break;
      out.push(r);
      shown += 1;
    }
  }
  if (shown < rows.length) out.push('', `_${plural(rows.length - shown, what)} not shown here (the comment's limit is ${limit} characters): \`manila-placement plan --verbose\` or \`--format json\` lists every one._`);
}

/** The markdown summary of one or more plans. */
export function renderMarkdown(plans: readonly Plan[], now: number = Date.now(), x: PlanExtras = {}, limit = MARKDOWN_LIMIT): string {
  const entries = plans.flatMap((p) => [...p.entries]);
  const groups = moveGroups(entries);
  const pending = groups.flatMap((g) => g.moves);
  const blocked = entries.filter((e): e is Extract<PlanEntry, { action: 'blocked' }> => e.action === 'blocked');
  const other = entries.filter((e) => e.action === 'conflict' || e.action === 'unmatched');
  const t = totals(plans);
  const out = ['## manila-placement plan', ''];
  const used = (): number => out.reduce((n, l) => n + l.length + 1, 0);
  for (const p of plans) out.push(`Snapshot of ${code(p.snapshot.cloud.endpoint)} taken ${p.snapshot.takenAt} (${code(p.snapshot.digest.slice(0, 19) + '…')}).`);
  out.push(
    '',
    `**Plan:** ${t.migrate} to migrate, ${t.resume} to resume, ${t['in-sync']} in sync, ${t.blocked} blocked, ${t.conflict} in conflict, ${t.unmatched} unmatched.`,
    '',
  );
  if (blocked.length || other.length) {
    bounded(
      out,
      used,
      [
        ...blocked.map((e) => `- ${code(e.server.id)} (${esc(net(e))}) → ${e.to}: ${e.reasons.map((r) => `**${r.code}**: ${esc(r.message)}`).join('; ')}`),
        ...other.map((e) => `- ${e.action}: ${esc('message' in e ? e.message : '')}`),
      ],
      'blocked entry',
      limit,
      ['### Blocked', ''],
    );
    out.push('');
  }
  if (!pending.length) return out.join('\n') + '\n';
  out.push('### Moves', '', '| from | to | share servers | kind |', '|---|---|---:|---|');
  for (const g of groups) out.push(`| ${g.from} | ${g.to} | ${g.moves.length} | ${g.action === 'resume' ? 'already migrating (resumed)' : 'migrate'} |`);
  const byPolicy = (f: (e: PendingEntry) => boolean) => pending.filter(f).length;
  out.push(
    '',
    '### Disruptive steps',
    '',
    `The switchover (\`migration_complete\`) of each move disrupts its clients briefly: ${byPolicy((e) => e.completion === 'auto')} run as soon as phase 1 is done, ` +
      `${byPolicy((e) => typeof e.completion === 'object')} wait for their maintenance window, ${byPolicy((e) => e.completion === 'manual')} wait for \`apply --complete\`.`,
  );
  const windows = [...new Set(pending.filter((e) => typeof e.completion === 'object').map((e) => completionText(e.completion)))];
  if (windows.length) {
    out.push('', 'Next windows:');
    for (const w of windows) out.push(`- ${code(w)}: ${esc(whenCell(pending.find((y) => completionText(y.completion) === w)!, now))}`);
  }
  const projects = impactByProject(pending, supportedOf(x.checks));
  out.push('', '### What the tenants see', '', '| project | moves | shares | GiB | snapshots | read-only in phase 1 (or may be) | remount (or may have to) |', '|---|---:|---:|---:|---:|---:|---:|');
  for (const pr of projects) out.push(`| ${esc(projectLabel(pr))} | ${pr.moves.length} | ${pr.shares} | ${pr.sizeGb} | ${pr.snapshots} | ${pr.readOnlyMoves} | ${pr.remountMoves} |`);
  bounded(
    out,
    used,
    pending.map((e) => `| ${code(e.server.id)} | ${esc(net(e))} | ${e.from} | ${e.to} | ${esc(whenCell(e, now))} | ${checkCell(x.checks?.get(e.key))} | ${code(e.key)} |`),
    'move',
    limit,
    ['', '#### Every move', '', '| share server | share network | from | to | switchover | check | key |', '|---|---|---|---|---|---|---|'],
  );
  const shareRows = projects.flatMap((pr) =>
    pr.moves.flatMap((m) =>
      m.shares.map(
        (s) =>
          `| ${esc(projectLabel(pr))} | ${esc(s.name ?? s.id)} | ${s.size} GiB | ${s.protocol ?? '?'} | ${m.writes.outcome} (${m.writes.source}) | ${m.exportLocations.outcome} (${m.exportLocations.source}) | ${esc(m.snapshots.outcome)} | kept |`,
      ),
    ),
  );
  bounded(out, used, shareRows, 'share', limit, [
    '',
    '#### Every share',
    '',
    '| project | share | size | protocol | during phase 1 | at the switchover | snapshots | access rules |',
    '|---|---|---|---|---|---|---|---|',
  ]);
  out.push('', '_known_: from the snapshot; _asked_: what the declaration demands (the driver decides); _manila_: Manila\'s `migration_check` answer (`plan --check`).');
  return out.join('\n') + '\n';
}
