import type { BlockedReason, PlanEntry, RebalanceDeclaration, RebalanceExplanation, RebalanceHostLoad } from './types';
import type { PlanContext } from './plan-context';
import type { BalanceOutcome, BalanceStep } from './rebalance-model';
import { compareStrings } from '../util/compare';
import { entryKey } from './key';
import { buildRebalance, type RebalanceProblem } from './rebalance-build';
import { hostKind, sourceOf, type RebalanceItem } from './rebalance-items';
import { resolveRebalanceScope, type RebalanceScope } from './rebalance-scope';
import type { ResourceKind } from '../manila/resource';
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
 *
 * Hosts whose backends do not handle share servers are balanced by their shares, apart from
 * the share-server hosts (neither kind can go to the other's backends): one explanation per
 * kind the rebalance's hosts hold (./rebalance-items.ts).
 */

/** The entries and the explanations of one rebalance (one per kind of host it holds). */
export interface RebalanceResult {
  readonly entries: PlanEntry[];
  readonly explanations: RebalanceExplanation[];
}

const MAX_NAMED = 5;

function receiversText(p: RebalanceProblem): string {
  const r = p.hosts.filter((h) => h.receives).map((h) => h.name);
  if (r.length === 0) return 'no host';
  return r.length <= MAX_NAMED ? r.join(',') : `${r.length} hosts`;
}

/** Why a server of a drained host found no host: the reasons per receiving host, one per code. */
function noHostReasons(it: RebalanceItem, p: RebalanceProblem): BlockedReason[] {
  const receivers = p.hosts.filter((h) => h.receives);
  if (receivers.length === 0) {
    const others = p.hosts.filter((h) => h.role === 'balance');
    const rs = others.flatMap((h) => p.source.hostBlockers(h.name));
    return rs.length > 0 ? rs : [{ code: 'NO_CAPACITY', message: `no host of the rebalance can receive ${p.source.kind === 'share' ? 'shares' : 'share servers'}` }];
  }
  const byCode = new Map<string, { first: BlockedReason; n: number }>();
  for (const h of receivers) {
    for (const r of p.source.pairReasons(it, h.name)) {
      const e = byCode.get(r.code);
      if (e) e.n++;
      else byCode.set(r.code, { first: r, n: 1 });
    }
  }
  return [...byCode.values()].map(({ first, n }) => ({ code: first.code, message: n > 1 ? `${first.message} (and ${n - 1} more host${n === 2 ? '' : 's'})` : first.message }));
}

function noRoomReason(it: RebalanceItem, p: RebalanceProblem, d: RebalanceDeclaration): BlockedReason {
  const size = it.sizeGb;
  const what = p.source.kind === 'share' ? 'share' : 'share server';
  const reserve = [d.reserveGb > 0 ? `${d.reserveGb} GiB` : '', d.reserveRatio > 0 ? `${(d.reserveRatio * 100).toFixed(1)}% of its capacity` : ''].filter(Boolean).join(' and ');
  return {
    code: 'NO_CAPACITY',
    message: `no host that could take ${what} ${it.id} (${size} GiB) has room for it${reserve ? ` and still keeps ${reserve} free` : ''}`,
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

function explain(d: RebalanceDeclaration, p: RebalanceProblem, o: BalanceOutcome, moves: number, problems: readonly string[]): RebalanceExplanation {
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
    notes.push(`${kept.map((h) => h.name).join(', ')} cannot be emptied: some of its ${p.source.nouns} cannot leave it (see the blocked entries and the ${p.source.nouns} in flight)`);
  }
  if (o.ceilingReached) notes.push('stopped at the safety limit on planning steps; plan again once these moves are done');
  return {
    declaration: d.path,
    ...(p.source.kind === 'share' ? { resource: 'share' as const } : {}),
    objective: d.objective,
    hosts,
    moves,
    spread: { before: tidy(o.spreadBefore, d.objective), after: tidy(o.spreadAfter, d.objective) },
    tolerance: d.tolerance,
    balanced: o.stop === 'balanced',
    stop: o.stop,
    problems: [...problems],
    notes,
  };
}

/** The scope narrowed to the hosts of one kind. */
function scopeOfKind(scope: RebalanceScope, kind: ResourceKind, ctx: PlanContext): RebalanceScope {
  const mine = (h: string): boolean => hostKind(h, ctx) === kind;
  const balance = scope.balance.filter(mine);
  const drain = scope.drain.filter(mine);
  return { balance, drain, hosts: new Set([...balance, ...drain]), problems: scope.problems };
}

/** Plans one rebalance: its share-server hosts and its share hosts, each by itself. Pure. */
export function planRebalance(d: RebalanceDeclaration, ctx: PlanContext): RebalanceResult {
  const scope = resolveRebalanceScope(d, ctx);
  const kinds = (['share-server', 'share'] as const).map((k) => ({ kind: k, scope: scopeOfKind(scope, k, ctx) }));
  // A kind with hosts is planned; with none at all, the share-server side carries the problems.
  const planned = kinds.filter((k) => k.scope.hosts.size > 0);
  const parts = (planned.length > 0 ? planned : [kinds[0]]).map((k, i) => planKind(d, ctx, k.scope, k.kind, i === 0 ? scope.problems : []));
  return { entries: parts.flatMap((p) => p.entries).sort((a, b) => compareStrings(a.key, b.key)), explanations: parts.map((p) => p.explanation) };
}

/** Plans the hosts of one kind. */
function planKind(
  d: RebalanceDeclaration,
  ctx: PlanContext,
  scope: RebalanceScope,
  kind: ResourceKind,
  problems: readonly string[],
): { entries: PlanEntry[]; explanation: RebalanceExplanation } {
  const p = buildRebalance(d, ctx, scope, sourceOf(kind, ctx));
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
  let moves = 0;
  p.servers.forEach((s, i) => {
    const it = p.items[i];
    const base = { key: entryKey(d.path, it.keyId), declaration: d.path, server: it.observed };
    const to = o.placement[i];
    if (to !== s.host) {
      const landing = p.source.landing(it, p.hosts[to].name);
      if ('reasons' in landing) entries.push({ ...base, action: 'blocked', to: p.hosts[to].name, reasons: [...landing.reasons] });
      else {
        moves++;
        entries.push({ ...base, action: 'migrate', from: it.from, to: landing.to, ...move, why: why(stepsOf.get(i) ?? [], p, d) });
      }
      return;
    }
    const left = o.unplaced.get(i);
    if (left === 'no-host') entries.push({ ...base, action: 'blocked', to: toText, reasons: noHostReasons(it, p) });
    else if (left === 'no-room') entries.push({ ...base, action: 'blocked', to: toText, reasons: [noRoomReason(it, p, d)] });
  });
  for (const b of p.drainBlocked) {
    entries.push({ key: entryKey(d.path, b.item.keyId), declaration: d.path, server: b.item.observed, action: 'blocked', to: toText, reasons: [...b.reasons] });
  }
  for (const r of p.resumes) {
    entries.push({ key: entryKey(d.path, r.item.keyId), declaration: d.path, server: r.item.observed, action: 'resume', from: r.from, to: r.to, ...move });
  }
  return { entries, explanation: explain(d, p, o, moves, problems) };
}
