import { isLeftover, isMigrationDestination } from '../manila/server-state';
import type { SnapshotShareServer } from '../snapshot/model';
import { compareStrings } from '../util/compare';

/**
 * Share server lineages. A successful migration gives a server a new id; the new record keeps
 * the old id in `sourceShareServerId`. A lineage is every live record descending from one
 * root, so a declaration can follow "its" server across migrations.
 */

/** One server's history as the snapshot shows it. */
export interface Lineage {
  /** Oldest id of the `sourceShareServerId` chain (which may name a server already deleted). */
  readonly rootId: string;
  /** The record that stands for the server now: the source while a migration runs. */
  readonly current: SnapshotShareServer;
  /** A `server_migrating_to` record pointing at `current`, when there is one. */
  readonly destination?: SnapshotShareServer;
  /** Every live record of the lineage, sorted by id. */
  readonly members: readonly SnapshotShareServer[];
  /** Every id of the chains of its members, live or deleted, sorted. */
  readonly ids: readonly string[];
}

/** The chain of ids from `s` back through `sourceShareServerId`, ending with the root. */
export function ancestry(s: SnapshotShareServer, byId: ReadonlyMap<string, SnapshotShareServer>): string[] {
  const ids = [s.id];
  let next = s.sourceShareServerId;
  while (next !== null && !ids.includes(next)) {
    ids.push(next);
    next = byId.get(next)?.sourceShareServerId ?? null;
  }
  return ids;
}

function pickCurrent(members: readonly SnapshotShareServer[], chains: ReadonlyMap<string, readonly string[]>): SnapshotShareServer {
  const notDest = members.filter((m) => !isMigrationDestination(m));
  const pool = notDest.length > 0 ? notDest : members;
  // The youngest: no other candidate descends from it.
  const ancestors = new Set(pool.flatMap((m) => (chains.get(m.id) ?? []).slice(1)));
  return pool.find((m) => !ancestors.has(m.id)) ?? pool[0];
}

/** Groups the live records of a snapshot into lineages, sorted by root id. */
export function buildLineages(servers: readonly SnapshotShareServer[]): Lineage[] {
  const byId = new Map(servers.map((s) => [s.id, s] as const));
  const groups = new Map<string, { members: SnapshotShareServer[]; ids: Set<string> }>();
  const chains = new Map<string, readonly string[]>();
  for (const s of servers) {
    if (isLeftover(s, (id) => byId.has(id))) continue;
    const chain = ancestry(s, byId);
    chains.set(s.id, chain);
    const root = chain[chain.length - 1];
    const g = groups.get(root) ?? { members: [], ids: new Set<string>() };
    g.members.push(s);
    chain.forEach((id) => g.ids.add(id));
    groups.set(root, g);
  }
  return [...groups.entries()]
    .sort(([a], [b]) => compareStrings(a, b))
    .map(([rootId, g]) => {
      const members = [...g.members].sort((a, b) => compareStrings(a.id, b.id));
      const current = pickCurrent(members, chains);
      const destination = members.find((m) => m !== current && isMigrationDestination(m) && m.sourceShareServerId === current.id);
      return { rootId, current, destination, members, ids: [...g.ids].sort(compareStrings) };
    });
}
