import { DUMMY, FAULTY, PRODUCTION_DRIVER, READONLY, type BackendSpec } from './backends';
import { flatExportLocations } from './flat-exports';
import type { SimStore } from './model';
import type { Prng } from './prng';

/**
 * What a simulated cloud holds at the start: backends, one share network and one share server
 * per tenant network, shares with some snapshots and access rules, and shares that no share
 * server holds on backends that do not handle share servers ("flat" shares, which move by
 * themselves). Worlds: the project's test bed (scripts/testbed: node1@alpha..readonly, mp-sn-1..N
 * on node1@alpha; delta and epsilon without share servers, mp-flat-1..N on delta), a production
 * fleet of share servers (many source hosts, a few destinations), and one of flat shares.
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

/** A share that no share server holds, on a pool of a backend that does not handle share servers. */
export interface FlatShareSpec extends ShareSpec {
  /** `host@backend#pool`. */
  readonly pool: string;
}

/** A share type: its name and extra specs. */
export interface ShareTypeSpec {
  readonly name: string;
  readonly extraSpecs: Readonly<Record<string, string>>;
}

/** The cloud at the start. */
export interface WorldSpec {
  /** The project that owns the fixtures (and the admin's token scope). */
  readonly project: { readonly id: string; readonly name: string };
  readonly backends: readonly BackendSpec[];
  readonly shareType: ShareTypeSpec;
  readonly servers: readonly ServerSpec[];
  /** Shares without share servers. @default none */
  readonly flatShares?: readonly FlatShareSpec[];
  /** Their share type. @default FLAT_SHARE_TYPE */
  readonly flatShareType?: ShareTypeSpec;
}

/** The share type of flat shares: driver_handles_share_servers False (what the scheduler matches pools with). */
export const FLAT_SHARE_TYPE: ShareTypeSpec = { name: 'default', extraSpecs: { driver_handles_share_servers: 'False', snapshot_support: 'True' } };

/**
 * The test bed's backends: seven dummy-driver backends on `node1`, as scripts/testbed/testbed.sh
 * sets them up; delta and epsilon with driver_handles_share_servers = False.
 */
export function testbedBackends(): BackendSpec[] {
  const mk = (name: string, driver = DUMMY, dhss = true): BackendSpec => ({
    host: `node1@${name}`,
    zone: 'nova',
    driver,
    ...(dhss ? {} : { dhss }),
    pool: `fake_pool_for_${name.toUpperCase()}`,
    totalCapacityGb: 1230,
  });
  return [mk('alpha'), mk('beta'), mk('gamma'), mk('faulty', FAULTY), mk('readonly', READONLY), mk('delta', DUMMY, false), mk('epsilon', DUMMY, false)];
}

/** The test bed's pool of node1@delta, where its flat fixtures live. */
export const TESTBED_DELTA_POOL = 'node1@delta#fake_pool_for_DELTA';
/** The test bed's pool of node1@epsilon. */
export const TESTBED_EPSILON_POOL = 'node1@epsilon#fake_pool_for_EPSILON';

/**
 * The test bed: `count` share networks mp-sn-N, each with a 1 GiB share mp-share-N on
 * node1@alpha, every sixth with a snapshot and a rule; and `flat` flat shares mp-flat-N on
 * delta's pool, each with a rule, the odd ones with a snapshot (the e2e fixtures).
 */
export function testbedWorld(count = 6, flat = 0): WorldSpec {
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
    ...(flat > 0
      ? {
          flatShares: Array.from({ length: flat }, (_, k) => ({
            name: `mp-flat-${k + 1}`,
            size: 1,
            pool: TESTBED_DELTA_POOL,
            rule: `10.253.0.${k + 1}`,
            ...(k % 2 === 0 ? { snapshot: `mp-flat-snap-${k + 1}` } : {}),
          })),
        }
      : {}),
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

/** Options of a production fleet of flat shares. */
export interface FlatFleetOptions {
  readonly sources: number;
  readonly destinations: number;
  readonly shares: number;
  /** Pools per backend (`aggr1`..). */
  readonly poolsPerBackend: number;
  /** Draws share sizes. */
  readonly rng: Prng;
}

/**
 * A production fleet without share servers: `shares` flat shares spread evenly over the pools of
 * `sources` hosts, `destinations` empty hosts with as many pools; every backend
 * driver_handles_share_servers = False. Every sixth share has a snapshot and a rule.
 */
export function flatFleetWorld(o: FlatFleetOptions): WorldSpec {
  const pools = Array.from({ length: o.poolsPerBackend }, (_, i) => `aggr${i + 1}`);
  const mk = (host: string, capacity: number): BackendSpec => ({ host, zone: 'nova', dhss: false, driver: PRODUCTION_DRIVER, pool: pools[0], pools, totalCapacityGb: capacity });
  const backends = [
    ...Array.from({ length: o.sources }, (_, i) => mk(sourceHost(i + 1), 200_000)),
    ...Array.from({ length: o.destinations }, (_, i) => mk(destinationHost(i + 1), 400_000)),
  ];
  const flatShares: FlatShareSpec[] = Array.from({ length: o.shares }, (_, k) => {
    const i = k + 1;
    const rich = k % 6 === 0;
    return {
      name: `flat-share-${String(i).padStart(4, '0')}`,
      size: 10 + o.rng.int(490),
      pool: `${sourceHost((k % o.sources) + 1)}#${pools[Math.floor(k / o.sources) % pools.length]}`,
      ...(rich ? { snapshot: `flat-snap-${i}`, rule: `10.${150 + Math.floor(i / 250)}.${i % 250}.1` } : {}),
    };
  });
  return {
    project: { id: '6f1d3a9c2b7e4d5fa0c8e1b2d3f4a5b6', name: 'tenants' },
    backends,
    shareType: { name: 'dhss', extraSpecs: { driver_handles_share_servers: 'True', snapshot_support: 'True' } },
    servers: [],
    flatShares,
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
        taskState: null,
        accessRulesStatus: 'active',
        castRulesToReadonly: false,
        exportLocations: [
          { id: newId(), path: `${ip}:${base}`, preferred: true, isAdminOnly: false },
          { id: newId(), path: `${ip.replace(/^10\./, '11.')}:${base}`, preferred: false, isAdminOnly: true },
        ],
        createdAt: t,
        updatedAt: t,
      });
      addSnapshotAndRule(store, world.project.id, shareId, sh, newId, t);
    }
  }
  if (world.flatShares?.length) populateFlat(store, world, world.flatShares, newId, at);
}

/** A share's snapshot and access rule, when its spec asks for them. */
function addSnapshotAndRule(store: SimStore, projectId: string, shareId: string, sh: ShareSpec, newId: () => string, at: number): void {
  if (sh.snapshot) {
    const id = newId();
    store.snapshots.set(id, {
      id,
      shareId,
      name: sh.snapshot,
      projectId,
      status: 'available',
      size: sh.size,
      providerLocation: `/path/to/fake/snapshot/snapshot_${id.replace(/-/g, '_')}`,
      createdAt: at,
    });
  }
  if (sh.rule) {
    const id = newId();
    store.rules.set(id, { id, shareId, accessType: 'ip', accessTo: sh.rule, accessLevel: 'rw', state: 'active', createdAt: at });
  }
}

/** The flat shares, after everything else (so that worlds without them keep their ids), created one a second up to `at`. */
function populateFlat(store: SimStore, world: WorldSpec, specs: readonly FlatShareSpec[], newId: () => string, at: number): void {
  const type = world.flatShareType ?? FLAT_SHARE_TYPE;
  const typeId = newId();
  store.types.set(typeId, { id: typeId, name: type.name, extraSpecs: type.extraSpecs });
  const zoneOf = new Map(world.backends.map((b) => [b.host, b.zone] as const));
  let t = at - specs.length * 1_000;
  for (const sh of specs) {
    t += 1_000;
    const shareId = newId();
    const instanceId = newId();
    store.addShare({
      id: shareId,
      name: sh.name,
      projectId: world.project.id,
      status: 'available',
      size: sh.size,
      host: sh.pool,
      shareServerId: null,
      shareNetworkId: null,
      shareTypeId: typeId,
      shareTypeName: type.name,
      availabilityZone: zoneOf.get(sh.pool.split('#')[0]) ?? 'nova',
      instanceId,
      taskState: null,
      accessRulesStatus: 'active',
      castRulesToReadonly: false,
      exportLocations: flatExportLocations(newId, shareId, instanceId),
      createdAt: t,
      updatedAt: t,
    });
    addSnapshotAndRule(store, world.project.id, shareId, sh, newId, t);
  }
}
