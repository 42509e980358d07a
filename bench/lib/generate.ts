import type { CloudSnapshot, SnapshotPool, SnapshotService, SnapshotShare, SnapshotShareNetwork, SnapshotShareServer } from '../../lib/snapshot/model';
import type { Declaration, EvacuationDeclaration, PlacementDeclaration } from '../../lib/plan/types';

/**
 * Generated clouds and declarations for the benchmarks: the planning-scale cloud and its
 * declarations (bench/scale.ts), and the rebalance cloud (bench/plan-rebalance.ts), built from
 * the same records. Deterministic: the same arguments always give the same snapshot and
 * declarations (no clock; the rebalance cloud draws from a fixed seed).
 *
 * The planning-scale cloud: HOSTS backends `host-NN@beNN` (enabled, up, one DHSS pool each), 100 projects,
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

/** An available share with no replica. */
function share(id: string, name: string, size: number, snapshots: SnapshotShare['snapshots']): SnapshotShare {
  return { id, name, status: 'available', size, hasReplicas: false, isSoftDeleted: false, snapshots };
}

/** An enabled manila-share service that is up. */
function service(host: string, zone: string): SnapshotService {
  return { host, zone, status: 'enabled', state: 'up' };
}

/** The one DHSS pool `pool` of a backend. */
function pool(host: string, totalCapacityGb: number, allocatedCapacityGb: number): SnapshotPool {
  return { name: `${host}#pool`, backendHost: host, pool: 'pool', dhss: true, totalCapacityGb, freeCapacityGb: totalCapacityGb - allocatedCapacityGb, allocatedCapacityGb };
}

/** The snapshot document around the records. */
function snapshotOf(
  cloud: CloudSnapshot['cloud'],
  records: Pick<CloudSnapshot, 'shareServers' | 'services' | 'pools' | 'shareNetworks'>,
): CloudSnapshot {
  return {
    kind: 'manila-placement/snapshot',
    version: 1,
    cloud,
    takenAt: '2026-11-25T08:00:00.000Z',
    microversion: '2.73',
    shareServers: records.shareServers,
    services: records.services,
    pools: records.pools,
    shareNetworks: records.shareNetworks,
  };
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
    const shares = [share(shareId(i), `share-${i}`, 1, i % 10 === 0 ? [{ id: uuid(6, i), status: 'available' }] : [])];
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
    services.push(service(h, 'nova'));
    pools.push(pool(h, 1_000_000, 100_000));
  }
  const byId = <T extends { id: string }>(a: T, b: T): number => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  return snapshotOf(
    { authUrl: 'http://keystone.example:5000/v3', endpoint: 'http://manila.example:8786/v2', region: 'RegionOne' },
    { shareServers: servers.sort(byId), services, pools, shareNetworks: networks.sort(byId) },
  );
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

const ZONES = ['az1', 'az2', 'az3'];
const NETWORKS = 2000;
const POOL_GB = 100 * 1024;

/**
 * mulberry32: a small seeded generator, so the snapshot is the same on every run. (The
 * simulator's Prng draws the same numbers, but bench/lib is transpiled alone for the child
 * processes, so it imports nothing at run time from outside bench/lib.)
 */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `nodeNN@beNN` for 0-based `k`: the backends of the rebalance cloud. */
export const nodeName = (k: number): string => `node${String(k).padStart(2, '0')}@be${String(k).padStart(2, '0')}`;

/**
 * The rebalance cloud (bench/plan-rebalance.ts): hosts `nodeNN@beNN` in three zones, each with
 * one DHSS pool of 4 x POOL_GB; servers spread unevenly (the first hosts hold most), 1 to 3
 * shares of 1 to 500 GiB each; 2,000 share networks, 40% of them with subnets in one or two
 * zones only; 1% of the servers in flight and 1% in error.
 */
export function generateRebalanceSnapshot(servers: number, hosts: number): CloudSnapshot {
  const r = rng(20261125);
  const project = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
  const networks: SnapshotShareNetwork[] = Array.from({ length: NETWORKS }, (_, n) => {
    const pinned = r() < 0.4;
    const zones = pinned ? [...new Set([ZONES[Math.floor(r() * 3)], ...(r() < 0.5 ? [ZONES[Math.floor(r() * 3)]] : [])])] : [null];
    return { id: uuid(1, n), name: `sn-${n}`, projectId: project, status: 'active', subnets: zones.map((z, k) => ({ id: uuid(5, n * 4 + k), availabilityZone: z })) };
  });
  const allocated = new Array<number>(hosts).fill(0);
  const list: SnapshotShareServer[] = [];
  for (let i = 0; i < servers; i++) {
    const h = Math.min(hosts - 1, Math.floor(hosts * r() * r())); // skewed toward the first hosts
    const net = networks[Math.floor(r() * NETWORKS)];
    const shares = Array.from({ length: 1 + Math.floor(r() * 3) }, (_, k) => share(uuid(3, i * 4 + k), `share-${i}-${k}`, 1 + Math.floor(r() * 500), []));
    allocated[h] += shares.reduce((s, sh) => s + sh.size, 0);
    const roll = r();
    const base = {
      id: uuid(2, i),
      projectId: project,
      host: nodeName(h),
      shareNetworkId: net.id,
      shareNetworkName: net.name,
      sourceShareServerId: null,
      shareNetworkSubnetIds: net.subnets.map((s) => s.id),
      shares,
    };
    if (roll < 0.01) {
      const dest = nodeName((h + 1 + Math.floor(r() * (hosts - 1))) % hosts);
      list.push({ ...base, status: 'server_migrating', taskState: 'migration_driver_in_progress' });
      list.push({ ...base, id: uuid(6, i), host: dest, status: 'server_migrating_to', taskState: 'migration_driver_in_progress', sourceShareServerId: base.id, shares: [] });
    } else {
      list.push({ ...base, status: roll < 0.02 ? 'error' : 'active', taskState: null });
    }
  }
  return snapshotOf(
    { authUrl: 'http://bench/v3', endpoint: 'http://bench/v2', region: 'RegionOne' },
    {
      shareServers: list,
      services: Array.from({ length: hosts }, (_, h) => service(nodeName(h), ZONES[h % 3])),
      pools: Array.from({ length: hosts }, (_, h) => pool(nodeName(h), POOL_GB * 4, allocated[h])),
      shareNetworks: networks,
    },
  );
}
