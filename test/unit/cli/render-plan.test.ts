import { hasChanges, hasProblems, paint, renderPlans, renderRebalance } from '../../../lib/cli/render-plan';
import { plan } from '../../../lib/plan/plan';
import type { CloudSnapshot } from '../../../lib/snapshot/model';
import type { Plan } from '../../../lib/plan/types';
import { testbed } from '../../helper/snapshot-builder';
import { rebalance } from '../plan/declarations';


const plain = paint(false);
const section = (p: Plan): string[] => renderRebalance(p.rebalance![0], p.entries, plain);

describe('renderPlans with a rebalance', () => {
  it('GIVEN six servers on alpha rebalanced by count WHEN rendered THEN each move, then the load of every host before and after', () => {
    // GIVEN
    const p = plan([rebalance()], testbed().build());
    // WHEN
    const text = renderPlans([p], plain, Date.now(), { verbose: true });
    // THEN
    expect(section(p)).toEqual([
      '',
      'Rebalance app/balance (server-count): 4 moves; spread 6 servers -> 0 servers (tolerance 1 server): balanced',
      '  ~ share server srv-1 (mp-sn-1): node1@alpha -> node1@beta',
      '  ~ share server srv-2 (mp-sn-2): node1@alpha -> node1@gamma',
      '  ~ share server srv-3 (mp-sn-3): node1@alpha -> node1@beta',
      '  ~ share server srv-4 (mp-sn-4): node1@alpha -> node1@gamma',
      '  host         role     before (servers)  after (servers)  pinned',
      '  node1@alpha  balance                 6                2       0',
      '  node1@beta   balance                 0                2       0',
      '  node1@gamma  balance                 0                2       0',
    ]);
    expect(text).toContain(section(p).join('\n'));
    expect(text).toContain('      why: balance server-count: node1@alpha 6→5, node1@beta 0→1');
    expect(text).toContain('Plan: 4 to migrate, 0 to resume, 0 in sync, 0 blocked, 0 in conflict, 0 unmatched.');
    expect(hasChanges([p])).toBe(true);
  });

  it('GIVEN free-ratio with a host that cannot receive and an unknown host WHEN rendered THEN percentages, why it takes none, the problem and the notes', () => {
    const s = testbed({ hosts: { 'node1@gamma': { state: 'down' } } }).build();
    const snap: CloudSnapshot = { ...s, pools: s.pools.map((pool) => (pool.backendHost === 'node1@alpha' ? { ...pool, freeCapacityGb: 400 } : pool)) };
    const p = plan([rebalance({ objective: 'free-ratio', tolerance: 0.05, minGain: 0.001, hosts: ['node1@alpha', 'node1@beta', 'node1@gamma', 'node9@typo'] })], snap);
    expect(section(p).slice(1)).toEqual([
      // Six 1 GiB servers barely move 1000 GiB pools: all of them go, and gamma (down) keeps the spread wide.
      'Rebalance app/balance (free-ratio): 6 moves; spread 50.0 points -> 49.4 points (tolerance 5.0 points): not balanced: no allowed move gains minGain',
      ...[1, 2, 3, 4, 5, 6].map((i) => `  ~ share server srv-${i} (mp-sn-${i}): node1@alpha -> node1@beta`),
      '  host         role     before (free)  after (free)  pinned',
      '  node1@alpha  balance          40.0%         40.6%       0',
      '  node1@beta   balance          90.0%         89.4%       0',
      '  node1@gamma  balance          90.0%         90.0%       0  takes none: DEST_DOWN',
      '  ! host node9@typo in hosts is not a manila-share host (hosts in the snapshot: node1@alpha, node1@beta, node1@gamma)',
      '  - node1@gamma takes no servers (DEST_DOWN); it still counts in the balance',
      '  - no allowed move lowers a host by minGain (0.1 points of free ratio) or more; the spread stays above the tolerance (5.0 points of free ratio)',
    ]);
    expect(hasProblems([p])).toBe(true);
  });

  it('GIVEN a balanced fleet WHEN rendered THEN zero moves, balanced, and "No changes"', () => {
    const b = testbed({ servers: 2 });
    b.server('srv-b', { host: 'node1@beta', network: 'net-mp-sn-3' }).server('srv-g', { host: 'node1@gamma', network: 'net-mp-sn-4' });
    const p = plan([rebalance()], b.build());
    const text = renderPlans([p], plain);
    expect(text).toContain('Rebalance app/balance (server-count): 0 moves; spread 1 server -> 1 server (tolerance 1 server): balanced');
    expect(text).toContain('No changes. Everything declared is where it belongs.');
    expect(hasChanges([p])).toBe(false);
    expect(hasProblems([p])).toBe(false);
  });

  it('GIVEN maxMoves reached WHEN rendered THEN it says the fleet is not balanced yet and how to continue', () => {
    const p = plan([rebalance({ maxMoves: 1, objective: 'allocated-gb', tolerance: 0 })], testbed().build());
    const lines = section(p);
    expect(lines[1]).toBe('Rebalance app/balance (allocated-gb): 1 move; spread 6 GiB -> 5 GiB (tolerance 0 GiB): not balanced yet: stopped at maxMoves');
    expect(lines).toContain('  host         role     before (GiB)  after (GiB)  pinned');
    expect(lines).toContain('  - stopped at maxMoves (1); plan again once these moves are done to continue');
  });

  it('GIVEN colours WHEN rendered THEN the state is coloured and the table header dimmed', () => {
    const p = plan([rebalance()], testbed().build());
    const lines = renderRebalance(p.rebalance![0], p.entries, paint(true));
    expect(lines[1]).toContain('\x1b[32mbalanced\x1b[0m');
    // eslint-disable-next-line no-control-regex -- ANSI colour codes are what the test strips
    expect(lines[6]).toMatch(/^ {2}\x1b\[2mhost/);
  });
});
