import { generateMoves } from '../../../bench/lib/generate-moves';
import { MARKDOWN_LIMIT, renderMarkdown } from '../../../lib/cli/render-markdown';
import { paint, renderPlans } from '../../../lib/cli/render-plan';
import { plan } from '../../../lib/plan/plan';

const plain = paint(false);
const NOW = Date.parse('2026-12-07T09:00:00.000Z');
const fleet = (moves: number, pairs: number, blocked: number) => {
  const g = generateMoves(moves, pairs, blocked);
  return plan(g.declarations, g.snapshot);
};

describe('the default plan at fleet size', () => {
  const p = fleet(500, 5, 1);
  const lines = renderPlans([p], plain, NOW).trimEnd().split('\n');

  it('GIVEN 500 moves over 5 host pairs with 1 blocked WHEN planned THEN at most 40 lines, and the blocked one in the first 10 with its reason', () => {
    expect(lines.length).toBeLessThanOrEqual(40);
    const at = lines.findIndex((l) => l.includes('blocked: SERVER_NOT_ACTIVE'));
    expect(at).toBeGreaterThanOrEqual(0);
    expect(at).toBeLessThan(10);
    expect(lines[at]).toContain('share server 00000002-0000-4000-8000-000000000000 (sn-0): src-1@south1 -> dst-1@north1');
  });

  it('GIVEN the same plan WHEN rendered THEN one line per source -> destination group with its count, and what every move shares said once', () => {
    expect(lines).toContain('Moves: 499 share servers in 5 groups (source -> destination)');
    for (const k of [2, 3, 4, 5]) expect(lines.some((l) => l.startsWith(`  ~ src-${k}@south${k} -> dst-${k}@north${k}: 100 share servers (`))).toBe(true);
    expect(lines.some((l) => l.startsWith('  ~ src-1@south1 -> dst-1@north1: 99 share servers (sn-10, sn-100, sn-105 and 96 more)'))).toBe(true);
    expect(lines.filter((l) => l.includes('completion: auto'))).toEqual(['  every move: completion: auto; demands: preserve-snapshots; the switchover (complete) disrupts clients briefly']);
    expect(lines.filter((l) => l.includes('read-only during phase 1'))).toHaveLength(1);
    expect(lines[lines.length - 1]).toBe('Plan: 499 to migrate, 0 to resume, 0 in sync, 1 blocked, 0 in conflict, 0 unmatched.');
  });

  it('GIVEN projects named in the snapshot WHEN rendered THEN one impact line per project, by name, with plurals right', () => {
    expect(lines).toContain('  project admin: 124 moves, 124 shares, 1240 GiB, 24 snapshots; read-only in phase 1 (or may be): 124; remount after (or may have to): 124');
    expect(lines.filter((l) => l.startsWith('  project '))).toHaveLength(4);
    expect(lines.join('\n')).not.toMatch(/\(s\)/);
  });

  it('GIVEN --verbose WHEN rendered THEN every move has its own lines, with its key, the share network id and the project id', () => {
    const text = renderPlans([p], plain, NOW, { verbose: true });
    expect(text.match(/^ {2}~ share server /gm)).toHaveLength(499);
    expect(text.match(/move key fleet_sn-\d+--/g)).toHaveLength(499);
    expect(text).toContain('  ~ share server 00000002-0000-4000-8000-000000000001 (sn-1) [00000001-0000-4000-8000-000000000001]: src-2@south2 -> dst-2@north2');
    expect(text).toMatch(/shares of project demo \(00000009000040008000000000000001\): share-1 \[00000003-0000-4000-8000-000000000001\] \(10 GiB NFS\)/);
    expect(text.indexOf('blocked')).toBeLessThan(text.indexOf('~ share server'));
  });
});

describe('the default plan of a few moves', () => {
  it('GIVEN 3 moves in 2 groups and 1 blocked WHEN rendered THEN each move on its own line under its group, singular where one', () => {
    const text = renderPlans([fleet(4, 2, 1)], plain, NOW);
    expect(text).toContain(
      [
        'Moves: 3 share servers in 2 groups (source -> destination)',
        '  src-2@south2 -> dst-2@north2: 2 share servers',
        '    ~ share server 00000002-0000-4000-8000-000000000001 (sn-1): src-2@south2 -> dst-2@north2',
        '    ~ share server 00000002-0000-4000-8000-000000000003 (sn-3): src-2@south2 -> dst-2@north2',
        '  src-1@south1 -> dst-1@north1: 1 share server',
        '    ~ share server 00000002-0000-4000-8000-000000000002 (sn-2): src-1@south1 -> dst-1@north1',
      ].join('\n'),
    );
    expect(text).toContain('  project demo: 1 move, 1 share, 10 GiB, 0 snapshots;');
  });
});

describe('the markdown plan', () => {
  it('GIVEN 500 moves WHEN rendered as markdown THEN within a merge request comment, blocked first, groups, projects, and the count of what is left out', () => {
    const md = renderMarkdown([fleet(500, 5, 1)], NOW);
    expect(md.length).toBeLessThanOrEqual(MARKDOWN_LIMIT);
    expect(md.indexOf('### Blocked')).toBeLessThan(md.indexOf('### Moves'));
    expect(md).toContain('| src-2@south2 | dst-2@north2 | 100 | migrate |');
    expect(md).toContain('| admin | 124 | 124 | 1240 | 24 | 124 | 124 |');
    const shown = (md.match(/^\| `00000002-/gm) ?? []).length;
    const left = Number(/_(\d+) moves not shown here/.exec(md)?.[1]);
    expect(shown).toBeGreaterThan(100);
    expect(shown + left).toBe(499);
    expect(md).toMatch(/_499 shares not shown here/);
  });

  it('GIVEN a few moves WHEN rendered as markdown THEN every move and share is a row and nothing is said to be left out', () => {
    const md = renderMarkdown([fleet(4, 2, 1)], NOW);
    expect(md.match(/^\| `00000002-/gm)).toHaveLength(3);
    expect(md).toContain('| demo | share-1 | 10 GiB | NFS |');
    expect(md).not.toContain('not shown here');
  });
});
