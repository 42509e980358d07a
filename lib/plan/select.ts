import type { SnapshotShareServer } from '../snapshot/model';
import type { ServerSelector } from './types';
import type { PlanContext } from './plan-context';
import type { Lineage } from './lineage';
import { compareStrings } from '../util/compare';

/**
 * Resolving a placement's selector against a snapshot. Selection is by lineage: a server
 * declared by id is found again after it migrated, through `sourceShareServerId`.
 */

/** One selected server. */
export interface SelectedServer {
  readonly lineage: Lineage;
  /** Id the entry key is built from: the declared id for id selectors, else the lineage root. */
  readonly keyId: string;
}

/** What a selector matched, and what it could not match. */
export interface Selection {
  /** Sorted by `keyId`. */
  readonly servers: readonly SelectedServer[];
  /** Why (part of) the selector matched nothing; empty when everything matched. */
  readonly problems: readonly string[];
}

function describe(s: SnapshotShareServer): string {
  return `${s.status}${s.taskState ? `/${s.taskState}` : ''} on ${s.host || '(no host)'}`;
}

function byServerId(id: string, ctx: PlanContext): Selection {
  const lineages = ctx.index.lineagesById.get(id) ?? [];
  if (lineages.length > 0) return { servers: lineages.map((lineage) => ({ lineage, keyId: id })), problems: [] };
  const rec = ctx.serversById.get(id);
  const why = rec
    ? `share server ${id} is a leftover of an earlier migration (${describe(rec)}) and no live server descends from it`
    : `no share server has id ${id}, and no server in the snapshot was migrated from it`;
  return { servers: [], problems: [why] };
}

function byShareNetwork(value: string, project: string | undefined, ctx: PlanContext): Selection {
  const inProject = (projectId: string): boolean => project === undefined || projectId === project;
  let networkIds: Set<string>;
  const exact = ctx.networksById.get(value);
  if (exact && inProject(exact.projectId)) {
    networkIds = new Set([exact.id]);
  } else {
    const named = (ctx.index.networksByName.get(value) ?? []).filter((n) => inProject(n.projectId));
    const projects = [...new Set(named.map((n) => n.projectId))].sort(compareStrings);
    if (projects.length > 1) {
      return {
        servers: [],
        problems: [`share network name "${value}" is used in ${projects.length} projects (${projects.join(', ')}); set \`project\` or give the network id`],
      };
    }
    networkIds = new Set(named.map((n) => n.id));
  }
  const candidates =
    networkIds.size === 0
      ? (ctx.index.lineagesByNetwork.get(value) ?? [])
      : [...networkIds].flatMap((n) => ctx.index.lineagesByNetwork.get(n) ?? []);
  const seen = new Set<Lineage>();
  const matches = candidates
    .filter((l) => {
      if (seen.has(l)) return false;
      seen.add(l);
      const c = l.current;
      if (!inProject(c.projectId)) return false;
      if (c.shareNetworkId !== undefined && networkIds.has(c.shareNetworkId)) return true;
      return networkIds.size === 0 && (c.shareNetworkId === value || c.shareNetworkName === value);
    })
    .sort((a, b) => compareStrings(a.rootId, b.rootId));
  if (matches.length === 0) {
    const scope = project === undefined ? '' : ` in project ${project}`;
    return { servers: [], problems: [`no live share server belongs to share network "${value}"${scope}`] };
  }
  return { servers: matches.map((lineage) => ({ lineage, keyId: lineage.rootId })), problems: [] };
}

function byShares(shares: readonly string[], project: string | undefined, ctx: PlanContext): Selection {
  const found = new Map<string, Lineage>();
  const problems: string[] = [];
  for (const wanted of [...new Set(shares)].sort(compareStrings)) {
    const holders = [...new Set(ctx.index.sharesById.get(wanted) ?? [])].filter((l) => project === undefined || l.current.projectId === project);
    const byName =
      holders.length > 0
        ? []
        : (ctx.index.sharesByName.get(wanted) ?? []).filter((x) => project === undefined || x.l.current.projectId === project);
    if (holders.length === 0 && byName.length === 0) {
      problems.push(`no live share server holds a share with id or name "${wanted}"${project === undefined ? '' : ` in project ${project}`}`);
      continue;
    }
    const ids = new Set(byName.map((x) => x.id));
    if (ids.size > 1) {
      problems.push(`share name "${wanted}" matches ${ids.size} shares (${[...ids].sort(compareStrings).join(', ')}); give the share id, or set \`project\``);
      continue;
    }
    for (const l of holders.length > 0 ? holders : byName.map((x) => x.l)) found.set(l.rootId, l);
  }
  const servers = [...found.values()].map((lineage) => ({ lineage, keyId: lineage.rootId }));
  return { servers, problems };
}

/** Servers a placement selector picks in the snapshot. Pure. */
export function resolveSelector(sel: ServerSelector, ctx: PlanContext): Selection {
  let result: Selection;
  if (sel.shareServerId !== undefined) result = byServerId(sel.shareServerId, ctx);
  else if (sel.shareNetwork !== undefined) result = byShareNetwork(sel.shareNetwork, sel.project, ctx);
  else if (sel.shares !== undefined && sel.shares.length > 0) result = byShares(sel.shares, sel.project, ctx);
  else result = { servers: [], problems: ['the selector names no server: set exactly one of shareServerId, shareNetwork or shares'] };
  return { servers: [...result.servers].sort((a, b) => compareStrings(a.keyId, b.keyId)), problems: result.problems };
}

/** Servers an evacuation picks: every live lineage whose current record is on `host`. */
export function serversOnHost(host: string, ctx: PlanContext): SelectedServer[] {
  return (ctx.index.lineagesByHost.get(host) ?? []).map((lineage) => ({ lineage, keyId: lineage.rootId }));
}
