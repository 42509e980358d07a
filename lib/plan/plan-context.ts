import { backendHostOf } from '../manila/resource';
import type { CloudSnapshot, SnapshotFlatShare, SnapshotPool, SnapshotService, SnapshotShareNetwork, SnapshotShareServer, SnapshotShareType } from '../snapshot/model';
import { buildLineages, type Lineage } from './lineage';
import { normalizeSnapshot } from './normalize';

/** A snapshot indexed for planning. Built once per `plan()` call. */
export interface PlanContext {
  /** The normalised snapshot. */
  readonly snapshot: CloudSnapshot;
  /** Every server record, live or leftover, by id. */
  readonly serversById: ReadonlyMap<string, SnapshotShareServer>;
  /** Live lineages, sorted by root id. */
  readonly lineages: readonly Lineage[];
  /** Lineage of each live record, by record id. */
  readonly lineageOf: ReadonlyMap<string, Lineage>;
  /** manila-share services by host. */
  readonly servicesByHost: ReadonlyMap<string, readonly SnapshotService[]>;
  /** Pools by backend host (`name@backend`). */
  readonly poolsByHost: ReadonlyMap<string, readonly SnapshotPool[]>;
  /** Share networks by id. */
  readonly networksById: ReadonlyMap<string, SnapshotShareNetwork>;
  /** Shares without a share server (they move by themselves), by backend host (`name@backend`), in id order. */
  readonly flatSharesByHost: ReadonlyMap<string, readonly SnapshotFlatShare[]>;
  /** Pools by name (`name@backend#pool`). */
  readonly poolsByName: ReadonlyMap<string, SnapshotPool>;
  /** Share types by id (empty for a snapshot written before they were recorded). */
  readonly shareTypesById: ReadonlyMap<string, SnapshotShareType>;
  /** Indexes that keep selection linear in the number of declarations (each list in lineage order). */
  readonly index: PlanIndex;
}

/** Look-ups of live lineages, so that resolving N selectors costs O(N), not O(N x servers). */
export interface PlanIndex {
  /** Lineages whose chain holds an id (live or deleted). */
  readonly lineagesById: ReadonlyMap<string, readonly Lineage[]>;
  /** Share networks by name. */
  readonly networksByName: ReadonlyMap<string, readonly SnapshotShareNetwork[]>;
  /** Lineages whose current record is on a share network id, or carries that network name. */
  readonly lineagesByNetwork: ReadonlyMap<string, readonly Lineage[]>;
  /** Lineages whose current record holds a share, by share id and by share name. */
  readonly sharesById: ReadonlyMap<string, readonly Lineage[]>;
  readonly sharesByName: ReadonlyMap<string, ReadonlyArray<{ readonly l: Lineage; readonly id: string }>>;
  /** Lineages whose current record is on a host. */
  readonly lineagesByHost: ReadonlyMap<string, readonly Lineage[]>;
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
}

function buildIndex(lineages: readonly Lineage[], networks: readonly SnapshotShareNetwork[]): PlanIndex {
  const lineagesById = new Map<string, Lineage[]>();
  const lineagesByNetwork = new Map<string, Lineage[]>();
  const sharesById = new Map<string, Lineage[]>();
  const sharesByName = new Map<string, Array<{ l: Lineage; id: string }>>();
  const lineagesByHost = new Map<string, Lineage[]>();
  for (const l of lineages) {
    for (const id of new Set(l.ids)) push(lineagesById, id, l);
    const c = l.current;
    const nets = new Set([c.shareNetworkId, c.shareNetworkName].filter((x): x is string => x !== undefined));
    for (const n of nets) push(lineagesByNetwork, n, l);
    for (const sh of c.shares) {
      push(sharesById, sh.id, l);
      if (sh.name !== undefined) push(sharesByName, sh.name, { l, id: sh.id });
    }
    push(lineagesByHost, c.host, l);
  }
  const networksByName = new Map<string, SnapshotShareNetwork[]>();
  for (const n of networks) if (n.name !== undefined) push(networksByName, n.name, n);
  return { lineagesById, networksByName, lineagesByNetwork, sharesById, sharesByName, lineagesByHost };
}

function groupBy<T>(items: readonly T[], key: (t: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const it of items) {
    const k = key(it);
    const list = out.get(k) ?? [];
    list.push(it);
    out.set(k, list);
  }
  return out;
}

/** Normalises and indexes a snapshot. Pure. */
export function createContext(raw: CloudSnapshot): PlanContext {
  const snapshot = normalizeSnapshot(raw);
  const lineages = buildLineages(snapshot.shareServers);
  const lineageOf = new Map<string, Lineage>();
  for (const l of lineages) for (const m of l.members) lineageOf.set(m.id, l);
  return {
    snapshot,
    serversById: new Map(snapshot.shareServers.map((s) => [s.id, s] as const)),
    lineages,
    lineageOf,
    servicesByHost: groupBy(snapshot.services, (s) => s.host),
    poolsByHost: groupBy(snapshot.pools, (p) => p.backendHost),
    flatSharesByHost: groupBy(snapshot.flatShares ?? [], (sh) => backendHostOf(sh.host)),
    poolsByName: new Map(snapshot.pools.map((p) => [p.name, p] as const)),
    networksById: new Map(snapshot.shareNetworks.map((n) => [n.id, n] as const)),
    shareTypesById: new Map((snapshot.shareTypes ?? []).map((t) => [t.id, t] as const)),
    index: buildIndex(lineages, snapshot.shareNetworks),
  };
}
