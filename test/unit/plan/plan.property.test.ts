import fc from 'fast-check';
import { plan } from '../../../lib/plan/plan';
import { serializePlan } from '../../../lib/plan/file';
import type { CloudSnapshot } from '../../../lib/snapshot/model';
import { SnapshotBuilder, share } from '../../helper/snapshot-builder';
import { useFcSeed } from '../../helper/fc-seed';
import { evacuation } from './declarations';

/**
 * Properties of evacuation planning over random clouds: hosts with random service states and
 * DHSS pools, servers spread over them with random statuses and share states.
 */

// A new seed every run (printed; FC_SEED replays one).
useFcSeed(__filename);

const HOSTS = ['node1@alpha', 'node1@beta', 'node1@gamma', 'node2@delta', 'node3@epsilon'];
const SOURCE = HOSTS[0];

const hostArb = fc.record({ status: fc.constantFrom('enabled', 'enabled', 'disabled'), state: fc.constantFrom('up', 'up', 'down'), dhss: fc.constantFrom(true, true, false) });
const serverArb = fc.record({
  host: fc.constantFrom(...HOSTS, SOURCE, SOURCE),
  status: fc.constantFrom('active', 'active', 'active', 'error'),
  shareStatus: fc.constantFrom('available', 'available', 'available', 'error'),
  shares: fc.integer({ min: 0, max: 2 }),
});
const worldArb = fc.record({
  hosts: fc.tuple(...HOSTS.map(() => hostArb)),
  servers: fc.array(serverArb, { maxLength: 25 }),
  targets: fc.uniqueArray(fc.constantFrom(...HOSTS.slice(1), 'node9@unknown'), { minLength: 1, maxLength: 4 }),
  maxPerTarget: fc.option(fc.integer({ min: 1, max: 8 }), { nil: undefined }),
});

type World = typeof worldArb extends fc.Arbitrary<infer T> ? T : never;

function snapshotOf(w: World): CloudSnapshot {
  const b = new SnapshotBuilder();
  HOSTS.forEach((h, i) => b.host(h, w.hosts[i]));
  b.network('net-1', { name: 'n1' });
  w.servers.forEach((s, i) => {
    const id = `srv-${String(i).padStart(3, '0')}`;
    b.server(id, {
      host: s.host,
      status: s.status,
      network: 'net-1',
      shares: Array.from({ length: s.shares }, (_, k) => share(`${id}-sh${k}`, { status: s.shareStatus })),
    });
  });
  return b.build();
}

describe('evacuation planning (property-based)', () => {
  it('GIVEN any cloud WHEN evacuating THEN no target exceeds maxPerTarget because of this plan', () => {
    fc.assert(
      fc.property(worldArb, (w) => {
        const snap = snapshotOf(w);
        const p = plan([evacuation('app/e', SOURCE, w.targets, { maxPerTarget: w.maxPerTarget })], snap);
        for (const t of w.targets) {
          const already = snap.shareServers.filter((s) => s.host === t).length;
          const added = p.entries.filter((e) => e.action === 'migrate' && e.to === t).length;
          if (added > 0 && w.maxPerTarget !== undefined) expect(already + added).toBeLessThanOrEqual(w.maxPerTarget);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('GIVEN any cloud WHEN evacuating THEN every server of the source host is migrate or blocked, and only those', () => {
    fc.assert(
      fc.property(worldArb, (w) => {
        const snap = snapshotOf(w);
        const p = plan([evacuation('app/e', SOURCE, w.targets, { maxPerTarget: w.maxPerTarget })], snap);
        const onSource = snap.shareServers.filter((s) => s.host === SOURCE).map((s) => s.id).sort();
        expect(p.entries.map((e) => ('server' in e ? e.server.id : '')).sort()).toEqual(onSource);
        expect(p.entries.every((e) => e.action === 'migrate' || e.action === 'blocked')).toBe(true);
        for (const e of p.entries) if (e.action === 'migrate') expect(w.targets).toContain(e.to);
      }),
      { numRuns: 200 },
    );
  });

  it('GIVEN any cloud WHEN evacuating THEN the spread is even: usable targets differ by at most one added server when uncapped and empty', () => {
    fc.assert(
      fc.property(worldArb, (w) => {
        const empty = { ...w, servers: w.servers.map((s) => ({ ...s, host: SOURCE, status: 'active' as const, shareStatus: 'available' as const, shares: 1 })) };
        const snap = snapshotOf(empty);
        const p = plan([evacuation('app/e', SOURCE, empty.targets)], snap);
        const counts = new Map<string, number>();
        for (const e of p.entries) if (e.action === 'migrate') counts.set(e.to, (counts.get(e.to) ?? 0) + 1);
        const usable = empty.targets.filter((t) => {
          const i = HOSTS.indexOf(t);
          return i > 0 && empty.hosts[i].status === 'enabled' && empty.hosts[i].state === 'up' && empty.hosts[i].dhss;
        });
        const values = usable.map((t) => counts.get(t) ?? 0);
        if (values.length > 0) expect(Math.max(...values) - Math.min(...values)).toBeLessThanOrEqual(1);
        else expect(counts.size).toBe(0);
      }),
      { numRuns: 200 },
    );
  });

  it('GIVEN any cloud WHEN planning twice, once with lists reversed THEN the plans are byte-identical', () => {
    fc.assert(
      fc.property(worldArb, (w) => {
        const snap = snapshotOf(w);
        const reversed: CloudSnapshot = {
          ...snap,
          shareServers: [...snap.shareServers].reverse(),
          services: [...snap.services].reverse(),
          pools: [...snap.pools].reverse(),
        };
        const d = [evacuation('app/e', SOURCE, w.targets, { maxPerTarget: w.maxPerTarget })];
        expect(serializePlan(plan(d, reversed))).toBe(serializePlan(plan(d, snap)));
      }),
      { numRuns: 200 },
    );
  });
});
