import type { BlockedReason, PlanEntry, RebalanceDeclaration, RebalanceExplanation, RebalanceHostLoad } from './types';
import type { PlanContext } from './plan-context';
import type { Lineage } from './lineage';
import type { BalanceOutcome, BalanceStep } from './rebalance-model';
import { pairBlockers, destinationBlockers, targetNetwork } from './blockers';
import { compareStrings } from '../util/compare';
import { entryKey } from './key';
import { observedServer } from './observed-server';
import { buildRebalance, type RebalanceProblem } from './rebalance-build';
import { balance } from './rebalance-greedy';
import { formatAmount, formatChange, shown, tidy } from './rebalance-model';

/**
 * Rebalancing: objective + constraints + snapshot -> the fewest migrations that bring the
 * hosts within tolerance, each with the reason it was chosen, plus an explanation (load of
 * every host before and after). Pure and deterministic. See `rebalance-greedy.ts` for the
 * algorithm and its bounds.
 *
 * Entries: `migrate` for each server to move; `resume` for a migration in flight between two
 * of its hosts (so a manual completion can be finished); `blocked` for servers of a drained
 * host that cannot leave it. Servers that stay put get no entry: the explanation's table says
 * where the load is.
 */

/** The entries and the explanation of one rebalance. */
export interface RebalanceResult {
  readonly entries: PlanEntry[];
  readonly explanation: RebalanceExplanation;
}

const MAX_NAMED = 5;

function receiversText(p: RebalanceProblem): string {
  const r = p.hosts.filter((h) => h.receives).map((h) => h.name);
  if (r.length === 0) return 'no host';
  return r.length <= MAX_NAMED ? r.join(',') : `${r.length} hosts`;
}

/** Why a server of a drained host found no host: the reasons per receiving host, one per code. */
function noHostReasons(l: Lineage, p: RebalanceProblem, ctx: PlanContext): BlockedReason[] {
  const receivers = p.hosts.filter((h) => h.receives);
  if (receivers.length === 0) {
    const others = p.hosts.filter((h) => h.role === 'balance');
    const rs = others.flatMap((h) => destinationBlockers(h.name, ctx));
    return rs.length > 0 ? rs : [{ code: 'NO_CAPACITY', message: 'no host of the rebalance can receive share servers' }];
  }
  const net = targetNetwork(l.current, undefined, ctx);
  const byCode = new Map<string, { first: BlockedReason; n: number }>();
  for (const h of receivers) {
    for (const r of pairBlockers(l.current, h.name, net, ctx)) {
      const e = byCode.get(r.code);
      if (e) e.n++;
      else byCode.set(r.code, { first: r, n: 1 });
    }
  }
  return [...byCode.values()].map(({ first, n }) => ({ code: first.code, message: n > 1 ? `${first.message} (and ${n - 1} more host${n === 2 ? '' : 's'})` : first.message }));
}

function noRoomReason(l: Lineage, d: RebalanceDeclaration): BlockedReason {
  const size = l.current.shares.reduce((sum, sh) => sum + sh.size, 0);
  const reserve = [d.reserveGb > 0 ? `${d.reserveGb} GiB` : '', d.reserveRatio > 0 ? `${(d.reserveRatio * 100).toFixed(1)}% of its capacity` : ''].filter(Boolean).join(' and ');
  return {
    code: 'NO_CAPACITY',
    message: `no host that could take share server ${l.current.id} (${size} GiB) has room for it${reserve ? ` and still keeps ${reserve} free` : ''}`,
  };
}

function why(steps: readonly BalanceStep[], p: RebalanceProblem, d: RebalanceDeclaration): string {
  const name = (h: number): string => p.hosts[h].name;
  const part = (st: BalanceStep): string => {
    const from = `${name(st.from)} ${formatChange(st.fromBefore, st.fromAfter, d.objective)}`;
    const to = `${name(st.to)} ${formatChange(st.toBefore, st.toAfter, d.objective)}`;
    return st.kind === 'drain' ? `drain ${from}: least loaded host that takes it, ${to}` : `balance ${d.objective}: ${from}, ${to}`;
  };
  return steps.map(part).join('; then ');
}

function explain(d: RebalanceDeclaration, p: RebalanceProblem, o: BalanceOutcome, moves: number): RebalanceExplanation {
  const value = (v: number): number | null => (Number.isNaN(v) ? null : shown(v, d.objective));
  const hosts: RebalanceHostLoad[] = p.hosts.map((h, i) => ({
    host: h.name,
    role: h.role,
    before: value(o.before[i]),
    after: value(o.after[i]),
    pinned: h.pinnedServers,
    ...(p.cannotReceive[i].length > 0 ? { cannotReceive: [...p.cannotReceive[i]] } : {}),
  }));
  const notes = [...p.notes];
  if (o.stop === 'max-moves') notes.push(`stopped at maxMoves (${d.maxMoves}); plan again once these moves are done to continue`);
  if (o.stop === 'no-gain') {
    notes.push(`no allowed move lowers a host by minGain (${formatAmount(d.minGain, d.objective)}) or more; the spread stays above the tolerance (${formatAmount(d.tolerance, d.objective)})`);
  }
  const kept = p.hosts.filter((h, i) => h.role === 'drain' && (h.pinnedServers > 0 || o.placement.some((to) => to === i)));
  if (kept.length > 0 && o.stop !== 'max-moves') {
    notes.push(`${kept.map((h) => h.name).join(', ')} cannot be emptied: some of its servers cannot leave it (see the blocked entries and the servers in flight)`);
  }
  if (o.ceilingReached) notes.push('stopped at the safety limit on planning steps; plan again once these moves are done');
  return {
    declaration: d.path,
    objective: d.objective,
    hosts,
    moves,
    spread: { before: tidy(o.spreadBefore, d.objective), after: tidy(o.spreadAfter, d.objective) },
    tolerance: d.tolerance,
    balanced: o.stop === 'balanced',
    stop: o.stop,
    problems: [...p.scope.problems],
    notes,
  };
}

/** Plans one rebalance. Pure. */
export function planRebalance(d: RebalanceDeclaration, ctx: PlanContext): RebalanceResult {
  const p = buildRebalance(d, ctx);
  const o = balance(p.hosts, p.servers, d);
  const stepsOf = new Map<number, BalanceStep[]>();
  for (const st of o.steps) {
    const list = stepsOf.get(st.server) ?? [];
    list.push(st);
    stepsOf.set(st.server, list);
  }
  const entries: PlanEntry[] = [];
  const move = { flags: d.flags, newShareNetworkId: null, completion: d.completion };
  const toText = receiversText(p);
  p.servers.forEach((s, i) => {
    const l = p.lineages[i];
    const base = { key: entryKey(d.path, l.rootId), declaration: d.path, server: observedServer(l.current) };
    const to = o.placement[i];
    if (to !== s.host) {
      entries.push({ ...base, action: 'migrate', from: l.current.host, to: p.hosts[to].name, ...move, why: why(stepsOf.get(i) ?? [], p, d) });
      return;
    }
    const left = o.unplaced.get(i);
    if (left === 'no-host') entries.push({ ...base, action: 'blocked', to: toText, reasons: noHostReasons(l, p, ctx) });
    else if (left === 'no-room') entries.push({ ...base, action: 'blocked', to: toText, reasons: [noRoomReason(l, d)] });
  });
  for (const b of p.drainBlocked) {
    entries.push({ key: entryKey(d.path, b.lineage.rootId), declaration: d.path, server: observedServer(b.lineage.current), action: 'blocked', to: toText, reasons: [...b.reasons] });
  }
  for (const r of p.resumes) {
    entries.push({ key: entryKey(d.path, r.lineage.rootId), declaration: d.path, server: observedServer(r.lineage.current), action: 'resume', from: r.from, to: r.to, ...move });
  }
  entries.sort((a, b) => compareStrings(a.key, b.key));
  return { entries, explanation: explain(d, p, o, o.moves) };
}
