import type { BlockedReason, RebalanceDeclaration } from './types';
import type { PlanContext } from './plan-context';
import type { Lineage } from './lineage';
import type { BalanceHost, BalanceServer } from './rebalance-model';
import { destinationZone, typeAllowsZone } from './blockers';
import { backendName } from './host';
import { compareStrings } from '../util/compare';
import { plural } from '../util/plural';
import { usesCapacity } from './rebalance-model';
import type { RebalanceScope } from './rebalance-scope';
import type { RebalanceItem, RebalanceSource } from './rebalance-items';

/**
 * From a snapshot to the rebalancing problem: the hosts with their load, zone, backend name,
 * capacity and whether they can receive; the servers that may move; and the servers that
 * count where they are without moving (in flight, blocked, on a host whose service is down).
 */

/** A server in flight that the rebalance continues (from one of its hosts to a balanced one). */
export interface RebalanceResume {
  readonly item: RebalanceItem;
  readonly from: string;
  readonly to: string;
}

/** The problem, and what the plan entries and the explanation need besides. */
export interface RebalanceProblem {
  readonly scope: RebalanceScope;
  /** What it moves: share servers, or shares without one. */
  readonly source: RebalanceSource;
  /** Sorted by name. */
  readonly hosts: readonly BalanceHost[];
  readonly servers: readonly BalanceServer[];
  /** The thing behind each server, by the same index. */
  readonly items: readonly RebalanceItem[];
  /** Why each host that cannot receive cannot (codes), by host index; empty when it can. */
  readonly cannotReceive: ReadonlyArray<readonly string[]>;
  readonly resumes: readonly RebalanceResume[];
  /** Servers of drained hosts that cannot move at all, with the reasons. */
  readonly drainBlocked: ReadonlyArray<{ readonly item: RebalanceItem; readonly reasons: readonly BlockedReason[] }>;
  /** Facts for the explanation's notes. */
  readonly notes: readonly string[];
}

function capacityOf(host: string, ctx: PlanContext): { totalGb?: number; freeGb?: number } {
  let total: number | undefined;
  let free: number | undefined;
  for (const p of ctx.poolsByHost.get(host) ?? []) {
    if (p.totalCapacityGb !== undefined && Number.isFinite(p.totalCapacityGb)) total = (total ?? 0) + p.totalCapacityGb;
    if (p.freeCapacityGb !== undefined && Number.isFinite(p.freeCapacityGb)) free = (free ?? 0) + p.freeCapacityGb;
  }
  return { ...(total !== undefined && total > 0 ? { totalGb: total } : {}), ...(free !== undefined ? { freeGb: free } : {}) };
}

/**
 * Zones a server may move to, as `pairBlockers` decides: where its share network has a subnet
 * (any zone with a default subnet), and that every share type on it allows. Null when any zone
 * will do. `zones` are the zones of the rebalance's hosts: a type's `availability_zones` is
 * matched the way Manila matches it, so it is evaluated on them rather than parsed.
 */
function zonesOf(l: Lineage, ctx: PlanContext, zones: readonly string[], cache: Map<string, ReadonlySet<string> | null>): ReadonlySet<string> | null {
  const netId = l.current.shareNetworkId;
  const typeIds = [
    ...new Set(
      l.current.shares
        .map((sh) => sh.shareTypeId)
        .filter((t): t is string => t !== undefined && ctx.shareTypesById.get(t)?.availabilityZones !== undefined),
    ),
  ].sort(compareStrings);
  const key = `${netId ?? ''}|${typeIds.join(',')}`;
  let z = cache.get(key);
  if (z === undefined) {
    const subnets = netId === undefined ? [] : (ctx.networksById.get(netId)?.subnets ?? []);
    const byNetwork =
      subnets.length === 0 || subnets.some((sn) => sn.availabilityZone === null)
        ? null
        : new Set(subnets.map((sn) => sn.availabilityZone as string));
    if (typeIds.length === 0) z = byNetwork;
    else {
      const specs = typeIds.map((t) => ctx.shareTypesById.get(t)?.availabilityZones);
      z = new Set(zones.filter((zone) => (byNetwork === null || byNetwork.has(zone)) && specs.every((azs) => typeAllowsZone(azs, zone))));
    }
    cache.set(key, z);
  }
  return z;
}

/**
 * Builds the problem of one rebalance over the hosts of `scope` (those of the source's kind),
 * counting and moving what `source` gives. Pure.
 */
export function buildRebalance(d: RebalanceDeclaration, ctx: PlanContext, scope: RebalanceScope, source: RebalanceSource): RebalanceProblem {
  const capacity = usesCapacity(d.objective);
  const { noun, nouns } = source;
  const names = [...scope.hosts].sort(compareStrings);
  const index = new Map(names.map((h, i) => [h, i] as const));
  const drained = new Set(scope.drain);
  const notes: string[] = [];
  const cannotReceive: string[][] = [];
  const facts = names.map((name, i) => {
    const role = drained.has(name) ? ('drain' as const) : ('balance' as const);
    const cap = capacityOf(name, ctx);
    const codes = source.hostBlockers(name).map((r) => r.code);
    const counted = role === 'balance' && (!capacity || (cap.totalGb !== undefined && cap.freeGb !== undefined));
    if (role === 'balance' && !counted) {
      codes.push('NO_CAPACITY_DATA');
      notes.push(`${name} is left out of the free-ratio balance: its pools report no total or free capacity`);
    } else if (role === 'balance' && codes.length > 0) {
      notes.push(`${name} takes no ${nouns} (${codes.join(', ')}); it still counts in the balance`);
    } else if (role === 'balance' && cap.freeGb === undefined && (d.reserveGb > 0 || d.reserveRatio > 0)) {
      notes.push(`${name} takes no ${nouns}: its pools report no free capacity to check the reserve against`);
    }
    cannotReceive[i] = role === 'balance' ? codes : [];
    const up = (ctx.servicesByHost.get(name) ?? []).some((s) => s.state === 'up');
    return { name, role, counted, receives: counted && codes.length === 0, up, ...cap };
  });

  const pinnedLoad = names.map(() => 0);
  const pinnedServers = names.map(() => 0);
  const pin = (h: number, it: RebalanceItem): void => {
    pinnedServers[h]++;
    pinnedLoad[h] += d.objective === 'server-count' ? 1 : it.sizeGb;
  };
  const servers: BalanceServer[] = [];
  const items: RebalanceItem[] = [];
  const resumes: RebalanceResume[] = [];
  const drainBlocked: Array<{ item: RebalanceItem; reasons: readonly BlockedReason[] }> = [];
  const zoneCache = new Map<string, ReadonlySet<string> | null>();
  const hostZones = [...new Set(names.map((h) => destinationZone(h, ctx)).filter((z): z is string => z !== undefined))].sort(compareStrings);
  let inFlight = 0;
  let sourceDown = 0;
  const downHosts = new Set<string>();
  let leftOut = 0;
  const blockedCodes = new Map<string, number>();
  for (const it of source.items()) {
    const here = index.get(it.host);
    const motion = it.motion;
    if (motion) {
      const eff = index.get(motion.effective);
      if (eff !== undefined) {
        pin(eff, it);
        inFlight++;
      }
      const toward = motion.toward;
      if (here !== undefined && toward !== undefined && !motion.cancelling && index.has(toward) && !drained.has(toward)) {
        resumes.push({ item: it, from: motion.from, to: motion.towardTarget ?? toward });
      }
      continue;
    }
    if (here === undefined) continue;
    const reasons = it.blockers();
    if (reasons.length > 0) {
      pin(here, it);
      for (const code of new Set(reasons.map((r) => r.code))) blockedCodes.set(code, (blockedCodes.get(code) ?? 0) + 1);
      if (facts[here].role === 'drain') drainBlocked.push({ item: it, reasons });
      continue;
    }
    if (!facts[here].up) {
      pin(here, it);
      sourceDown++;
      downHosts.add(it.host);
      continue;
    }
    if (facts[here].role === 'balance' && !facts[here].counted) {
      pin(here, it);
      leftOut++;
      continue;
    }
    // A share's zone is its destination's: share migration moves it (share/api.py migration_start).
    servers.push({ id: it.id, host: here, sizeGb: it.sizeGb, zones: it.lineage ? zonesOf(it.lineage, ctx, hostZones, zoneCache) : null });
    items.push(it);
  }

  if (sourceDown > 0) notes.push(`${plural(sourceDown, noun)} on ${[...downHosts].sort(compareStrings).join(', ')} cannot be moved off while the manila-share service there is down`);
  if (inFlight > 0) notes.push(`${plural(inFlight, noun)} in flight count on the host they are migrating to and are not moved`);
  if (blockedCodes.size > 0) {
    const codes = [...blockedCodes.entries()].sort(([a], [b]) => compareStrings(a, b)).map(([c, n]) => `${c} ${n}`).join(', ');
    notes.push(`${nouns} that cannot migrate count where they are and are not moved (${codes})`);
  }
  if (leftOut > 0) notes.push(`${plural(leftOut, noun)} on hosts left out of the balance are not moved`);

  const hosts: BalanceHost[] = facts.map((f, i) => ({
    name: f.name,
    // Manila's same-backend rule is about share servers; a share may move within a backend name.
    backend: source.kind === 'share' ? f.name : backendName(f.name),
    ...(destinationZone(f.name, ctx) !== undefined ? { zone: destinationZone(f.name, ctx) } : {}),
    role: f.role,
    counted: f.counted,
    receives: f.receives,
    ...(f.totalGb !== undefined ? { totalGb: f.totalGb } : {}),
    ...(f.freeGb !== undefined ? { freeGb: f.freeGb } : {}),
    pinnedLoad: pinnedLoad[i],
    pinnedServers: pinnedServers[i],
  }));
  return { scope, source, hosts, servers, items, cannotReceive, resumes, drainBlocked, notes };
}
