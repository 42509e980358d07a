import type { ObservedServer, Plan, PlanEntry } from '../plan/types';

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

function flagsText(e: { flags: { writable: boolean; nondisruptive: boolean; preserveSnapshots: boolean }; newShareNetworkId: string | null; completion: string }): string {
  const demands = [e.flags.writable && 'writable', e.flags.nondisruptive && 'nondisruptive', e.flags.preserveSnapshots && 'preserve-snapshots'].filter(Boolean);
  const parts = [`completion: ${e.completion}`];
  if (demands.length) parts.push(`demands: ${demands.join(', ')}`);
  if (e.newShareNetworkId) parts.push(`new share network: ${e.newShareNetworkId}`);
  return parts.join('; ');
}

function line(e: PlanEntry, p: Paint): string[] {
  switch (e.action) {
    case 'migrate':
      return [
        `  ${p.yellow('~')} ${who(e.server)}: ${e.from} ${p.bold('->')} ${p.bold(e.to)}`,
        p.dim(`      ${flagsText(e)}${e.completion === 'auto' ? '; the switchover (complete) disrupts clients briefly' : ''}`),
        ...(e.why ? [p.dim(`      why: ${e.why}`)] : []),
        p.dim(`      ${e.server.shareIds.length} share(s); declared by ${e.declaration}; move key ${e.key}`),
      ];
    case 'resume':
      return [`  ${p.cyan('>')} ${who(e.server)}: ${e.from} -> ${e.to} ${p.cyan(`(already migrating: ${e.server.taskState ?? 'unknown'})`)}`, p.dim(`      ${flagsText(e)}; move key ${e.key}`)];
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

/** Terraform-like text of one or more plans. */
export function renderPlans(plans: readonly Plan[], p: Paint): string {
  const out: string[] = [];
  const total: Record<string, number> = { migrate: 0, resume: 0, 'in-sync': 0, blocked: 0, conflict: 0, unmatched: 0 };
  for (const plan of plans) {
    out.push(p.dim(`Snapshot taken ${plan.snapshot.takenAt} of ${plan.snapshot.cloud.endpoint} (${plan.snapshot.digest.slice(0, 19)}...)`));
    const order: PlanEntry['action'][] = ['migrate', 'resume', 'blocked', 'conflict', 'unmatched', 'in-sync'];
    for (const action of order) for (const e of plan.entries.filter((x) => x.action === action)) out.push(...line(e, p));
    for (const [k, v] of Object.entries(plan.summary)) total[k] = (total[k] ?? 0) + v;
  }
  const changes = total.migrate + total.resume;
  out.push('');
  if (changes === 0 && total.blocked + total.conflict + total.unmatched === 0) {
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

/** True when a plan shows something that needs the operator (blocked, conflict, unmatched). */
export function hasProblems(plans: readonly Plan[]): boolean {
  return plans.some((p) => p.summary.blocked + p.summary.conflict + p.summary.unmatched > 0);
}
