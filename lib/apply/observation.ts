import type { ManilaClient } from '../manila/client';
import type { ResourceKind } from '../manila/resource';
import { destinationOf, shareRecordsFromInstances } from '../manila/share-record';
import { awaitsDestinationRecord, isFailedDestinationOf, isFailedSource, isMigrationDestination, isMigrationSource, isRetiredSource, successorOf } from '../manila/server-state';
import type { ShareServer } from '../manila/types';
import type { Observation } from './stage';

/**
 * Reading what Manila shows of the moves: by id where that is enough (a GET costs 0.1 s in
 * Zed), from one list of every share server where it is not (a list loads every server in the
 * cloud and queries its share network: 1.3 s on the test bed, and it grows with the cloud).
 * One list serves every move of a pass, and admission.
 */

/** What the run remembers that saves reads. */
export interface Known {
  /** The id the plan named: the move follows its lineage from there. */
  readonly serverId: string;
  /** What the move moves. @default 'share-server' */
  readonly kind?: ResourceKind;
  /** The destination record seen while the migration runs (its host does not change). */
  readonly destination?: ShareServer;
  /** The destination id (from the record or from `migration_complete`). */
  readonly destinationId?: string;
  /** The plan's server record was seen gone (ids never come back): not read again. */
  readonly sourceGone?: boolean;
}

/** An observation, or the need for the list of every share server. */
export type ByIdResult = { readonly observation: Observation } | { readonly needsFleet: true };

/**
 * Reads one move by id: the server, and after it is gone the destination this run knows.
 * Says when only the full list can tell (a destination not yet known, a successor to find,
 * the failed destinations to name in a hint).
 */
export async function observeById(client: ManilaClient, k: Known): Promise<ByIdResult> {
  if (k.kind === 'share') return { observation: await observeShare(client, k) };
  const source = k.sourceGone ? undefined : await client.findShareServer(k.serverId);
  if (source && isMigrationSource(source)) {
    // The destination does not change while a migration runs: once seen, it is not read again.
    if (k.destination) return { observation: { source, destination: k.destination } };
    if (awaitsDestinationRecord(source)) return { observation: { source } };
    return { needsFleet: true };
  }
  if (source && !isRetiredSource(source)) {
    if (isFailedSource(source)) return { needsFleet: true }; // name the failed destinations in the hint
    return { observation: { source } };
  }
  if (k.destinationId) {
    // After a complete, the destination id is known: read it by id.
    const d = await client.findShareServer(k.destinationId);
    if (d && successorOf(k.serverId, [d])) return { observation: { source, successor: d } };
  }
  return { needsFleet: true };
}

/**
 * A share move, always by id: the share (its task state is nowhere else), and while it
 * migrates its instances once, for the destination's pool (it does not change).
 */
async function observeShare(client: ManilaClient, k: Known): Promise<Observation> {
  const source = await client.findMovable('share', k.serverId);
  if (!source || !isMigrationSource(source)) return { source };
  if (k.destination) return { source, destination: k.destination };
  if (awaitsDestinationRecord(source)) return { source };
  return { source, destination: destinationOf(source.id, await client.listShareInstances(source.id)) };
}

/**
 * What admission counts: every share server, and with `shares` every share's instances as
 * records (../manila/share-record.ts), so that limits count both kinds as Manila shows them.
 */
export async function listInFlightView(client: ManilaClient, shares: boolean): Promise<ShareServer[]> {
  const [servers, instances] = await Promise.all([client.listShareServers(), shares ? client.listAllShareInstances() : Promise.resolve([])]);
  return shares ? [...servers, ...shareRecordsFromInstances(instances)] : servers;
}

/** An index of one list of every share server. */
export interface Fleet {
  readonly servers: readonly ShareServer[];
  readonly byId: ReadonlyMap<string, ShareServer>;
}

/** Indexes a list of share servers. */
export function fleetOf(servers: readonly ShareServer[]): Fleet {
  return { servers, byId: new Map(servers.map((s) => [s.id, s] as const)) };
}

/** What the list shows of one move: the server, its in-flight destination, its successor (following later finished migrations), failed destinations. Pure. */
export function observeInFleet(fleet: Fleet, k: Known): Observation {
  const source = fleet.byId.get(k.serverId);
  if (source && isMigrationSource(source)) {
    const destination = fleet.servers.find((d) => isMigrationDestination(d) && d.sourceShareServerId === source.id);
    return { source, destination };
  }
  if (source && !isRetiredSource(source)) {
    // A destination still `server_migrating_to` beside a failed source is the failed one too
    // (Zed's manager marks the destination first, but a CI run once showed a failed source
    // whose hint named no destination; which read missed it is not known).
    return isFailedSource(source)
      ? {
          source,
          leftovers: fleet.servers
            .filter((d) => isFailedDestinationOf(d, source.id) || (isMigrationDestination(d) && d.sourceShareServerId === source.id))
            .map((d) => d.id)
            .sort(),
        }
      : { source };
  }
  let successor = successorOf(k.serverId, fleet.servers);
  // Follow finished later migrations of the successor (bounded: servers rarely move often).
  for (let hops = 0; successor && successor.status === 'active' && hops < 8; hops++) {
    const next = successorOf(successor.id, fleet.servers, { completedOnly: true });
    if (!next) break;
    successor = next;
  }
  return { source, successor };
}
