import fc from 'fast-check';
import { plan } from '../../../lib/plan/plan';
import { serializePlan } from '../../../lib/plan/file';
import { backendName } from '../../../lib/plan/host';
import type { CloudSnapshot } from '../../../lib/snapshot/model';
import type { MigrateEntry, Plan, RebalanceDeclaration } from '../../../lib/plan/types';
import { useFcSeed } from '../../helper/fc-seed';
import { TYPE_ZONES, applyMoves, serverId, sizeOf, snapshotOf, worldArb, type World } from './rebalance-world';

/**
 * Properties of rebalance planning over random clouds (see rebalance-world.ts): the rules are
 * never broken, maxMoves holds, a balanced fleet stays put, plans are deterministic, and a
 * finished plan is stable (planning again after its moves finds nothing to do).
 */

// A new seed every run (printed; FC_SEED replays one).
useFcSeed(__filename);

const migrates = (p: Plan): MigrateEntry[] => p.entries.filter((e): e is MigrateEntry => e.action === 'migrate');

function scopeOf(w: World): Set<string> {
  const d = w.decl;
  const candidates = d.hosts ?? w.hostNames;
  return new Set([...candidates, ...d.drain].filter((h) => !d.exclude.includes(h)));
}

/** Every rule a planned move could break, checked from the world's own description. */
function violations(w: World, snap: CloudSnapshot, p: Plan): string[] {
  const d = w.decl;
  const out: string[] = [];
  const scope = scopeOf(w);
  const byId = new Map(snap.shareServers.map((s) => [s.id, s] as const));
  const netIn = new Map<string, number>();
  const received = new Set<string>();
  for (const e of migrates(p)) {
    const why = (m: string): number => out.push(`${e.server.id} ${e.from} -> ${e.to}: ${m}`);
    const to = w.hosts[w.hostNames.indexOf(e.to)];
    const from = w.hosts[w.hostNames.indexOf(e.from)];
    const i = Number(e.server.id.slice(4));
    const spec = w.servers[i];
    if (!to || !from || !spec) {
      why('unknown host or server');
      continue;
    }
    if (!scope.has(e.from) || !scope.has(e.to)) why('outside the rebalance');
    if (d.exclude.includes(e.from) || d.exclude.includes(e.to)) why('excluded host');
    if (d.drain.includes(e.to)) why('onto a drained host');
    if (to.status !== 'enabled' || to.state !== 'up') why('destination service not enabled and up');
    if (!to.dhss) why('destination not DHSS');
    if (from.state !== 'up') why('source service down');
    if (backendName(e.from) === backendName(e.to)) why('same backend name');
    if (spec.inFlight !== undefined && spec.inFlight !== spec.host) why('server in flight');
    if (spec.status !== 'active' || spec.sizes.length === 0) why('server cannot migrate');
    const zones = w.networks[spec.network];
    if (zones.length > 0 && !zones.includes(to.zone)) why(`network has no subnet in zone ${to.zone}`);
    const typeZones = TYPE_ZONES[spec.shareType];
    if (typeZones !== undefined && !typeZones.split(',').includes(to.zone)) why(`share type limited to ${typeZones}, destination in ${to.zone}`);
    if (d.objective === 'free-ratio' && !to.capacity) why('destination without capacity data in a free-ratio balance');
    const record = byId.get(e.server.id);
    const size = record ? sizeOf(record) : 0;
    netIn.set(e.to, (netIn.get(e.to) ?? 0) + size);
    netIn.set(e.from, (netIn.get(e.from) ?? 0) - size);
    received.add(e.to);
  }
  for (const h of received) {
    const pool = snap.pools.find((x) => x.backendHost === h);
    const cap =
      pool?.totalCapacityGb !== undefined && pool.freeCapacityGb !== undefined
        ? { total: pool.totalCapacityGb, free: pool.freeCapacityGb }
        : undefined;
    if (!cap) {
      if (d.reserveGb > 0 || d.reserveRatio > 0) out.push(`${h}: reserve set but no capacity data, yet it received servers`);
      continue;
    }
    const freeAfter = cap.free - (netIn.get(h) ?? 0);
    const reserve = Math.max(d.reserveGb, d.reserveRatio * cap.total);
    if (freeAfter < reserve - 1e-9) out.push(`${h}: ${freeAfter} GiB free after the moves, reserve ${reserve}`);
  }
  if (d.maxMoves !== undefined && migrates(p).length > d.maxMoves) out.push(`${migrates(p).length} moves > maxMoves ${d.maxMoves}`);
  const r = p.rebalance?.[0];
  if (!r || r.moves !== migrates(p).length) out.push(`explanation says ${r?.moves} moves, the plan has ${migrates(p).length}`);
  return out;
}

function shuffled(s: CloudSnapshot, seed: number): CloudSnapshot {
  const perm = <T>(xs: readonly T[]): T[] => {
    const a = [...xs];
    let x = seed;
    for (let i = a.length - 1; i > 0; i--) {
      x = (x * 1103515245 + 12345) % 2147483648;
      const j = x % (i + 1);
      [a[i], a[j]] = [a[j], a[i]];
    }
    return a;
  };
  return { ...s, shareServers: perm(s.shareServers), services: perm(s.services), pools: perm(s.pools), shareNetworks: perm(s.shareNetworks) };
}

describe('rebalance planning (property-based)', () => {
  it('GIVEN any cloud and rebalance WHEN planning THEN no move breaks a rule (DHSS, enabled and up, excluded, drained, zone, same backend, reserve) and maxMoves holds', () => {
    fc.assert(
      fc.property(fc.oneof(worldArb(), worldArb({ twins: true })), (w) => {
        const snap = snapshotOf(w);
        const p = plan([w.decl], snap);
        expect(violations(w, snap, p)).toEqual([]);
      }),
      { numRuns: 400 },
    );
  });

  it('GIVEN a fleet whose spread is within tolerance and nothing to drain WHEN planning THEN zero moves', () => {
    fc.assert(
      fc.property(worldArb({ plain: true }), (w) => {
        const snap = snapshotOf(w);
        const first = plan([w.decl], snap).rebalance?.[0];
        const limit = w.decl.objective === 'free-ratio' ? Math.min(1, first?.spread.before ?? 0) : (first?.spread.before ?? 0);
        const within: RebalanceDeclaration = { ...w.decl, tolerance: limit };
        const p = plan([within], snap);
        expect(migrates(p)).toEqual([]);
        expect(p.rebalance?.[0]).toMatchObject({ moves: 0, balanced: true, stop: 'balanced' });
      }),
      { numRuns: 200 },
    );
  });

  it('GIVEN servers spread round-robin over healthy hosts WHEN balancing server-count THEN zero moves', () => {
    fc.assert(
      fc.property(worldArb({ healthy: true, plain: true, objective: 'server-count' }), fc.integer({ min: 0, max: 30 }), (w, n) => {
        const even: World = {
          ...w,
          servers: Array.from({ length: n }, (_, i) => ({ host: i % w.hostNames.length, network: 0, status: 'active' as const, sizes: [1 + (i % 7)], shareType: 0 })),
          decl: { ...w.decl, hosts: undefined, hostPattern: '*', tolerance: 1 },
        };
        expect(migrates(plan([even.decl], snapshotOf(even)))).toEqual([]);
      }),
      { numRuns: 100 },
    );
  });

  it('GIVEN healthy unconstrained hosts WHEN balancing server-count THEN the number of moves is the minimum (each server above its share moves once)', () => {
    fc.assert(
      fc.property(worldArb({ healthy: true, plain: true, objective: 'server-count' }), (w) => {
        const free: World = {
          ...w,
          hosts: w.hosts.map((h) => ({ ...h, capacity: undefined })),
          // Share types that allow every zone (TYPE_ZONES[0]): a zone-restricted type would keep servers off some hosts.
          servers: w.servers.map((s) => ({ ...s, status: 'active' as const, inFlight: undefined, sizes: s.sizes.length ? s.sizes : [1], shareType: 0 })),
          networks: w.networks.map(() => []),
          decl: { ...w.decl, hosts: undefined, hostPattern: '*', tolerance: 1, reserveGb: 0, reserveRatio: 0 },
        };
        const counts = w.hostNames.map((_, h) => free.servers.filter((s) => s.host === h).length);
        const n = free.servers.length;
        const H = counts.length;
        const base = Math.floor(n / H);
        // The r most loaded hosts keep base + 1, the others base: the fewest servers move.
        const sorted = [...counts].sort((a, b) => b - a);
        const minimum = sorted.reduce((sum, c, i) => sum + Math.max(0, c - (i < n % H ? base + 1 : base)), 0);
        const p = plan([free.decl], snapshotOf(free));
        expect(migrates(p)).toHaveLength(minimum);
        expect(p.rebalance?.[0].spread.after).toBeLessThanOrEqual(1);
      }),
      { numRuns: 200 },
    );
  });

  it('GIVEN any cloud WHEN planning twice, and with every snapshot list shuffled THEN the plans are byte-identical', () => {
    fc.assert(
      fc.property(fc.oneof(worldArb(), worldArb({ twins: true })), fc.integer({ min: 1, max: 1_000_000 }), (w, seed) => {
        const snap = snapshotOf(w);
        const text = serializePlan(plan([w.decl], snap));
        expect(serializePlan(plan([w.decl], snap))).toBe(text);
        expect(serializePlan(plan([w.decl], shuffled(snap, seed)))).toBe(text);
      }),
      { numRuns: 200 },
    );
  });

  it('GIVEN distinct backend names WHEN the planned moves are applied and planning runs again THEN it plans zero moves (unless maxMoves cut the first plan short)', () => {
    fc.assert(
      fc.property(worldArb(), (w) => {
        const snap = snapshotOf(w);
        const first = plan([w.decl], snap);
        fc.pre(first.rebalance?.[0].stop !== 'max-moves');
        const again = plan([w.decl], applyMoves(snap, first));
        expect(migrates(again).map((e) => `${e.server.id} ${e.from} -> ${e.to}: ${e.why}`)).toEqual([]);
        expect(again.rebalance?.[0].stop).toBe(first.rebalance?.[0].stop);
      }),
      { numRuns: 400 },
    );
  });

  it('GIVEN hosts sharing backend names, or a maxMoves WHEN moves are applied and planning repeats THEN it settles within a few runs and never breaks a rule on the way', () => {
    fc.assert(
      fc.property(fc.oneof(worldArb({ twins: true }), worldArb()), (w) => {
        let snap = snapshotOf(w);
        let runs = 0;
        for (;;) {
          const p = plan([w.decl], snap);
          const hostOf = new Map(snap.shareServers.map((s) => [s.id, s.host] as const));
          const world: World = {
            ...w,
            servers: w.servers.map((s, i) => ({
              ...s,
              host: w.hostNames.indexOf(hostOf.get(serverId(i)) ?? w.hostNames[s.host]),
              inFlight: s.inFlight === s.host ? undefined : s.inFlight,
            })),
          };
          expect(violations(world, snap, p)).toEqual([]);
          if (migrates(p).length === 0) break;
          snap = applyMoves(snap, p);
          runs++;
          // Each run moves at least one server and every step improves the loads: it converges.
          // (With shared backend names each run may finish one more two-hop move.)
          expect(runs).toBeLessThanOrEqual(3 + 2 * w.servers.length);
        }
      }),
      { numRuns: 300 },
    );
  });
});
