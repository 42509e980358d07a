import { impactByProject, projectLabel } from '../plan/impact';
import type { Plan, PlanEntry } from '../plan/types';
import { plural } from '../util/plural';
import type { Paint } from './paint';
import { flagsText, movedCount, moveGroups, supportedOf, totals, totalsLine, who, windowText, type PlanExtras } from './plan-parts';
import { renderRebalance } from './render-rebalance';

/**
 * The default plan, in the spirit of `terraform plan`: what needs the operator first (blocked,
 * in conflict, unmatched, with their reasons), then the moves grouped by source → destination
 * with a count per group, what is the same for every move said once, the tenants' impact per
 * project, and the totals. At fleet size it stays a screen long; `plan --verbose` lists every
 * move with its details.
 */

/** Up to this many moves, each has its own line under the groups. */
export const LIST_EACH_UP_TO = 12;
/** Lines kept for what needs attention before the rest is counted. */
const ATTENTION_MAX = 10;
/** Groups shown before the rest is counted. */
const GROUPS_MAX = 12;
/** Projects shown before the rest is counted. */
const PROJECTS_MAX = 8;
/** Distinct policies (or impacts) shown before the rest is counted. */
const VARIANTS_MAX = 4;

function attentionLine(e: PlanEntry, p: Paint): string | undefined {
  switch (e.action) {
    case 'blocked':
      return `  ${p.red('x')} ${who(e.server)}: ${e.server.host} -> ${e.to} ${p.red('blocked')}: ${e.reasons.map((r) => `${r.code}: ${r.message}`).join('; ')}`;
    case 'conflict':
      return `  ${p.red('!')} ${who(e.server)}: wanted on ${e.to}: ${p.red(e.message)}`;
    case 'unmatched':
      return `  ${p.red('?')} ${e.declaration}: ${p.red(e.message)}`;
    default:
      return undefined;
  }
}

/** `a, b, c and 97 more`. */
function someNames(names: readonly string[], max = 3): string {
  if (names.length <= max) return names.join(', ');
  return `${names.slice(0, max).join(', ')} and ${names.length - max} more`;
}

/** Lines saying each distinct text once, with how many moves it is true of; `every move:` when all agree. */
function saidOnce(texts: readonly string[], total: number, paintLine: (s: string) => string): string[] {
  const counts = new Map<string, number>();
  for (const t of texts) counts.set(t, (counts.get(t) ?? 0) + 1);
  const sorted = [...counts.entries()].sort((a, b) => b[1] - a[1]);
  if (sorted.length === 1 && sorted[0][1] === total) return [paintLine(`  ${total === 1 ? 'the move' : 'every move'}: ${sorted[0][0]}`)];
  const out = sorted.slice(0, VARIANTS_MAX).map(([t, n]) => paintLine(`  ${plural(n, 'move')}: ${t}`));
  if (sorted.length > VARIANTS_MAX) out.push(`  ... and ${plural(sorted.length - VARIANTS_MAX, 'other variant')} (plan --verbose)`);
  return out;
}

function movesSection(entries: readonly PlanEntry[], p: Paint, now: number): string[] {
  const groups = moveGroups(entries);
  const pending = groups.flatMap((g) => g.moves);
  if (!pending.length) return [];
  const out = ['', p.bold(`Moves: ${movedCount(pending.map((e) => e.server))} in ${plural(groups.length, 'group')} (source -> destination)`)];
  const each = pending.length <= LIST_EACH_UP_TO;
  for (const g of groups.slice(0, GROUPS_MAX)) {
    const mark = g.action === 'resume' ? p.cyan('>') : p.yellow('~');
    const what = `${movedCount(g.moves.map((e) => e.server))}${g.action === 'resume' ? ' already migrating (resumed)' : ''}`;
    if (each) {
      out.push(`  ${g.from} -> ${g.to}: ${what}`);
      for (const e of g.moves) out.push(`    ${mark} ${who(e.server)}: ${e.from} -> ${e.to}${e.action === 'resume' ? p.cyan(` (already migrating: ${e.server.taskState ?? 'unknown'})`) : ''}`);
    } else {
      out.push(`  ${mark} ${g.from} -> ${g.to}: ${what} (${someNames(g.moves.map((e) => e.server.shareNetworkName ?? e.server.id))})`);
    }
  }
  if (groups.length > GROUPS_MAX) {
    const rest = groups.slice(GROUPS_MAX);
    out.push(`  ... and ${plural(rest.length, 'more group')} of ${movedCount(rest.flatMap((g) => g.moves.map((e) => e.server)))} (plan --verbose)`);
  }
  out.push(...saidOnce(pending.map((e) => `${flagsText(e)}${e.completion === 'auto' ? '; the switchover (complete) disrupts clients briefly' : ''}`), pending.length, p.dim));
  const windows = pending.map((e) => windowText(e, now)).filter((t): t is string => t !== undefined);
  if (windows.length) out.push(...saidOnce(windows, pending.length, p.cyan));
  return out;
}

function tenantsSection(entries: readonly PlanEntry[], p: Paint, x: PlanExtras): string[] {
  const projects = impactByProject(entries, supportedOf(x.checks));
  if (!projects.length) return [];
  const moves = projects.flatMap((pr) => pr.moves);
  const out = ['', p.bold('What your tenants see:')];
  const texts = moves.map((m) => `${m.writes.text}; ${m.exportLocations.text}; access rules kept`);
  const readOnly = moves.some((m) => m.writes.outcome === 'read-only');
  out.push(...saidOnce(texts, moves.length, readOnly ? p.yellow : p.dim));
  for (const pr of projects.slice(0, PROJECTS_MAX)) {
    out.push(
      `  project ${projectLabel(pr)}: ${plural(pr.moves.length, 'move')}, ${plural(pr.shares, 'share')}, ${pr.sizeGb} GiB, ${plural(pr.snapshots, 'snapshot')}; ` +
        `read-only in phase 1 (or may be): ${pr.readOnlyMoves}; remount after (or may have to): ${pr.remountMoves}`,
    );
  }
  if (projects.length > PROJECTS_MAX) {
    const rest = projects.slice(PROJECTS_MAX);
    out.push(`  ... and ${plural(rest.length, 'more project')} with ${plural(rest.reduce((n, pr) => n + pr.moves.length, 0), 'move')} (plan --verbose, or apply --notices)`);
  }
  if (x.checks?.size) {
    const checks = [...x.checks.values()];
    const failed = checks.filter((c) => 'error' in c).length;
    const refused = checks.filter((c) => 'verdict' in c && !c.verdict.compatible).length;
    out.push(p.dim(`  Manila's check: ${checks.length - failed - refused} compatible, ${refused} refused (shown as blocked), ${failed} failed to answer`));
  }
  return out;
}

/** The compact text of one or more plans (see the module comment). */
export function renderCompact(plans: readonly Plan[], p: Paint, now: number, x: PlanExtras): string[] {
  const out: string[] = [];
  for (const plan of plans) out.push(p.dim(`Snapshot taken ${plan.snapshot.takenAt} of ${plan.snapshot.cloud.endpoint} (${plan.snapshot.digest.slice(0, 19)}...)`));
  const entries = plans.flatMap((pl) => [...pl.entries]);
  const attention = entries.map((e) => attentionLine(e, p)).filter((l): l is string => l !== undefined);
  if (attention.length) {
    const t = totals(plans);
    out.push('', p.bold(p.red(`Needs attention: ${t.blocked} blocked, ${t.conflict} in conflict, ${t.unmatched} unmatched`)));
    out.push(...attention.slice(0, ATTENTION_MAX));
    if (attention.length > ATTENTION_MAX) out.push(`  ... and ${attention.length - ATTENTION_MAX} more (plan --verbose lists them all; plan --format json gives every reason)`);
  }
  out.push(...movesSection(entries, p, now));
  for (const plan of plans) for (const r of plan.rebalance ?? []) out.push(...renderRebalance(r, plan.entries, p, false));
  const inSync = entries.filter((e) => e.action === 'in-sync').length;
  if (inSync) out.push('', `  ${p.green('=')} ${plural(inSync, 'share server')} already where ${inSync === 1 ? 'it belongs' : 'they belong'}`);
  out.push(...tenantsSection(entries, p, x));
  out.push('', totalsLine(plans, p));
  return out;
}

