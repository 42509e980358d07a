import type { RebalanceDeclaration } from './types';
import type { PlanContext } from './plan-context';
import { compileHostPattern, hostPatternProblem } from './host-pattern';
import { compareStrings } from '../util/compare';

/**
 * The hosts a rebalance is about, resolved against a snapshot: the candidates (listed, or the
 * manila-share hosts matching the pattern) plus the hosts to drain, minus the excluded ones.
 * Share servers whose current host is one of them belong to the rebalance.
 */

/** The resolved hosts of a rebalance. */
export interface RebalanceScope {
  /** Hosts to balance: known to the snapshot, not drained, not excluded; sorted. */
  readonly balance: readonly string[];
  /** Hosts to empty: known to the snapshot, not excluded; sorted. */
  readonly drain: readonly string[];
  /** `balance` and `drain` together. */
  readonly hosts: ReadonlySet<string>;
  /** What could not be resolved: unknown hosts, a pattern that matches nothing, nowhere to move to. */
  readonly problems: readonly string[];
}

const MAX_LISTED = 12;

function listed(hosts: readonly string[]): string {
  const shown = hosts.slice(0, MAX_LISTED).join(', ');
  return hosts.length > MAX_LISTED ? `${shown}, ... (${hosts.length} in all)` : shown || 'none';
}

/** The manila-share hosts of the snapshot, sorted. */
export function knownHosts(ctx: PlanContext): string[] {
  return [...ctx.servicesByHost.keys()].sort(compareStrings);
}

/** Resolves the hosts of a rebalance against an indexed snapshot. Pure. */
export function resolveRebalanceScope(d: RebalanceDeclaration, ctx: PlanContext): RebalanceScope {
  const known = knownHosts(ctx);
  const isKnown = (h: string): boolean => ctx.servicesByHost.has(h);
  const excluded = new Set(d.exclude);
  const problems: string[] = [];
  let candidates: string[];
  if (d.hostPattern !== undefined) {
    const problem = hostPatternProblem(d.hostPattern);
    if (problem) {
      problems.push(`hostPattern "${d.hostPattern}" ${problem}`);
      candidates = [];
    } else {
      const matches = compileHostPattern(d.hostPattern);
      candidates = known.filter(matches);
      if (candidates.length === 0) problems.push(`hostPattern "${d.hostPattern}" matches no manila-share host (hosts in the snapshot: ${listed(known)})`);
      else if (candidates.every((h) => excluded.has(h))) problems.push(`hostPattern "${d.hostPattern}" matches only excluded hosts (${listed(candidates)})`);
    }
  } else {
    candidates = [...new Set(d.hosts ?? [])].sort(compareStrings);
    const unknown = candidates.filter((h) => !isKnown(h));
    for (const h of unknown) problems.push(`host ${h} in hosts is not a manila-share host (hosts in the snapshot: ${listed(known)})`);
    candidates = candidates.filter(isKnown);
  }
  const drainSet = new Set(d.drain.filter((h) => !excluded.has(h)));
  for (const h of [...drainSet].sort(compareStrings)) {
    if (!isKnown(h)) problems.push(`host ${h} in drain is not a manila-share host (hosts in the snapshot: ${listed(known)})`);
  }
  const drain = [...drainSet].filter(isKnown).sort(compareStrings);
  const balance = candidates.filter((h) => !excluded.has(h) && !drainSet.has(h));
  if (balance.length === 0 && problems.length === 0) {
    problems.push(`no host is left to balance onto: every candidate is drained or excluded (drain: ${listed(drain)})`);
  }
  return { balance, drain, hosts: new Set([...balance, ...drain]), problems };
}
