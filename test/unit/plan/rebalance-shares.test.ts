import { plan } from '../../../lib/plan/plan';
import type { CloudSnapshot } from '../../../lib/snapshot/model';
import type { Declaration, MigrateEntry, Plan, PlanEntry } from '../../../lib/plan/types';
import { SnapshotBuilder, share } from '../../helper/snapshot-builder';
import { NO_FLAGS, rebalance } from './declarations';

/** Rebalances over hosts whose backends do not handle share servers: their shares move, each to a pool. */

const DELTA = 'node1@delta';
const EPSILON = 'node1@epsilon';
const ZETA = 'node2@zeta';
const poolOf = (h: string, n = 1): string => `${h}#pool${n}`;

/** Three DHSS=False hosts with two pools each (500 GiB free, 1000 total), and shares on delta's first pool. */
function flatCloud(shares: number, o: { sizes?: number[]; free?: Record<string, number> } = {}): SnapshotBuilder {
  const b = new SnapshotBuilder();
  for (const h of [DELTA, EPSILON, ZETA]) b.host(h, { dhss: null });
  const snap = b as unknown as { pools: CloudSnapshot['pools'] };
  for (const h of [DELTA, EPSILON, ZETA]) {
    for (const n of [1, 2]) snap.pools.push({ name: poolOf(h, n), backendHost: h, pool: `pool${n}`, dhss: false, totalCapacityGb: 1000, freeCapacityGb: o.free?.[poolOf(h, n)] ?? 500 });
  }
  for (let i = 1; i <= shares; i++) b.flatShare(`fs-${i}`, poolOf(DELTA), { size: o.sizes?.[i - 1] ?? 10 });
  return b;
}

const flatHosts = rebalance({ hosts: [DELTA, EPSILON, ZETA] });
const migrates = (p: Plan): MigrateEntry[] => p.entries.filter((e): e is MigrateEntry => e.action === 'migrate');
const byAction = (p: Plan, a: PlanEntry['action']): PlanEntry[] => p.entries.filter((e) => e.action === a);

/** The snapshot once every move of `p` is done. */
function afterMoves(s: CloudSnapshot, p: Plan): CloudSnapshot {
  const to = new Map(migrates(p).map((m) => [m.server.id, m.to]));
  return { ...s, flatShares: (s.flatShares ?? []).map((sh) => (to.has(sh.id) ? { ...sh, host: to.get(sh.id) as string } : sh)) };
}

describe('plan() with a rebalance of hosts without share servers', () => {
  it('GIVEN six shares on delta WHEN rebalancing delta, epsilon and zeta by count THEN four shares move, each to a pool, ending 2/2/2', () => {
    const p = plan([flatHosts], flatCloud(6).build());
    const m = migrates(p);
    expect(m.map((e) => [e.server.id, e.server.resource, e.from])).toEqual([
      ['fs-1', 'share', poolOf(DELTA)],
      ['fs-2', 'share', poolOf(DELTA)],
      ['fs-3', 'share', poolOf(DELTA)],
      ['fs-4', 'share', poolOf(DELTA)],
    ]);
    for (const e of m) expect(e.to).toMatch(/^node[12]@(epsilon|zeta)#pool[12]$/);
    expect(m.filter((e) => e.to.startsWith(EPSILON))).toHaveLength(2);
    // The pool with the most free space takes each share: the second share on a host goes to its other pool.
    expect(new Set(m.filter((e) => e.to.startsWith(EPSILON)).map((e) => e.to)).size).toBe(2);
    expect(p.rebalance).toHaveLength(1);
    expect(p.rebalance?.[0]).toMatchObject({ resource: 'share', moves: 4, balanced: true, spread: { before: 6, after: 0 } });
    expect(p.rebalance?.[0].hosts.map((h) => [h.host, h.before, h.after])).toEqual([
      [DELTA, 6, 2],
      [EPSILON, 0, 2],
      [ZETA, 0, 2],
    ]);
  });

  it('GIVEN the plan of a share rebalance WHEN its moves are done and it is planned again THEN nothing moves (no move back and forth)', () => {
    const s = flatCloud(7, { sizes: [5, 40, 12, 7, 30, 3, 21] }).build();
    for (const objective of ['server-count', 'allocated-gb'] as const) {
      const d = rebalance({ hosts: [DELTA, EPSILON, ZETA], objective, tolerance: objective === 'server-count' ? 1 : 10, minGain: 1 });
      const first = plan([d], s);
      expect(migrates(first).length).toBeGreaterThan(0);
      const again = plan([d], afterMoves(s, first));
      expect(migrates(again)).toEqual([]);
      expect(again.rebalance?.[0].stop).toBe('balanced');
    }
  });

  it('GIVEN share-server hosts and share hosts in one rebalance WHEN planning THEN each kind is balanced among its own hosts, with one explanation each', () => {
    const b = flatCloud(4).host('node1@alpha').host('node1@beta').network('net-1');
    for (let i = 1; i <= 4; i++) b.server(`srv-${i}`, { network: 'net-1' });
    const p = plan([rebalance({ hosts: undefined, hostPattern: '*' })], b.build());
    const m = migrates(p);
    const servers = m.filter((e) => e.server.resource !== 'share');
    const shares = m.filter((e) => e.server.resource === 'share');
    expect(servers.map((e) => e.to)).toEqual(['node1@beta', 'node1@beta']);
    expect(shares).toHaveLength(2);
    for (const e of shares) expect(e.to).toMatch(/^node[12]@(epsilon|zeta)#/);
    expect(p.rebalance?.map((r) => [r.resource ?? 'share-server', r.hosts.map((h) => h.host)])).toEqual([
      ['share-server', ['node1@alpha', 'node1@beta']],
      ['share', [DELTA, EPSILON, ZETA]],
    ]);
    expect(p.rebalance?.every((r) => r.problems.length === 0)).toBe(true);
  });

  it('GIVEN delta drained WHEN one of its shares has a snapshot in error THEN the others leave and that one is blocked with the reason', () => {
    const b = flatCloud(3);
    b.flatShare('fs-bad', poolOf(DELTA), { snapshots: [{ id: 'snap-bad', status: 'error' }] });
    const p = plan([rebalance({ hosts: [DELTA, EPSILON, ZETA], drain: [DELTA] })], b.build());
    expect(migrates(p).map((e) => e.server.id)).toEqual(['fs-1', 'fs-2', 'fs-3']);
    const blocked = byAction(p, 'blocked');
    expect(blocked).toHaveLength(1);
    expect(blocked[0]).toMatchObject({ server: { id: 'fs-bad', resource: 'share' }, reasons: [{ code: 'SNAPSHOT_NOT_AVAILABLE' }] });
    expect(p.rebalance?.[0].notes.join('\n')).toContain('some of its shares cannot leave it');
    expect(p.rebalance?.[0].stop).toBe('drain-blocked');
  });

  it('GIVEN a reserve WHEN a share would leave its destination with less free space THEN it does not move there', () => {
    const free = { [poolOf(EPSILON)]: 60, [poolOf(EPSILON, 2)]: 0, [poolOf(ZETA)]: 0, [poolOf(ZETA, 2)]: 0 };
    const s = flatCloud(2, { sizes: [50, 50], free }).build();
    const p = plan([rebalance({ hosts: [DELTA, EPSILON, ZETA], drain: [DELTA], reserveGb: 20 })], s);
    expect(migrates(p)).toEqual([]);
    expect(byAction(p, 'blocked').map((e) => (e as Extract<PlanEntry, { action: 'blocked' }>).reasons[0].code)).toEqual(['NO_CAPACITY', 'NO_CAPACITY']);
  });

  it('GIVEN a share migrating from delta to a pool of epsilon WHEN rebalancing THEN it counts on epsilon and is resumed, not moved again', () => {
    const b = flatCloud(3);
    b.flatShare('fs-0', poolOf(DELTA), { status: 'migrating', taskState: 'migration_driver_phase1_done', migratingTo: poolOf(EPSILON, 2) });
    const p = plan([flatHosts], b.build());
    expect(byAction(p, 'resume')).toEqual([expect.objectContaining({ server: expect.objectContaining({ id: 'fs-0' }), from: poolOf(DELTA), to: poolOf(EPSILON, 2) })]);
    expect(migrates(p).map((e) => e.server.id)).not.toContain('fs-0');
    expect(p.rebalance?.[0].hosts.find((h) => h.host === EPSILON)?.pinned).toBe(1);
  });

  it('GIVEN a share placement of a share on a rebalanced host WHEN planning THEN both declarations are named as overlapping, before anything moves', () => {
    const place: Declaration = {
      kind: 'placement',
      resource: 'share',
      path: 'app/one',
      select: { shares: ['fs-1'] },
      host: poolOf(ZETA),
      flags: NO_FLAGS,
      completion: 'auto',
    } as Declaration;
    expect(() => plan([flatHosts, place], flatCloud(2).build())).toThrow(/app\/balance[\s\S]*app\/one|app\/one[\s\S]*app\/balance/);
  });

  it('GIVEN a share server host and a DHSS=False host only WHEN rebalancing by count THEN no share server is sent to the share host and no share to the server host', () => {
    const b = flatCloud(2).host('node1@alpha').network('net-1');
    b.server('srv-1', { network: 'net-1', shares: [share('s-1')] });
    b.server('srv-2', { network: 'net-1', shares: [share('s-2')] });
    const p = plan([rebalance({ hosts: ['node1@alpha', DELTA, EPSILON] })], b.build());
    for (const e of migrates(p)) {
      if (e.server.resource === 'share') expect(e.to.startsWith(EPSILON)).toBe(true);
      else expect(e.to).toBe('node1@alpha');
    }
    expect(migrates(p).filter((e) => e.server.resource !== 'share')).toEqual([]);
    expect(migrates(p).filter((e) => e.server.resource === 'share')).toHaveLength(1);
  });
});
