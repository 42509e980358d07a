import { plural } from '../util/plural';
import type { MoveCheck } from '../apply/check';
import type { MigrationCheckResult } from '../manila/types';
import type { Completion, ObservedServer, Plan, PlanEntry } from '../plan/types';
import { completionText, windowAt } from '../plan/window';
import { compareStrings } from '../util/compare';
import type { Paint } from './paint';

/** What `plan` shows beside the plans. */
export interface PlanExtras {
  /** Manila's check answers (`--check`), by move key. */
  readonly checks?: ReadonlyMap<string, MoveCheck>;
  /**
   * Every move on its own lines, with its flags, window, tenants and key (`plan --verbose`).
   * @default false: one line per group of moves, what is the same for every move said once
   */
  readonly verbose?: boolean;
}

/** A move the runner makes. */
export type PendingEntry = Extract<PlanEntry, { action: 'migrate' | 'resume' }>;

/** Manila's `supported_capabilities` by move key, from the checks that answered. */
export function supportedOf(checks: ReadonlyMap<string, MoveCheck> | undefined): Map<string, MigrationCheckResult['supported']> {
  const out = new Map<string, MigrationCheckResult['supported']>();
  for (const [k, c] of checks ?? []) if ('verdict' in c) out.set(k, c.verdict.supported);
  return out;
}

/** `share server <id> (<network>)`, or for a share move `share <name> (<id>)`. */
export function who(s: ObservedServer): string {
  if (s.resource === 'share') {
    const name = s.shares?.[0]?.name;
    return name ? `share ${name} (${s.id})` : `share ${s.id}`;
  }
  const net = s.shareNetworkName ?? s.shareNetworkId;
  return `share server ${s.id}${net ? ` (${net})` : ''}`;
}

/** How many of what the moves move: `3 share servers`, `4 shares`, or `5 moves (1 share server, 4 shares)`. */
export function movedCount(servers: ReadonlyArray<{ readonly resource?: string }>): string {
  const shares = servers.filter((s) => s.resource === 'share').length;
  const others = servers.length - shares;
  if (shares === 0) return plural(others, 'share server');
  if (others === 0) return plural(shares, 'share');
  return `${plural(servers.length, 'move')} (${plural(others, 'share server')}, ${plural(shares, 'share')})`;
}

/** The completion policy, the demands and the new share network of a move, as one phrase. */
export function flagsText(e: {
  flags: { writable: boolean; nondisruptive: boolean; preserveSnapshots: boolean };
  newShareNetworkId: string | null;
  newShareTypeId?: string;
  completion: Completion;
}): string {
  const demands = [e.flags.writable && 'writable', e.flags.nondisruptive && 'nondisruptive', e.flags.preserveSnapshots && 'preserve-snapshots'].filter(Boolean);
  const parts = [`completion: ${completionText(e.completion)}`];
  if (demands.length) parts.push(`demands: ${demands.join(', ')}`);
  if (e.newShareNetworkId) parts.push(`new share network: ${e.newShareNetworkId}`);
  if (e.newShareTypeId) parts.push(`new share type: ${e.newShareTypeId}`);
  return parts.join('; ');
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
export function windowText(e: PendingEntry, now: number): string | undefined {
  if (typeof e.completion === 'string') return undefined;
  const w = e.completion.window;
  const s = windowAt(w, now);
  const zone = w.timezone ?? 'UTC';
  return s.open
    ? `the maintenance window is open now, until ${new Date(s.closesAt).toISOString()}: the switchover may run as soon as phase 1 is done`
    : `next maintenance window opens ${new Date(s.opensAt).toISOString()} (${untilText(s.opensAt - now)}; ${w.cron} ${zone}) for ${w.durationMinutes} min: the switchover waits for it; phase 1 starts at once`;
}

/** The window line of a move, indented, or none. */
export function windowLine(e: PendingEntry, p: Paint, now: number): string[] {
  const t = windowText(e, now);
  return t ? [p.cyan(`      ${t}`)] : [];
}

/** Counts of every action over some plans: their summaries added up. */
export function totals(plans: readonly Plan[]): Record<PlanEntry['action'], number> {
  const total: Record<PlanEntry['action'], number> = { migrate: 0, resume: 0, 'in-sync': 0, blocked: 0, conflict: 0, unmatched: 0 };
  for (const plan of plans) for (const k of Object.keys(total) as Array<PlanEntry['action']>) total[k] += plan.summary[k];
  return total;
}

/** The totals line: `Plan: 3 to migrate, ...`, or "No changes" when nothing moves and nothing needs the operator. */
export function totalsLine(plans: readonly Plan[], p: Paint): string {
  const t = totals(plans);
  const unresolved = plans.some((y) => (y.rebalance ?? []).some((r) => r.problems.length > 0));
  if (t.migrate + t.resume === 0 && t.blocked + t.conflict + t.unmatched === 0 && !unresolved) {
    return p.green('No changes. Everything declared is where it belongs.');
  }
  return `${p.bold('Plan:')} ${t.migrate} to migrate, ${t.resume} to resume, ${t['in-sync']} in sync, ${t.blocked} blocked, ${t.conflict} in conflict, ${t.unmatched} unmatched.`;
}

/** Moves with the same source, destination and kind (migrate or resume), for the compact plan. */
export interface MoveGroup {
  readonly action: 'migrate' | 'resume';
  readonly from: string;
  readonly to: string;
  readonly moves: readonly PendingEntry[];
}

/** The pending moves grouped by source → destination: the biggest group first, then by hosts. */
export function moveGroups(entries: readonly PlanEntry[]): MoveGroup[] {
  const groups = new Map<string, PendingEntry[]>();
  for (const e of entries) {
    if (e.action !== 'migrate' && e.action !== 'resume') continue;
    const k = `${e.action}\u0000${e.from}\u0000${e.to}`;
    groups.set(k, [...(groups.get(k) ?? []), e]);
  }
  return [...groups.values()]
    .map((moves) => ({ action: moves[0].action, from: moves[0].from, to: moves[0].to, moves }))
    .sort((a, b) => b.moves.length - a.moves.length || compareStrings(a.from, b.from) || compareStrings(a.to, b.to) || compareStrings(a.action, b.action));
}
