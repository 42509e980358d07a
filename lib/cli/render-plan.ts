import { impactByProject, moveImpact, projectLabel, type ProjectImpact } from '../plan/impact';
import type { Plan, PlanEntry } from '../plan/types';
import { plural } from '../util/plural';
import type { Paint } from './paint';
import { flagsText, supportedOf, totalsLine, who, windowLine, type PendingEntry, type PlanExtras } from './plan-parts';
import { renderCompact } from './render-compact';
import { renderRebalance } from './render-rebalance';

export { colourWanted, paint, type Paint } from './paint';
export { supportedOf, untilText, type PlanExtras } from './plan-parts';
export { renderRebalance } from './render-rebalance';

/** The shares of a move and what the move does to their users. */
function impactLines(e: PendingEntry, p: Paint, x: PlanExtras): string[] {
  const c = x.checks?.get(e.key);
  const im = moveImpact(e, c && 'verdict' in c ? c.verdict.supported : undefined);
  const shares = im.shares
    .map((s) => `${s.name ?? s.id}${s.name !== undefined ? ` [${s.id}]` : ''} (${s.size} GiB${s.protocol ? ` ${s.protocol}` : ''}${s.snapshots ? `, ${plural(s.snapshots, 'snapshot')}` : ''})`)
    .join(', ');
  const out = [p.dim(`      shares of project ${projectLabel(im, true)}: ${shares || 'none'}`)];
  if (c) out.push('verdict' in c ? p.dim(`      check: ${c.verdict.summary}`) : p.red(`      check failed: ${c.error.message}`));
  const ro = im.writes.outcome === 'read-only' ? p.yellow : p.dim;
  out.push(ro(`      tenants: ${im.writes.text}; ${im.exportLocations.text}; ${im.snapshots.text}; ${im.accessRules.text}`));
  return out;
}

/** `share server <id> (<network> [<network id>])`: the verbose plan names the network and gives its id. */
function whoVerbose(s: PendingEntry['server']): string {
  return s.shareNetworkName && s.shareNetworkId ? `${who(s)} [${s.shareNetworkId}]` : who(s);
}

function line(e: PlanEntry, p: Paint, now: number, x: PlanExtras): string[] {
  switch (e.action) {
    case 'migrate':
      return [
        `  ${p.yellow('~')} ${whoVerbose(e.server)}: ${e.from} ${p.bold('->')} ${p.bold(e.to)}`,
        p.dim(`      ${flagsText(e)}${e.completion === 'auto' ? '; the switchover (complete) disrupts clients briefly' : ''}`),
        ...windowLine(e, p, now),
        ...(e.why ? [p.dim(`      why: ${e.why}`)] : []),
        ...impactLines(e, p, x),
        p.dim(`      declared by ${e.declaration}; move key ${e.key}`),
      ];
    case 'resume':
      return [
        `  ${p.cyan('>')} ${whoVerbose(e.server)}: ${e.from} -> ${e.to} ${p.cyan(`(already migrating: ${e.server.taskState ?? 'unknown'})`)}`,
        p.dim(`      ${flagsText(e)}; move key ${e.key}`),
        ...windowLine(e, p, now),
        ...impactLines(e, p, x),
      ];
    case 'in-sync':
      return [`  ${p.green('=')} ${who(e.server)}: in sync on ${e.host}`];
    case 'conflict':
      return [`  ${p.red('!')} ${who(e.server)}: wanted on ${e.to}: ${p.red(e.message)}`];
    case 'blocked':
      return [`  ${p.red('x')} ${who(e.server)}: ${e.server.host} -> ${e.to} ${p.red('blocked')}`, ...e.reasons.map((r) => `      - ${r.code}: ${r.message}`)];
    case 'unmatched':
      return [`  ${p.red('?')} ${e.declaration}: ${p.red(e.message)}`];
  }
}

/** Per project: how many moves, shares and GiB, and how many moves make them read-only or make clients remount. */
export function renderProjects(projects: readonly ProjectImpact[], p: Paint): string[] {
  if (!projects.length) return [];
  const out = ['', p.bold('What your tenants see, per project:')];
  for (const pr of projects) {
    out.push(
      `  project ${projectLabel(pr, true)}: ${plural(pr.moves.length, 'move')}, ${plural(pr.shares, 'share')}, ${pr.sizeGb} GiB, ${plural(pr.snapshots, 'snapshot')}; ` +
        `read-only (or may be) during phase 1: ${plural(pr.readOnlyMoves, 'move')}; remount after the switchover (or may have to): ${plural(pr.remountMoves, 'move')}`,
    );
  }
  return out;
}

/** Every entry with its details (`plan --verbose`): what needs the operator first, then the moves, then the servers in sync. */
function renderVerbose(plans: readonly Plan[], p: Paint, now: number, x: PlanExtras): string[] {
  const out: string[] = [];
  for (const plan of plans) {
    out.push(p.dim(`Snapshot taken ${plan.snapshot.takenAt} of ${plan.snapshot.cloud.endpoint} (${plan.snapshot.digest.slice(0, 19)}...)`));
    const order: PlanEntry['action'][] = ['blocked', 'conflict', 'unmatched', 'migrate', 'resume', 'in-sync'];
    for (const action of order) for (const e of plan.entries.filter((y) => y.action === action)) out.push(...line(e, p, now, x));
    for (const r of plan.rebalance ?? []) out.push(...renderRebalance(r, plan.entries, p));
  }
  out.push(...renderProjects(impactByProject(plans.flatMap((pl) => [...pl.entries]), supportedOf(x.checks)), p));
  out.push('', totalsLine(plans, p));
  return out;
}

/**
 * Terraform-like text of one or more plans: compact by default (moves grouped by source and
 * destination, blocked ones first), every move in detail with `x.verbose`. `now` places
 * maintenance windows.
 */
export function renderPlans(plans: readonly Plan[], p: Paint, now: number = Date.now(), x: PlanExtras = {}): string {
  return (x.verbose ? renderVerbose(plans, p, now, x) : renderCompact(plans, p, now, x)).join('\n') + '\n';
}

/** True when a plan has something for the runner. */
export function hasChanges(plans: readonly Plan[]): boolean {
  return plans.some((p) => p.summary.migrate + p.summary.resume > 0);
}

/** True when a plan shows something that needs the operator (blocked, conflict, unmatched, a rebalance whose hosts did not resolve). */
export function hasProblems(plans: readonly Plan[]): boolean {
  return plans.some((p) => p.summary.blocked + p.summary.conflict + p.summary.unmatched > 0 || (p.rebalance ?? []).some((r) => r.problems.length > 0));
}
