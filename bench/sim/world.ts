import { DUMMY, FAULTY, PRODUCTION_DRIVER, READONLY, type BackendSpec } from './backends';
import type { SimStore } from './model';
import type { Prng } from './prng';

/**
 * What a simulated cloud holds at the start: backends, one share network and one share server
 * per tenant network, shares with some snapshots and access rules. Two worlds: the project's
 * test bed (scripts/testbed: node1@alpha..readonly, mp-sn-1..N on node1@alpha) and a
 * production fleet (many source hosts, a few destinations).
 */

/** One share of a server. */
export interface ShareSpec {
  readonly name: string;
  readonly size: number;
  /** A snapshot with this name. */
  readonly snapshot?: string;
  /** An ip access rule (rw) to this address. */
  readonly rule?: string;
}

/** One share server: its share network (by name), host and shares. */
export interface ServerSpec {
  readonly network: string;
  readonly host: string;
  readonly shares: readonly ShareSpec[];
}

/** The cloud at the start. */
export interface WorldSpec {
  /** The project that owns the fixtures (and the admin's token scope). */
  readonly project: { readonly id: string; readonly name: string };
  readonly backends: readonly BackendSpec[];
  readonly shareType: { readonly name: string; readonly extraSpecs: Readonly<Record<string, string>> };
  readonly servers: readonly ServerSpec[];
}

/** The test bed's backends: five dummy-driver backends on `node1`, as scripts/testbed/testbed.sh sets them up. */
export function testbedBackends(): BackendSpec[] {
  const mk = (name: string, driver = DUMMY): BackendSpec => ({
    host: `node1@${name}`,
    zone: 'nova',
    driver,
    pool: `fake_pool_for_${name.toUpperCase()}`,
    totalCapacityGb: 1230,
  });
  return [mk('alpha'), mk('beta'), mk('gamma'), mk('faulty', FAULTY), mk('readonly', READONLY)];
}

/** The test bed: `count` share networks mp-sn-N, each with a 1 GiB share mp-share-N on node1@alpha; every sixth with a snapshot and a rule. */
export function testbedWorld(count = 6): WorldSpec {
  const servers: ServerSpec[] = [];
  for (let i = 1; i <= count; i++) {
    const rich = (i - 1) % 6 === 0;
    servers.push({
      network: `mp-sn-${i}`,
      host: 'node1@alpha',
      shares: [{ name: `mp-share-${i}`, size: 1, ...(rich ? { snapshot: `mp-snap-${i}`, rule: `10.254.0.${i}` } : {}) }],
    });
  }
  return {
    project: { id: '322478cbc0e648c69ba91490b49f9e89', name: 'demo' },
    backends: testbedBackends(),
    shareType: { name: 'dhss', extraSpecs: { driver_handles_share_servers: 'True', snapshot_support: 'True' } },
    servers,
  };
}

/** Options of a production fleet. */
export interface FleetOptions {
  readonly sources: number;
  readonly destinations: number;
  readonly servers: number;
  /** Draws share sizes. */
  readonly rng: Prng;
}

/** Host name of source `i` (1-based): `src-07@ontap-old-07`. Every source has its own backend name. */
export const sourceHost = (i: number): string => `src-${String(i).padStart(2, '0')}@ontap-old-${String(i).padStart(2, '0')}`;
/** Host name of destination `i` (1-based). */
export const destinationHost = (i: number): string => `dst-${String(i).padStart(2, '0')}@ontap-new-${String(i).padStart(2, '0')}`;

/** A production fleet: `servers` share servers spread evenly over `sources` hosts, `destinations` empty new hosts. */
export function fleetWorld(o: FleetOptions): WorldSpec {
  const mk = (host: string, capacity: number): BackendSpec => ({ host, zone: 'nova', driver: PRODUCTION_DRIVER, pool: 'aggr1', totalCapacityGb: capacity });
  const backends = [
    ...Array.from({ length: o.sources }, (_, i) => mk(sourceHost(i + 1), 200_000)),
    ...Array.from({ length: o.destinations }, (_, i) => mk(destinationHost(i + 1), 400_000)),
  ];
  const servers: ServerSpec[] = [];
  for (let i = 1; i <= o.servers; i++) {
    const rich = (i - 1) % 6 === 0;
    servers.push({
      network: `tenant-net-${String(i).padStart(4, '0')}`,
      host: sourceHost(((i - 1) % o.sources) + 1),
      shares: [
        {
          name: `tenant-share-${String(i).padStart(4, '0')}`,
          size: 50 + o.rng.int(950),
          ...(rich ? { snapshot: `tenant-snap-${i}`, rule: `10.${100 + Math.floor(i / 250)}.${i % 250}.1` } : {}),
        },
      ],
    });
  }
  return {
    project: { id: '6f1d3a9c2b7e4d5fa0c8e1b2d3f4a5b6', name: 'tenants' },
    backends,
    shareType: { name: 'dhss', extraSpecs: { driver_handles_share_servers: 'True', snapshot_support: 'True' } },
    servers,
  };
}

/** Fills an empty store with `world`. Ids come from `newId`, in a fixed order, so a seed gives the same ids. */
export function populate(store: SimStore, world: WorldSpec, newId: () => string, newIp: () => string, at: number): void {
  store.services.push({
    id: 1,
    binary: 'manila-scheduler',
    host: world.backends[0]?.host.split('@')[0] ?? 'node1',
    zone: 'nova',
    status: 'enabled',
    state: 'up',
  });
  world.backends.forEach((b, i) =>
    store.services.push({ id: i + 2, binary: 'manila-share', host: b.host, zone: b.zone, status: b.status ?? 'enabled', state: b.state ?? 'up' })
  );
  const typeId = newId();
  store.types.set(typeId, { id: typeId, name: world.shareType.name, extraSpecs: world.shareType.extraSpecs });
  const pools = new Map(world.backends.map((b) => [b.host, b.pool] as const));
  let t = at - world.servers.length * 1_000;
  for (const spec of world.servers) {
    t += 1_000;
    const netId = newId();
    const subnetId = newId();
    store.networks.set(netId, {
      id: netId,
      name: spec.network,
      projectId: world.project.id,
      status: 'active',
      createdAt: t,
      subnets: [{ id: subnetId, availabilityZone: null }],
    });
    const serverId = newId();
    const ip = newIp();
    store.addServer({
      id: serverId,
      projectId: world.project.id,
      status: 'active',
      host: spec.host,
      shareNetworkId: netId,
      subnetIds: [subnetId],
      taskState: null,
      sourceShareServerId: null,
      identifier: serverId,
      isAutoDeletable: true,
      ip,
      createdAt: t,
    });
    for (const sh of spec.shares) {
      const shareId = newId();
      const instanceId = newId();
      const base = `/path/to/fake/share/share_${shareId.replace(/-/g, '_')}_${instanceId.replace(/-/g, '_')}`;
      store.addShare({
        id: shareId,
        name: sh.name,
        projectId: world.project.id,
        status: 'available',
        size: sh.size,
        host: `${spec.host}#${pools.get(spec.host) ?? 'pool'}`,
        shareServerId: serverId,
        shareNetworkId: netId,
        shareTypeId: typeId,
        shareTypeName: world.shareType.name,
        availabilityZone: 'nova',
        instanceId,
        accessRulesStatus: 'active',
        castRulesToReadonly: false,
        exportLocations: [
          { id: newId(), path: `${ip}:${base}`, preferred: true, isAdminOnly: false },
          { id: newId(), path: `${ip.replace(/^10\./, '11.')}:${base}`, preferred: false, isAdminOnly: true },
        ],
        createdAt: t,
        updatedAt: t,
      });
      if (sh.snapshot) {
        const id = newId();
        store.snapshots.set(id, {
          id,
          shareId,
          name: sh.snapshot,
          projectId: world.project.id,
          status: 'available',
          size: sh.size,
          providerLocation: `/path/to/fake/snapshot/snapshot_${id.replace(/-/g, '_')}`,
          createdAt: t,
        });
      }
      if (sh.rule) {
        const id = newId();
        store.rules.set(id, { id, shareId, accessType: 'ip', accessTo: sh.rule, accessLevel: 'rw', state: 'active', createdAt: t });
      }
    }
  }
}
