import fc from 'fast-check';
import type { CloudSnapshot, SnapshotShareServer } from '../../../lib/snapshot/model';
import type { MigrateEntry, Plan, RebalanceDeclaration, RebalanceObjective } from '../../../lib/plan/types';
import { SnapshotBuilder, share } from '../../helper/snapshot-builder';
import { NO_FLAGS } from './declarations';

/**
 * Random clouds for rebalance properties: a few hosts with random service states, DHSS pools,
 * zones and capacities; share networks whose subnets cover some zones; servers with random
 * sizes, states and migrations in flight; and a random Rebalance over them.
 */

export const HOST_NAMES = ['node1@alpha', 'node1@beta', 'node1@gamma', 'node2@delta', 'node3@epsilon', 'node4@zeta'];
/** Hosts sharing backend names with the ones above (same part after `@`). */
export const TWIN_NAMES = ['node9@alpha', 'node9@beta'];
export const ZONES = ['z1', 'z2'];
/** Share types by index: the `availability_zones` extra spec of each (undefined: every zone). */
export const TYPE_ZONES: ReadonlyArray<string | undefined> = [undefined, 'z1', 'z2', 'z1,z2'];

export interface HostSpec {
  readonly status: 'enabled' | 'disabled';
  readonly state: 'up' | 'down';
  readonly dhss: boolean;
  readonly zone: string;
  /** Total and free GiB of its pool; undefined: the pool reports no capacity. */
  readonly capacity?: { readonly total: number; readonly free: number };
}

export interface ServerSpec {
  readonly host: number;
  readonly network: number;
  readonly status: 'active' | 'error';
  readonly sizes: readonly number[];
  /** Index in TYPE_ZONES of its shares' type. */
  readonly shareType: number;
  /** Migrating to host index `inFlight`, when set. */
  readonly inFlight?: number;
}

export interface World {
  readonly hostNames: readonly string[];
  readonly hosts: readonly HostSpec[];
  /** Per network: the zones of its subnets; empty: one default (zone-less) subnet. */
  readonly networks: ReadonlyArray<readonly string[]>;
  readonly servers: readonly ServerSpec[];
  readonly decl: RebalanceDeclaration;
}

const hostArb = (healthy: boolean): fc.Arbitrary<HostSpec> =>
  fc.record({
    status: healthy ? fc.constant('enabled' as const) : fc.oneof({ arbitrary: fc.constant('enabled' as const), weight: 7 }, { arbitrary: fc.constant('disabled' as const), weight: 1 }),
    state: healthy ? fc.constant('up' as const) : fc.oneof({ arbitrary: fc.constant('up' as const), weight: 7 }, { arbitrary: fc.constant('down' as const), weight: 1 }),
    dhss: healthy ? fc.constant(true) : fc.oneof({ arbitrary: fc.constant(true), weight: 7 }, { arbitrary: fc.constant(false), weight: 1 }),
    zone: fc.constantFrom(...ZONES),
    capacity: fc.oneof(
      {
        arbitrary: fc
          .integer({ min: 50, max: 600 })
          .chain((total) =>
            fc
              .oneof({ arbitrary: fc.integer({ min: Math.floor(total / 2), max: total }), weight: 3 }, fc.integer({ min: 0, max: total }))
              .map((free) => ({ total, free })),
          ),
        weight: 4,
      },
      { arbitrary: fc.constant(undefined), weight: 1 },
    ),
  });

export interface WorldOptions {
  /** Two hosts may share a backend name. @default false */
  readonly twins?: boolean;
  /** Every host enabled, up and DHSS. @default false */
  readonly healthy?: boolean;
  /** No drain, exclude or maxMoves. @default false */
  readonly plain?: boolean;
  readonly objective?: RebalanceObjective;
}

/** A random world. */
export function worldArb(o: WorldOptions = {}): fc.Arbitrary<World> {
  const names = o.twins ? [...HOST_NAMES.slice(0, 4), ...TWIN_NAMES] : HOST_NAMES;
  return fc.integer({ min: 2, max: names.length }).chain((n) => {
    const hostNames = names.slice(0, n);
    const idx = fc.integer({ min: 0, max: n - 1 });
    const serverArb: fc.Arbitrary<ServerSpec> = fc.record({
      // Half of the servers on the first host: most clouds start unbalanced.
      host: fc.oneof(fc.constant(0), idx),
      network: fc.integer({ min: 0, max: 3 }),
      status: fc.constantFrom('active' as const, 'active' as const, 'active' as const, 'active' as const, 'error' as const),
      sizes: fc.oneof(
        { arbitrary: fc.array(fc.integer({ min: 1, max: 60 }), { minLength: 1, maxLength: 2 }), weight: 9 },
        { arbitrary: fc.constant([]), weight: 1 },
      ),
      shareType: fc.oneof({ arbitrary: fc.constant(0), weight: 5 }, { arbitrary: fc.integer({ min: 1, max: TYPE_ZONES.length - 1 }), weight: 2 }),
      inFlight: fc.oneof({ arbitrary: fc.constant(undefined), weight: 15 }, { arbitrary: idx, weight: 1 }),
    });
    const objective = o.objective ? fc.constant(o.objective) : fc.constantFrom<RebalanceObjective>('server-count', 'allocated-gb', 'free-ratio');
    return fc.record({
      hostNames: fc.constant(hostNames),
      hosts: fc.array(hostArb(o.healthy ?? false), { minLength: n, maxLength: n }),
      networks: fc.array(fc.subarray(ZONES), { minLength: 4, maxLength: 4 }),
      servers: fc.array(serverArb, { maxLength: 30 }),
      decl: fc
        .record({
          objective,
          byPattern: fc.boolean(),
          candidates: fc.subarray(hostNames, { minLength: 2 }),
          drain: o.plain ? fc.constant<string[]>([]) : fc.subarray(hostNames, { maxLength: 2 }),
          exclude: o.plain ? fc.constant<string[]>([]) : fc.subarray(hostNames, { maxLength: 1 }),
          maxMoves: o.plain ? fc.constant(undefined) : fc.option(fc.integer({ min: 1, max: 8 }), { nil: undefined }),
          tolerancePick: fc.integer({ min: 0, max: 3 }),
          minGainPick: fc.integer({ min: 1, max: 3 }),
          reserveGb: fc.constantFrom(0, 0, 0, 10, 40),
          reserveRatio: fc.constantFrom(0, 0, 0, 0.1, 0.3),
        })
        .map((r) => declarationOf(r)),
    });
  });
}

function declarationOf(r: {
  objective: RebalanceObjective;
  byPattern: boolean;
  candidates: string[];
  drain: string[];
  exclude: string[];
  maxMoves?: number;
  tolerancePick: number;
  minGainPick: number;
  reserveGb: number;
  reserveRatio: number;
}): RebalanceDeclaration {
  const scale = r.objective === 'server-count' ? 1 : r.objective === 'allocated-gb' ? 10 : 0.02;
  const exclude = r.exclude.filter((h) => !r.drain.includes(h) && (r.byPattern || !r.candidates.includes(h)));
  return {
    kind: 'rebalance',
    path: 'app/rebalance',
    ...(r.byPattern ? { hostPattern: '*' } : { hosts: r.candidates }),
    objective: r.objective,
    ...(r.maxMoves !== undefined ? { maxMoves: r.maxMoves } : {}),
    drain: r.drain,
    exclude,
    tolerance: r.tolerancePick * scale,
    minGain: r.objective === 'server-count' ? 1 : (r.minGainPick * scale) / 2,
    reserveGb: r.reserveGb,
    reserveRatio: r.reserveRatio,
    flags: NO_FLAGS,
    completion: 'auto',
  };
}

export const serverId = (i: number): string => `srv-${String(i).padStart(3, '0')}`;

/** The snapshot of a world. */
export function snapshotOf(w: World): CloudSnapshot {
  const b = new SnapshotBuilder();
  w.hosts.forEach((h, i) => b.host(w.hostNames[i], { status: h.status, state: h.state, zone: h.zone, dhss: h.dhss }));
  w.networks.forEach((zones, k) =>
    b.network(`net-${k}`, { subnets: zones.length === 0 ? [{ id: `net-${k}-default`, availabilityZone: null }] : zones.map((z) => ({ id: `net-${k}-${z}`, availabilityZone: z })) }),
  );
  TYPE_ZONES.forEach((azs, t) => b.shareType(`st-${t}`, azs));
  w.servers.forEach((s, i) => {
    const id = serverId(i);
    const shares = s.sizes.map((size, k) => share(`${id}-sh${k}`, { size, shareTypeId: `st-${s.shareType}` }));
    if (s.inFlight !== undefined && s.inFlight !== s.host) {
      b.server(id, { host: w.hostNames[s.host], network: `net-${s.network}`, status: 'server_migrating', taskState: 'migration_driver_in_progress', shares });
      b.server(`${id}-dest`, { host: w.hostNames[s.inFlight], network: `net-${s.network}`, status: 'server_migrating_to', taskState: 'migration_driver_in_progress', source: id, shares: [] });
    } else {
      b.server(id, { host: w.hostNames[s.host], network: `net-${s.network}`, status: s.status, shares });
    }
  });
  const snap = b.build();
  return {
    ...snap,
    pools: snap.pools.map((p) => {
      const h = w.hosts[w.hostNames.indexOf(p.backendHost)];
      const { totalCapacityGb: _t, freeCapacityGb: _f, ...rest } = p;
      return h.capacity ? { ...rest, totalCapacityGb: h.capacity.total, freeCapacityGb: h.capacity.free } : rest;
    }),
  };
}

/** GiB of a server's shares. */
export function sizeOf(s: SnapshotShareServer): number {
  return s.shares.reduce((sum, sh) => sum + sh.size, 0);
}

/** The snapshot once every migrate entry of the plan is done: each server on its new host, pool free capacity moved with it. */
export function applyMoves(snap: CloudSnapshot, p: Plan): CloudSnapshot {
  const moves = new Map(p.entries.filter((e): e is MigrateEntry => e.action === 'migrate').map((e) => [e.server.id, e] as const));
  const delta = new Map<string, number>();
  const shareServers = snap.shareServers.map((s) => {
    const m = moves.get(s.id);
    if (!m) return s;
    delta.set(m.from, (delta.get(m.from) ?? 0) + sizeOf(s));
    delta.set(m.to, (delta.get(m.to) ?? 0) - sizeOf(s));
    return { ...s, host: m.to };
  });
  const pools = snap.pools.map((pool) =>
    pool.freeCapacityGb === undefined ? pool : { ...pool, freeCapacityGb: pool.freeCapacityGb + (delta.get(pool.backendHost) ?? 0) },
  );
  return { ...snap, shareServers, pools };
}
