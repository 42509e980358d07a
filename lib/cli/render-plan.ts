import type { MoveCheck } from '../apply/check';
import type { MigrationCheckResult } from '../manila/types';
import { impactByProject, moveImpact, type ProjectImpact } from '../plan/impact';
import type { Completion, ObservedServer, Plan, PlanEntry, RebalanceExplanation, RebalanceObjective } from '../plan/types';
import { completionText, windowAt } from '../plan/window';

/** What `plan` shows beside the plans: Manila's check answers (`--check`), by move key. */
export interface PlanExtras {
  readonly checks?: ReadonlyMap<string, MoveCheck>;
}

/** Manila's `supported_capabilities` by move key, from the checks that answered. */
export function supportedOf(checks: ReadonlyMap<string, MoveCheck> | undefined): Map<string, MigrationCheckResult['supported']> {
  const out = new Map<string, MigrationCheckResult['supported']>();
  for (const [k, c] of checks ?? []) if ('verdict' in c) out.set(k, c.verdict.supported);
  return out;
}

/** ANSI colours, or none (NO_COLOR, --no-color, not a TTY). */
export interface Paint {
  readonly green: (s: string) => string;
  readonly yellow: (s: string) => string;
  readonly red: (s: string) => string;
  readonly cyan: (s: string) => string;
  readonly dim: (s: string) => string;
  readonly bold: (s: string) => string;
}

/** Colours when wanted. */
export function paint(enabled: boolean): Paint {
  const c = (code: string) => (s: string) => (enabled ? `\x1b[${code}m${s}\x1b[0m` : s);
  return { green: c('32'), yellow: c('33'), red: c('31'), cyan: c('36'), dim: c('2'), bold: c('1') };
}

/** Whether to colour a stream: a TTY, no NO_COLOR, no --no-color. */
export function colourWanted(stream: NodeJS.WriteStream, flag: boolean | undefined, env = process.env): boolean {
  if (flag === false) return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  return Boolean(stream.isTTY);
}

function who(s: ObservedServer): string {
  const net = s.shareNetworkName ?? s.shareNetworkId;
  return `share server ${s.id}${net ? ` (${net})` : ''}`;
}

function flagsText(e: {
  flags: { writable: boolean; nondisruptive: boolean; preserveSnapshots: boolean };
  newShareNetworkId: string | null;
  completion: Completion;
}): string {
  const demands = [e.flags.writable && 'writable', e.flags.nondisruptive && 'nondisruptive', e.flags.preserveSnapshots && 'preserve-snapshots'].filter(Boolean);
  const parts = [`completion: ${completionText(e.completion)}`];
  if (demands.length) parts.push(`demands: ${demands.join(', ')}`);
  if (e.newShareNetworkId) parts.push(`new share network: ${e.newShareNetworkId}`);
  return parts.join('; ');
}

/** The shares of a move and what the move does to their users. */
function impactLines(e: Extract<PlanEntry, { action: 'migrate' | 'resume' }>, p: Paint, x: PlanExtras): string[] {
  const c = x.checks?.get(e.key);
  const im = moveImpact(e, c && 'verdict' in c ? c.verdict.supported : undefined);
  const shares = im.shares.map((s) => `${s.name ?? s.id} (${s.size} GiB${s.protocol ? ` ${s.protocol}` : ''}${s.snapshots ? `, ${s.snapshots} snapshot(s)` : ''})`).join(', ');
  const out = [p.dim(`      shares of project ${im.projectId}: ${shares || 'none'}`)];
  if (c) out.push('verdict' in c ? p.dim(`      check: ${c.verdict.summary}`) : p.red(`      check failed: ${c.error.message}`));
  const ro = im.writes.outcome === 'read-only' ? p.yellow : p.dim;
  out.push(ro(`      tenants: ${im.writes.text}; ${im.exportLocations.text}; ${im.snapshots.text}; ${im.accessRules.text}`));
  return out;
}

function line(e: PlanEntry, p: Paint, now: number, x: PlanExtras): string[] {
  switch (e.action) {
    case 'migrate':
      return [
        `  ${p.yellow('~')} ${who(e.server)}: ${e.from} ${p.bold('->')} ${p.bold(e.to)}`,
        p.dim(`      ${flagsText(e)}${e.completion === 'auto' ? '; the switchover (complete) disrupts clients briefly' : ''}`),
        ...windowLine(e, p, now),
        ...(e.why ? [p.dim(`      why: ${e.why}`)] : []),
        ...impactLines(e, p, x),
        p.dim(`      declared by ${e.declaration}; move key ${e.key}`),
      ];
    case 'resume':
      return [
        `  ${p.cyan('>')} ${who(e.server)}: ${e.from} -> ${e.to} ${p.cyan(`(already migrating: ${e.server.taskState ?? 'unknown'})`)}`,
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

/** "in 3 d 4 h", "in 25 min", "now". */
export function untilText(ms: number): string {
  if (ms <= 0) return 'now';
  const min = Math.ceil(ms / 60_000);
  if (min < 60) return `in ${min} min`;
  const h = Math.floor(min / 60);
  if (h < 48) return `in ${h} h ${min % 60} min`;
  return `in ${Math.floor(h / 24)} d ${h % 24} h`;
}

/** The switchover's maintenance window: when it next opens (from now, not from the snapshot), for how long. */
function windowLine(e: Extract<PlanEntry, { action: 'migrate' | 'resume' }>, p: Paint, now: number): string[] {
  if (typeof e.completion === 'string') return [];
  const w = e.completion.window;
  const s = windowAt(w, now);
  const zone = w.timezone ?? 'UTC';
  const text = s.open
    ? `the maintenance window is open now, until ${new Date(s.closesAt).toISOString()}: the switchover may run as soon as phase 1 is done`
    : `next maintenance window opens ${new Date(s.opensAt).toISOString()} (${untilText(s.opensAt - now)}; ${w.cron} ${zone}) for ${w.durationMinutes} min: the switchover waits for it; phase 1 starts at once`;
  return [p.cyan(`      ${text}`)];
}

function loadText(v: number | null, o: RebalanceObjective): string {
  if (v === null) return '?';
  return o === 'free-ratio' ? `${(v * 100).toFixed(1)}%` : String(v);
}

function amountText(v: number, o: RebalanceObjective): string {
  if (o === 'server-count') return `${v} server${v === 1 ? '' : 's'}`;
  return o === 'allocated-gb' ? `${v} GiB` : `${(v * 100).toFixed(1)} points`;
}

const OBJECTIVE_HEADERS: Readonly<Record<RebalanceObjective, string>> = {
  'server-count': 'servers',
  'allocated-gb': 'GiB',
  'free-ratio': 'free',
};

/**
 * The explanation of one rebalance: its moves, then a table of every host's load before and
 * after (in the objective's unit), then what could not be resolved and other notes.
 */
export function renderRebalance(r: RebalanceExplanation, entries: readonly PlanEntry[], p: Paint): string[] {
  const o = r.objective;
  const state =
    r.stop === 'balanced'
      ? p.green('balanced')
      : r.stop === 'max-moves'
        ? p.yellow('not balanced yet: stopped at maxMoves')
        : r.stop === 'drain-blocked'
          ? p.yellow('within tolerance, but a drained host keeps servers')
          : p.yellow('not balanced: no allowed move gains minGain');
  const out = [
    '',
    `${p.bold('Rebalance')} ${r.declaration} (${o}): ${r.moves} move${r.moves === 1 ? '' : 's'}; ` +
      `spread ${amountText(r.spread.before, o)} -> ${amountText(r.spread.after, o)} (tolerance ${amountText(r.tolerance, o)}): ${state}`,
  ];
  const moves = entries.filter((e): e is Extract<PlanEntry, { action: 'migrate' }> => e.action === 'migrate' && e.declaration === r.declaration);
  for (const e of moves) out.push(`  ${p.yellow('~')} ${who(e.server)}: ${e.from} -> ${e.to}`);
  const rows = [
    ['host', 'role', `before (${OBJECTIVE_HEADERS[o]})`, `after (${OBJECTIVE_HEADERS[o]})`, 'pinned', ''],
    ...r.hosts.map((h) => [
      h.host,
      h.role,
      loadText(h.before, o),
      loadText(h.after, o),
      String(h.pinned),
      h.cannotReceive ? `takes none: ${h.cannotReceive.join(', ')}` : '',
    ]),
  ];
  const widths = rows[0].map((_, c) => Math.max(...rows.map((row) => row[c].length)));
  const right = new Set([2, 3, 4]);
  rows.forEach((row, i) => {
    const text = row
      .map((cell, c) => (right.has(c) ? cell.padStart(widths[c]) : cell.padEnd(widths[c])))
      .join('  ')
      .trimEnd();
    out.push(`  ${i === 0 ? p.dim(text) : text}`);
  });
  for (const problem of r.problems) out.push(`  ${p.red('!')} ${p.red(problem)}`);
  for (const note of r.notes) out.push(p.dim(`  - ${note}`));
  return out;
}

/** Per project: how many moves, shares and GiB, and how many moves make them read-only or make clients remount. */
export function renderProjects(projects: readonly ProjectImpact[], p: Paint): string[] {
  if (!projects.length) return [];
  const out = ['', p.bold('What your tenants see, per project:')];
  for (const pr of projects) {
    out.push(
      `  project ${pr.projectId}: ${pr.moves.length} move(s), ${pr.shares} share(s), ${pr.sizeGb} GiB; ` +
        `read-only (or may be) during phase 1: ${pr.readOnlyMoves} move(s); remount after the switchover (or may have to): ${pr.remountMoves} move(s)`,
    );
  }
  return out;
}

/** Terraform-like text of one or more plans. `now` places maintenance windows. */
export function renderPlans(plans: readonly Plan[], p: Paint, now: number = Date.now(), x: PlanExtras = {}): string {
  const out: string[] = [];
  const total: Record<string, number> = { migrate: 0, resume: 0, 'in-sync': 0, blocked: 0, conflict: 0, unmatched: 0 };
  for (const plan of plans) {
    out.push(p.dim(`Snapshot taken ${plan.snapshot.takenAt} of ${plan.snapshot.cloud.endpoint} (${plan.snapshot.digest.slice(0, 19)}...)`));
    const order: PlanEntry['action'][] = ['migrate', 'resume', 'blocked', 'conflict', 'unmatched', 'in-sync'];
    for (const action of order) for (const e of plan.entries.filter((y) => y.action === action)) out.push(...line(e, p, now, x));
    for (const r of plan.rebalance ?? []) out.push(...renderRebalance(r, plan.entries, p));
    for (const [k, v] of Object.entries(plan.summary)) total[k] = (total[k] ?? 0) + v;
  }
  out.push(...renderProjects(impactByProject(plans.flatMap((pl) => [...pl.entries]), supportedOf(x.checks)), p));
  const changes = total.migrate + total.resume;
  const unresolved = plans.some((y) => (y.rebalance ?? []).some((r) => r.problems.length > 0));
  out.push('');
  if (changes === 0 && total.blocked + total.conflict + total.unmatched === 0 && !unresolved) {
    out.push(p.green('No changes. Every declared share server is where it belongs.'));
  } else {
    out.push(
      `${p.bold('Plan:')} ${total.migrate} to migrate, ${total.resume} to resume, ${total['in-sync']} in sync, ` +
        `${total.blocked} blocked, ${total.conflict} in conflict, ${total.unmatched} unmatched.`,
    );
  }
  return out.join('\n') + '\n';
}

/** True when a plan has something for the runner. */
export function hasChanges(plans: readonly Plan[]): boolean {
  return plans.some((p) => p.summary.migrate + p.summary.resume > 0);
}

/** True when a plan shows something that needs the operator (blocked, conflict, unmatched, a rebalance whose hosts did not resolve). */
export function hasProblems(plans: readonly Plan[]): boolean {
  return plans.some((p) => p.summary.blocked + p.summary.conflict + p.summary.unmatched > 0 || (p.rebalance ?? []).some((r) => r.problems.length > 0));
}
