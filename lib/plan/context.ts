import type { CloudSnapshot, SnapshotPool, SnapshotService, SnapshotShareNetwork, SnapshotShareServer } from '../snapshot/model';
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
    networksById: new Map(snapshot.shareNetworks.map((n) => [n.id, n] as const)),
  };
}
