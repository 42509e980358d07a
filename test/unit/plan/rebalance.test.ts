import { plan } from '../../../lib/plan/plan';
import { parsePlanText, serializePlan } from '../../../lib/plan/file';
import type { CloudSnapshot } from '../../../lib/snapshot/model';
import type { Declaration, MigrateEntry, Plan } from '../../../lib/plan/types';
import { SnapshotBuilder, share, testbed } from '../../helper/snapshot-builder';
import { evacuation, placement, rebalance } from './declarations';


const moves = (p: Plan): Array<[string, string, string]> =>
  p.entries.filter((e): e is MigrateEntry => e.action === 'migrate').map((e) => [e.server.id, e.from, e.to]);
const loads = (p: Plan): Array<[string, number | null, number | null]> => (p.rebalance?.[0].hosts ?? []).map((h) => [h.host, h.before, h.after]);

function catchError(fn: () => unknown): Error & { code?: string } {
  try {
    fn();
  } catch (e) {
    return e as Error & { code?: string };
  }
  throw new Error('expected an error');
}

/** Three hosts, servers with the given share sizes on each. */
function sized(sizes: Record<string, number[]>, hosts = ['node1@alpha', 'node1@beta', 'node1@gamma']): SnapshotBuilder {
  const b = new SnapshotBuilder();
  for (const h of hosts) b.host(h);
  b.network('net-1');
  let n = 0;
  for (const [host, list] of Object.entries(sizes)) {
    for (const size of list) {
      n++;
      const id = `srv-${String(n).padStart(2, '0')}`;
      b.server(id, { host, network: 'net-1', shares: [share(`${id}-sh`, { size })] });
    }
  }
  return b;
}

describe('plan() with a rebalance', () => {
  describe('server-count', () => {
    it('GIVEN six servers on alpha WHEN rebalancing over alpha, beta, gamma THEN exactly four moves end 2/2/2, each explained', () => {
      // GIVEN / WHEN
      const p = plan([rebalance()], testbed().build());
      // THEN
      expect(moves(p)).toEqual([
        ['srv-1', 'node1@alpha', 'node1@beta'],
        ['srv-2', 'node1@alpha', 'node1@gamma'],
        ['srv-3', 'node1@alpha', 'node1@beta'],
        ['srv-4', 'node1@alpha', 'node1@gamma'],
      ]);
      expect(p.entries.map((e) => (e.action === 'migrate' ? e.why : e.action))).toEqual([
        'balance server-count: node1@alpha 6→5, node1@beta 0→1',
        'balance server-count: node1@alpha 5→4, node1@gamma 0→1',
        'balance server-count: node1@alpha 4→3, node1@beta 1→2',
        'balance server-count: node1@alpha 3→2, node1@gamma 1→2',
      ]);
      expect(p.rebalance).toEqual([
        {
          declaration: 'app/balance',
          objective: 'server-count',
          hosts: [
            { host: 'node1@alpha', role: 'balance', before: 6, after: 2, pinned: 0 },
            { host: 'node1@beta', role: 'balance', before: 0, after: 2, pinned: 0 },
            { host: 'node1@gamma', role: 'balance', before: 0, after: 2, pinned: 0 },
          ],
          moves: 4,
          spread: { before: 6, after: 0 },
          tolerance: 1,
          balanced: true,
          stop: 'balanced',
          problems: [],
          notes: [],
        },
      ]);
      expect(p.entries.every((e) => e.key.startsWith('app_balance--'))).toBe(true);
    });

    it('GIVEN a host with more servers than another WHEN choosing which to move THEN the smallest servers go first (less data to copy)', () => {
      const p = plan([rebalance({ hosts: ['node1@alpha', 'node1@beta'] })], sized({ 'node1@alpha': [50, 5, 20, 1] }, ['node1@alpha', 'node1@beta']).build());
      expect(moves(p)).toEqual([
        ['srv-02', 'node1@alpha', 'node1@beta'],
        ['srv-04', 'node1@alpha', 'node1@beta'],
      ]);
    });

    it('GIVEN a spread of one server WHEN planning THEN no move: it would only swap the two hosts (hysteresis)', () => {
      const p = plan([rebalance({ tolerance: 0 })], sized({ 'node1@alpha': [1, 1], 'node1@beta': [1], 'node1@gamma': [1] }).build());
      expect(moves(p)).toEqual([]);
      expect(p.rebalance?.[0]).toMatchObject({ balanced: false, stop: 'no-gain', spread: { before: 1, after: 1 } });
      expect(p.rebalance?.[0].notes).toEqual([expect.stringMatching(/no allowed move lowers a host by minGain \(1 server\)/)]);
    });

    it('GIVEN maxMoves 2 WHEN four moves are needed THEN two are planned and the explanation says where it stopped', () => {
      const p = plan([rebalance({ maxMoves: 2 })], testbed().build());
      expect(moves(p)).toHaveLength(2);
      expect(p.rebalance?.[0]).toMatchObject({ moves: 2, balanced: false, stop: 'max-moves' });
      expect(p.rebalance?.[0].notes).toContain('stopped at maxMoves (2); plan again once these moves are done to continue');
    });
  });

  describe('allocated-gb and free-ratio', () => {
    it('GIVEN allocated-gb WHEN one move can close most of the gap THEN it moves the server nearest half the gap', () => {
      // alpha 100 GiB (60 + 30 + 10), beta 0: half the gap is 50; 60 lowers alpha to 40 (gain 40), 30 to 70 (gain 30).
      const p = plan([rebalance({ hosts: ['node1@alpha', 'node1@beta'], objective: 'allocated-gb', tolerance: 0, minGain: 1 })], sized({ 'node1@alpha': [60, 30, 10] }, ['node1@alpha', 'node1@beta']).build());
      expect(moves(p)).toEqual([['srv-01', 'node1@alpha', 'node1@beta']]);
      expect(loads(p)).toEqual([
        ['node1@alpha', 100, 40],
        ['node1@beta', 0, 60],
      ]);
      expect((p.entries[0] as MigrateEntry).why).toBe('balance allocated-gb: node1@alpha 100→40 GiB, node1@beta 0→60 GiB');
    });

    it('GIVEN allocated-gb and minGain above what any move gains WHEN planning THEN nothing moves', () => {
      const p = plan([rebalance({ hosts: ['node1@alpha', 'node1@beta'], objective: 'allocated-gb', tolerance: 0, minGain: 45 })], sized({ 'node1@alpha': [60, 30, 10] }, ['node1@alpha', 'node1@beta']).build());
      expect(moves(p)).toEqual([]);
    });

    it('GIVEN free-ratio WHEN pools differ in size THEN the ratio is balanced, shown as free share, and a host without capacity is left out', () => {
      const b = sized({ 'node1@alpha': [100, 100, 100, 100] }, ['node1@alpha', 'node1@beta', 'node1@gamma']);
      const s = b.build();
      const snap: CloudSnapshot = {
        ...s,
        pools: s.pools.map((pool) =>
          pool.backendHost === 'node1@alpha'
            ? { ...pool, totalCapacityGb: 1000, freeCapacityGb: 500 }
            : pool.backendHost === 'node1@beta'
              ? { ...pool, totalCapacityGb: 2000, freeCapacityGb: 2000 }
              : { name: pool.name, backendHost: pool.backendHost, pool: pool.pool, dhss: true },
        ),
      };
      const p = plan([rebalance({ objective: 'free-ratio', tolerance: 0.05, minGain: 0.01 })], snap);
      // Each 100 GiB moves alpha's free ratio up 10 points and beta's down 5, until the spread is within 5 points.
      expect(moves(p).map((m) => m[2])).toEqual(['node1@beta', 'node1@beta', 'node1@beta']);
      expect(loads(p)).toEqual([
        ['node1@alpha', 0.5, 0.8],
        ['node1@beta', 1, 0.85],
        ['node1@gamma', null, null],
      ]);
      expect(p.rebalance?.[0].hosts[2].cannotReceive).toEqual(['NO_CAPACITY_DATA']);
      expect(p.rebalance?.[0].notes).toContain('node1@gamma is left out of the free-ratio balance: its pools report no total or free capacity');
      expect((p.entries[0] as MigrateEntry).why).toBe('balance free-ratio: node1@alpha free 50.0%→60.0%, node1@beta free 100.0%→95.0%');
    });
  });

  describe('rules', () => {
    it('GIVEN destinations down, disabled or without a DHSS pool WHEN planning THEN the first two take nothing but still count, and the last is balanced by its shares apart', () => {
      const snap = new SnapshotBuilder()
        .host('node1@alpha')
        .host('node1@beta', { state: 'down' })
        .host('node1@gamma', { status: 'disabled' })
        .host('node2@delta', { dhss: false })
        .host('node3@epsilon')
        .network('net-1');
      for (let i = 1; i <= 4; i++) snap.server(`srv-${i}`, { network: 'net-1' });
      const p = plan([rebalance({ hosts: undefined, hostPattern: '*' })], snap.build());
      expect(moves(p).map((m) => m[2])).toEqual(['node3@epsilon', 'node3@epsilon']);
      expect(loads(p).map((l) => l[2])).toEqual([2, 0, 0, 2]);
      expect(p.rebalance?.[0].hosts.map((h) => h.cannotReceive)).toEqual([undefined, ['DEST_DOWN'], ['DEST_DISABLED'], undefined]);
      expect(p.rebalance?.[0].stop).toBe('no-gain');
      // node2@delta's backend does not handle share servers: it is balanced by its shares (none).
      expect(p.rebalance?.[1]).toMatchObject({ resource: 'share', hosts: [{ host: 'node2@delta', before: 0, after: 0 }], moves: 0, stop: 'balanced' });
    });

    it('GIVEN two hosts with the same backend name WHEN planning THEN no server moves between them', () => {
      const b = new SnapshotBuilder().host('node1@alpha').host('node2@alpha').host('node3@beta').network('net-1');
      for (let i = 1; i <= 6; i++) b.server(`srv-${i}`, { network: 'net-1' });
      const p = plan([rebalance({ hosts: ['node1@alpha', 'node2@alpha', 'node3@beta'], tolerance: 0 })], b.build());
      expect(moves(p).every(([, , to]) => to === 'node3@beta')).toBe(true);
      expect(loads(p)).toEqual([
        ['node1@alpha', 6, 3],
        ['node2@alpha', 0, 0],
        ['node3@beta', 0, 3],
      ]);
    });

    it('GIVEN a share network with a subnet in one zone only WHEN planning THEN its server goes only to a host of that zone', () => {
      const b = new SnapshotBuilder()
        .host('node1@alpha', { zone: 'z1' })
        .host('node1@beta', { zone: 'z2' })
        .host('node1@gamma', { zone: 'z1' })
        .network('net-z1', { subnets: [{ id: 'sub-z1', availabilityZone: 'z1' }] })
        .network('net-any');
      b.server('srv-1', { network: 'net-z1' }).server('srv-2', { network: 'net-z1' }).server('srv-3', { network: 'net-z1' }).server('srv-4', { network: 'net-any' });
      const p = plan([rebalance({ tolerance: 0 })], b.build());
      expect(moves(p)).toEqual([
        ['srv-1', 'node1@alpha', 'node1@gamma'],
        ['srv-4', 'node1@alpha', 'node1@beta'],
      ]);
    });

    it('GIVEN reserveGb WHEN a destination would drop below it THEN it takes nothing more', () => {
      const s = testbed().build();
      const snap: CloudSnapshot = { ...s, pools: s.pools.map((p) => (p.backendHost === 'node1@gamma' ? { ...p, totalCapacityGb: 10, freeCapacityGb: 5 } : p)) };
      // gamma has 5 GiB free: with 4 GiB kept back it takes one 1 GiB server, then no more.
      const p = plan([rebalance({ reserveGb: 4 })], snap);
      expect(moves(p).map((m) => m[2])).toEqual(['node1@beta', 'node1@gamma', 'node1@beta']);
      expect(p.rebalance?.[0]).toMatchObject({ stop: 'no-gain', spread: { after: 2 } });
      const half = plan([rebalance({ reserveRatio: 0.5 })], snap);
      expect(moves(half).map((m) => m[2])).toEqual(['node1@beta', 'node1@beta', 'node1@beta']);
    });

    it('GIVEN servers in flight, in error or without shares WHEN planning THEN they count where they are (or are going) and are not moved', () => {
      const b = testbed({ servers: 2 });
      b.server('srv-err', { status: 'error', network: 'net-mp-sn-3' });
      b.server('srv-empty', { network: 'net-mp-sn-4', shares: [] });
      b.server('srv-mig', { network: 'net-mp-sn-5', status: 'server_migrating', taskState: 'migration_driver_in_progress' });
      b.server('srv-mig-dest', { host: 'node1@gamma', network: 'net-mp-sn-5', status: 'server_migrating_to', taskState: 'migration_driver_in_progress', source: 'srv-mig', shares: [] });
      const p = plan([rebalance({ completion: 'manual' })], b.build());
      expect(loads(p)).toEqual([
        ['node1@alpha', 4, 2],
        ['node1@beta', 0, 2],
        ['node1@gamma', 1, 1],
      ]);
      expect(p.entries.map((e) => [e.action, 'server' in e ? e.server.id : '', 'to' in e ? e.to : ''])).toEqual([
        ['migrate', 'srv-1', 'node1@beta'],
        ['migrate', 'srv-2', 'node1@beta'],
        ['resume', 'srv-mig', 'node1@gamma'],
      ]);
      expect(p.entries.find((e) => e.action === 'resume')).toMatchObject({ from: 'node1@alpha', completion: 'manual' });
      expect(p.rebalance?.[0].hosts.map((h) => h.pinned)).toEqual([2, 0, 1]);
      expect(p.rebalance?.[0].notes).toEqual([
        '1 server in flight count on the host they are migrating to and are not moved',
        'servers that cannot migrate count where they are and are not moved (NO_SHARES 1, SERVER_NOT_ACTIVE 1)',
      ]);
    });

    it('GIVEN the service of a source host down WHEN planning THEN its servers stay and the explanation says why', () => {
      const p = plan([rebalance()], testbed({ hosts: { 'node1@alpha': { state: 'down' } } }).build());
      expect(moves(p)).toEqual([]);
      expect(p.rebalance?.[0].notes).toContain('6 servers on node1@alpha cannot be moved off while the manila-share service there is down');
    });
  });

  describe('drain and exclude', () => {
    it('GIVEN alpha drained WHEN planning THEN every alpha server leaves, spread over beta and gamma, and alpha is shown empty', () => {
      const p = plan([rebalance({ drain: ['node1@alpha'] })], testbed().build());
      expect(moves(p).map((m) => m[2]).sort()).toEqual(['node1@beta', 'node1@beta', 'node1@beta', 'node1@gamma', 'node1@gamma', 'node1@gamma']);
      expect(p.rebalance?.[0].hosts[0]).toEqual({ host: 'node1@alpha', role: 'drain', before: 6, after: 0, pinned: 0 });
      expect((p.entries[0] as MigrateEntry).why).toBe('drain node1@alpha 6→5: least loaded host that takes it, node1@beta 0→1');
    });

    it('GIVEN a drained host whose servers no host can take WHEN planning THEN they are blocked with the reasons', () => {
      const b = new SnapshotBuilder()
        .host('node1@alpha', { zone: 'z1' })
        .host('node1@beta', { zone: 'z2' })
        .network('net-z1', { subnets: [{ id: 'sub-z1', availabilityZone: 'z1' }] })
        .server('srv-1', { network: 'net-z1' })
        .server('srv-2', { network: 'net-z1', status: 'error' });
      const p = plan([rebalance({ hosts: ['node1@beta'], drain: ['node1@alpha'] })], b.build());
      expect(p.entries.map((e) => (e.action === 'blocked' ? [e.server.id, e.reasons.map((r) => r.code)] : e.action))).toEqual([
        ['srv-1', ['NO_SUBNET_IN_DEST_AZ']],
        ['srv-2', ['SERVER_NOT_ACTIVE']],
      ]);
      expect(p.rebalance?.[0]).toMatchObject({ balanced: false, stop: 'drain-blocked' });
      expect(p.rebalance?.[0].notes).toContain('node1@alpha cannot be emptied: some of its servers cannot leave it (see the blocked entries and the servers in flight)');
    });

    it('GIVEN a drained host and a reserve no destination can keep WHEN planning THEN NO_CAPACITY', () => {
      const s = testbed({ servers: 1 }).build();
      const snap: CloudSnapshot = { ...s, pools: s.pools.map((p) => ({ ...p, totalCapacityGb: 100, freeCapacityGb: 10 })) };
      const p = plan([rebalance({ drain: ['node1@alpha'], reserveGb: 10 })], snap);
      expect(p.entries).toEqual([expect.objectContaining({ action: 'blocked', to: 'node1@beta,node1@gamma', reasons: [expect.objectContaining({ code: 'NO_CAPACITY' })] })]);
      const [blocked] = p.entries;
      expect(blocked.action === 'blocked' ? blocked.reasons[0].message : '').toMatch(/\(1 GiB\) has room for it and still keeps 10 GiB free/);
    });

    it('GIVEN a pattern with an excluded host WHEN planning THEN the excluded host is neither counted nor used', () => {
      const b = testbed();
      b.server('srv-g1', { host: 'node1@gamma', network: 'net-mp-sn-1' });
      const p = plan([rebalance({ hosts: undefined, hostPattern: 'node1@*', exclude: ['node1@gamma'] })], b.build());
      expect(loads(p).map((l) => l[0])).toEqual(['node1@alpha', 'node1@beta']);
      expect(moves(p).every(([, , to]) => to === 'node1@beta')).toBe(true);
      expect(moves(p)).toHaveLength(3);
    });
  });

  describe('hosts', () => {
    it.each([
      ['a glob', 'node1@[ab]*', []],
      ['a glob with ?', 'node?@*a', ['node1@alpha', 'node1@beta', 'node1@gamma']],
      ['a regex', '/^node1@(alpha|gamma)$/', ['node1@alpha', 'node1@gamma']],
      ['a case-insensitive regex', '/BETA|ALPHA/i', ['node1@alpha', 'node1@beta']],
    ])('GIVEN %s WHEN resolving THEN the matching manila-share hosts are the candidates', (_what, pattern, expected) => {
      const p = plan([rebalance({ hosts: undefined, hostPattern: pattern })], testbed().build());
      expect(loads(p).map((l) => l[0])).toEqual(expected);
      if (expected.length === 0) expect(p.rebalance?.[0].problems).toEqual([expect.stringMatching(/matches no manila-share host \(hosts in the snapshot: node1@alpha, node1@beta, node1@gamma\)/)]);
    });

    it('GIVEN an unknown host in hosts or drain WHEN planning THEN problems name it, and the known hosts are still planned', () => {
      const p = plan([rebalance({ hosts: ['node1@alpha', 'node1@beta', 'node9@typo'], drain: ['node8@gone'] })], testbed().build());
      expect(p.rebalance?.[0].problems).toEqual([
        'host node9@typo in hosts is not a manila-share host (hosts in the snapshot: node1@alpha, node1@beta, node1@gamma)',
        'host node8@gone in drain is not a manila-share host (hosts in the snapshot: node1@alpha, node1@beta, node1@gamma)',
      ]);
      expect(moves(p)).toHaveLength(3);
    });
  });

  describe('with other declarations', () => {
    it('GIVEN a placement of a server on a rebalanced host WHEN planning THEN MP_DECLARATION_OVERLAP naming both paths', () => {
      const err = catchError(() => plan([rebalance(), placement('app/pin', { shareNetwork: 'mp-sn-1' }, 'node2@delta')], testbed().build()));
      expect(err).toMatchObject({ code: 'MP_DECLARATION_OVERLAP' });
      expect(err.message).toMatch(/selected by both "app\/balance" and "app\/pin".*exclude their host from the rebalance/);
    });

    it('GIVEN a placement onto a rebalanced host WHEN planning THEN MP_DECLARATION_CONFLICT', () => {
      const b = testbed().host('node2@delta').server('srv-d', { host: 'node2@delta', network: 'net-mp-sn-1' });
      const err = catchError(() => plan([rebalance(), placement('app/pin', { shareServerId: 'srv-d' }, 'node1@beta')], b.build()));
      expect(err).toMatchObject({ code: 'MP_DECLARATION_CONFLICT' });
      expect(err.message).toContain('"app/pin" places servers on node1@beta, which "app/balance" rebalances');
    });

    it('GIVEN an evacuation of a rebalanced host WHEN planning THEN one MP_DECLARATION_OVERLAP pointing at drain', () => {
      const err = catchError(() => plan([rebalance(), evacuation('app/evacuate', 'node1@alpha', ['node2@delta'])], testbed().host('node2@delta').build()));
      expect(err).toMatchObject({ code: 'MP_DECLARATION_OVERLAP' });
      expect(err.message).toBe(`"app/evacuate" evacuates node1@alpha, which "app/balance" rebalances; list node1@alpha in the rebalance's drain instead of a separate evacuation, or exclude it from the rebalance`);
    });

    it('GIVEN an evacuation onto a rebalanced host WHEN planning THEN MP_DECLARATION_CONFLICT', () => {
      const b = testbed().host('node2@delta').server('srv-d', { host: 'node2@delta', network: 'net-mp-sn-1' });
      const err = catchError(() => plan([rebalance(), evacuation('app/evacuate', 'node2@delta', ['node1@gamma'])], b.build()));
      expect(err).toMatchObject({ code: 'MP_DECLARATION_CONFLICT' });
      expect(err.message).toContain('"app/evacuate" sends servers to node1@gamma, which "app/balance" rebalances');
    });

    it('GIVEN two rebalances sharing a host WHEN planning THEN MP_DECLARATION_OVERLAP naming both and the host', () => {
      const err = catchError(() => plan([rebalance(), rebalance({ path: 'app/other', hosts: ['node1@gamma', 'node2@delta'] })], testbed().host('node2@delta').build()));
      expect(err).toMatchObject({ code: 'MP_DECLARATION_OVERLAP' });
      expect(err.message).toBe('"app/balance" and "app/other" both rebalance node1@gamma; a host can belong to one rebalance only. Exclude it from one of the two');
    });

    it('GIVEN a placement and an evacuation on hosts outside the rebalance WHEN planning THEN all three plan side by side', () => {
      const b = testbed().host('node2@delta').host('node3@epsilon').host('node4@zeta');
      b.server('srv-d1', { host: 'node2@delta', network: 'net-mp-sn-1' }).server('srv-z1', { host: 'node4@zeta', network: 'net-mp-sn-2' });
      const decls: Declaration[] = [rebalance(), placement('app/pin', { shareServerId: 'srv-d1' }, 'node3@epsilon'), evacuation('app/evacuate', 'node4@zeta', ['node3@epsilon'])];
      const p = plan(decls, b.build());
      expect(p.summary.migrate).toBe(6);
      expect([...new Set(p.entries.map((e) => e.declaration))]).toEqual(['app/balance', 'app/evacuate', 'app/pin']);
      expect(p.rebalance?.map((r) => r.declaration)).toEqual(['app/balance']);
    });
  });

  describe('plan file', () => {
    it('GIVEN a plan with a rebalance WHEN serialized and parsed THEN it validates and keeps its explanation', () => {
      const p = plan([rebalance({ drain: ['node1@gamma'] })], testbed().build());
      const text = serializePlan(p);
      expect(parsePlanText(text, 'plan.json')).toEqual(JSON.parse(JSON.stringify(p)));
      expect(serializePlan(plan([rebalance({ drain: ['node1@gamma'] })], testbed().build()))).toBe(text);
    });

    it('GIVEN a plan without a rebalance WHEN planning THEN it has no rebalance field (plan files and digests unchanged)', () => {
      const p = plan([evacuation('app/e', 'node1@alpha', ['node1@beta'])], testbed().build());
      expect('rebalance' in p).toBe(false);
    });

    it('GIVEN a plan file whose explanation was edited WHEN parsed THEN MP_PLAN_TAMPERED', () => {
      const text = serializePlan(plan([rebalance()], testbed().build()));
      const err = catchError(() => parsePlanText(text.replace('"balanced": true', '"balanced": false'), 'plan.json'));
      expect(err).toMatchObject({ code: 'MP_PLAN_TAMPERED' });
    });
  });
});

describe('plan() with a rebalance and share type availability zones', () => {
  it('GIVEN servers whose share type allows only az1 WHEN draining alpha THEN they go only to the az1 host, the others spread', () => {
    const b = new SnapshotBuilder()
      .host('node1@alpha', { zone: 'az1' })
      .host('node1@beta', { zone: 'az1' })
      .host('node1@gamma', { zone: 'az2' })
      .shareType('st-az1', 'az1')
      .shareType('st-any')
      .network('net-1');
    for (let i = 1; i <= 4; i++) b.server(`srv-${i}`, { network: 'net-1', shares: [share(`sh-${i}`, { shareTypeId: i <= 2 ? 'st-az1' : 'st-any' })] });
    const p = plan([rebalance({ drain: ['node1@alpha'] })], b.build());
    const to = Object.fromEntries(moves(p).map(([id, , dest]) => [id, dest]));
    expect(to).toMatchObject({ 'srv-1': 'node1@beta', 'srv-2': 'node1@beta', 'srv-3': 'node1@gamma', 'srv-4': 'node1@gamma' });
  });

  it('GIVEN a server whose share type allows no zone of the rebalance WHEN draining its host THEN blocked with SHARE_TYPE_AZ', () => {
    const b = new SnapshotBuilder().host('node1@alpha', { zone: 'az1' }).host('node1@beta', { zone: 'az2' }).shareType('st-az1', 'az1').network('net-1');
    b.server('srv-1', { network: 'net-1', shares: [share('sh-1', { shareTypeId: 'st-az1' })] });
    const p = plan([rebalance({ hosts: ['node1@beta'], drain: ['node1@alpha'] })], b.build());
    expect(p.entries).toEqual([expect.objectContaining({ action: 'blocked', reasons: [expect.objectContaining({ code: 'SHARE_TYPE_AZ' })] })]);
  });
});
