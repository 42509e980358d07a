/**
 * One share moved off a crowded share server, as an operator on a share-server backend runs
 * it: a SharePlacement names fixture share mp-share-2 (on its share server on node1@alpha) and
 * a pool of node1@beta. The CLI plans one share move, applies it with share migration, and
 * Manila gives the share a share server of its network on beta; the old server stays on alpha,
 * and the next plan has no changes.
 */
import * as path from 'node:path';
import { jsonLines, makeApp, runCli } from '../helper/cli';
import { clientFor, resetTestbed } from '../helper/testbed';

jest.setTimeout(600_000);

const NAME = 'mp-share-2';
const NETWORK = 'mp-sn-2';
let betaPool: string;

beforeAll(() => {
  const facts = resetTestbed();
  betaPool = (facts.pools as Record<string, string[]>)['node1@beta'][0];
});

test('a share named on a share server moves by itself to a pool of another backend: its network gets a server there, the old server stays, and the plan is then in sync', async () => {
  const client = clientFor();
  try {
    // GIVEN mp-share-2 on the share server of mp-sn-2 on alpha
    const before = (await client.listShares()).find((s) => s.name === NAME)!;
    const oldServer = before.shareServerId!;
    expect(before.host).toMatch(/^node1@alpha#/);
    const dir = makeApp('share-off-server', `new SharePlacement(stack, 'off', { shares: ['${NAME}'], pool: '${betaPool}' });`);
    expect((await runCli(['refresh', '--out', path.join(dir, 'manila-placement.snapshot.json')], { cwd: dir })).code).toBe(0);

    // WHEN the operator plans: one share move, from its pool to beta's
    const p = await runCli(['plan', '--detailed-exitcode', '--no-color'], { cwd: dir });
    expect(p.stderr).toBe('');
    expect(p.code).toBe(2);
    expect(p.stdout).toContain(`~ share ${NAME} (${before.id}): ${before.host} -> ${betaPool}`);

    // AND applies it
    const apply = await runCli(['apply', '--auto-approve', '--json', '--poll-interval', '1'], { cwd: dir });
    expect(apply.stderr).toBe('');
    expect(apply.code).toBe(0);
    const summary = jsonLines(apply.stdout).find((l) => l.type === 'summary') as { results: Array<{ phase: string; server: string; exportLocations?: unknown[] }> };
    expect(summary.results).toEqual([expect.objectContaining({ phase: 'done', server: before.id, exportLocations: [expect.objectContaining({ changed: expect.any(Boolean) })] })]);

    // THEN the share is on beta's pool, on a share server of its network on beta; the old one stays on alpha
    const after = await client.getShare(before.id);
    expect([after.host, after.status]).toEqual([betaPool, 'available']);
    expect(after.shareServerId).not.toBe(oldServer);
    const servers = await client.listShareServers({ share_network: NETWORK });
    expect(servers.find((s) => s.id === after.shareServerId)).toMatchObject({ host: 'node1@beta', status: 'active' });
    expect(servers.find((s) => s.id === oldServer)).toMatchObject({ host: 'node1@alpha', status: 'active' });

    // AND a fresh refresh plans no change
    expect((await runCli(['refresh', '--out', path.join(dir, 'manila-placement.snapshot.json')], { cwd: dir })).code).toBe(0);
    const again = await runCli(['plan', '--detailed-exitcode', '--no-color'], { cwd: dir });
    expect(again.code).toBe(0);
  } finally {
    await client.close();
  }
});
