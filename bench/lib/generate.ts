import type { CloudSnapshot, SnapshotShareServer } from '../../lib/snapshot/model';
import type { Declaration, EvacuationDeclaration, PlacementDeclaration } from '../../lib/plan/types';

/**
 * Generated clouds and declarations for the planning-scale benchmark. Deterministic: the same
 * size always gives the same snapshot and declarations (no randomness, no clock).
 *
 * The cloud: HOSTS backends `host-NN@beNN` (enabled, up, one DHSS pool each), 100 projects,
 * one share network per share server, servers spread round-robin over the hosts. Every server
 * holds one available share; one in ten shares has a snapshot. One server in a hundred is in
 * the middle of a migration (source `server_migrating` plus its `server_migrating_to`
 * destination record) and one in a hundred carries history (an `inactive`/`migration_success`
 * leftover source record whose successor is the live server), so lineages are exercised.
 */

/** Backends in a generated cloud. */
export const HOSTS = 20;
const PROJECTS = 100;

/** `host-NN@beNN` for 1-based `k`. */
export function hostName(k: number): string {
  const nn = String(k).padStart(2, '0');
  return `host-${nn}@be${nn}`;
}

function uuid(kind: number, i: number): string {
  // 8-4-4-4-12 hex, unique per (kind, i), sorting by i within a kind.
  const hex = i.toString(16).padStart(12, '0');
  return `${kind.toString(16).padStart(8, '0')}-0000-4000-8000-${hex}`;
}

/** Id of the share network of server `i` (0-based). */
export const networkId = (i: number): string => uuid(1, i);
/** Name of the share network of server `i`. */
export const networkName = (i: number): string => `sn-${i}`;
const serverId = (i: number): string => uuid(2, i);
const shareId = (i: number): string => uuid(3, i);
const projectId = (i: number): string => uuid(4, i % PROJECTS).replace(/-/g, '');

/** Host (1-based index) of server `i`. */
export const hostIndexOf = (i: number): number => (i % HOSTS) + 1;

/** A snapshot of a cloud with `n` live share servers. */
export function generateSnapshot(n: number): CloudSnapshot {
  const servers: SnapshotShareServer[] = [];
  const networks: CloudSnapshot['shareNetworks'] = [];
  for (let i = 0; i < n; i++) {
    const host = hostName(hostIndexOf(i));
    const project = projectId(i);
    networks.push({ id: networkId(i), name: networkName(i), projectId: project, status: 'active', subnets: [{ id: uuid(5, i), availabilityZone: null }] });
    const shares = [
      {
        id: shareId(i),
        name: `share-${i}`,
        status: 'available',
        size: 1,
        hasReplicas: false,
        isSoftDeleted: false,
        snapshots: i % 10 === 0 ? [{ id: uuid(6, i), status: 'available' }] : [],
      },
    ];
    const base = {
      projectId: project,
      host,
      shareNetworkId: networkId(i),
      shareNetworkName: networkName(i),
      shareNetworkSubnetIds: [uuid(5, i)],
    };
    if (i % 100 === 7) {
      // Migrating now: the source and its destination record.
      servers.push({ ...base, id: serverId(i), status: 'server_migrating', taskState: 'migration_driver_in_progress', sourceShareServerId: null, shares });
      servers.push({
        ...base,
        id: uuid(7, i),
        host: hostName((hostIndexOf(i) % HOSTS) + 1),
        status: 'server_migrating_to',
        taskState: 'migration_driver_in_progress',
        sourceShareServerId: serverId(i),
        shares: [],
      });
    } else if (i % 100 === 13) {
      // Migrated once before: a leftover source record, and the live server that replaced it.
      servers.push({ ...base, id: uuid(8, i), host: hostName((hostIndexOf(i) % HOSTS) + 1), status: 'inactive', taskState: 'migration_success', sourceShareServerId: null, shares: [] });
      servers.push({ ...base, id: serverId(i), status: 'active', taskState: 'migration_success', sourceShareServerId: uuid(8, i), shares });
    } else {
      servers.push({ ...base, id: serverId(i), status: 'active', taskState: null, sourceShareServerId: null, shares });
    }
  }
  const services: CloudSnapshot['services'] = [];
  const pools: CloudSnapshot['pools'] = [];
  for (let k = 1; k <= HOSTS; k++) {
    const h = hostName(k);
    services.push({ host: h, zone: 'nova', status: 'enabled', state: 'up' });
    pools.push({ name: `${h}#pool`, backendHost: h, pool: 'pool', dhss: true, totalCapacityGb: 1_000_000, freeCapacityGb: 900_000, allocatedCapacityGb: 100_000 });
  }
  const byId = <T extends { id: string }>(a: T, b: T): number => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  return {
    kind: 'manila-placement/snapshot',
    version: 1,
    cloud: { authUrl: 'http://keystone.example:5000/v3', endpoint: 'http://manila.example:8786/v2', region: 'RegionOne' },
    takenAt: '2026-11-25T08:00:00.000Z',
    microversion: '2.73',
    shareServers: servers.sort(byId),
    services,
    pools,
    shareNetworks: networks.sort(byId),
  };
}

const FLAGS = { writable: false, nondisruptive: false, preserveSnapshots: false };

/**
 * Declaration shapes:
 * - `placements`: one ShareServerPlacement per share network (every server declared, the
 *   inventory-in-code shape); one server in five is declared on the next host, so it moves.
 * - `evacuation`: two HostEvacuations (hosts 1 and 2, a tenth of the servers) spread over
 *   hosts 3..10 with a cap per target.
 */
export type Shape = 'placements' | 'evacuation';

/** The declarations of a shape for a cloud of `n` servers. */
export function generateDeclarations(shape: Shape, n: number): Declaration[] {
  if (shape === 'evacuation') {
    const targets = Array.from({ length: 8 }, (_, j) => hostName(j + 3));
    return [1, 2].map(
      (k): EvacuationDeclaration => ({
        kind: 'evacuation',
        path: `fleet/evacuate-${k}`,
        sourceHost: hostName(k),
        targets,
        maxPerTarget: Math.ceil(n / HOSTS) * 2,
        flags: FLAGS,
        completion: 'auto',
      }),
    );
  }
  const out: PlacementDeclaration[] = [];
  for (let i = 0; i < n; i++) {
    const k = i % 5 === 0 ? (hostIndexOf(i) % HOSTS) + 1 : hostIndexOf(i);
    out.push({ kind: 'placement', path: `fleet/${networkName(i)}`, select: { shareNetwork: networkName(i) }, host: hostName(k), flags: FLAGS, completion: 'auto' });
  }
  return out;
}
