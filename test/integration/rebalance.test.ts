/**
 * Rebalancing against the real Manila behind the real Keystone: six share servers on
 * node1@alpha, rebalanced by count over alpha, beta and gamma, take exactly four migrations
 * and end two per host; planning again finds nothing to do.
 */
import { applyPlan } from '../../lib/apply/runner';
import type { ManilaClient } from '../../lib/manila/client';
import { plan } from '../../lib/plan/plan';
import type { MigrateEntry, Plan, RebalanceDeclaration } from '../../lib/plan/types';
import type { CloudSnapshot } from '../../lib/snapshot/model';
import { takeSnapshot } from '../../lib/snapshot/refresh';
import { clientFor, resetTestbed } from '../helper/testbed';
import { rebalance } from '../unit/plan/declarations';

jest.setTimeout(600_000);

const HOSTS = ['node1@alpha', 'node1@beta', 'node1@gamma'];

const byCount: RebalanceDeclaration = rebalance({ path: 'test/rebalance', hosts: HOSTS });

let client: ManilaClient;

/** Active share servers per host. */
function perHost(s: CloudSnapshot): Record<string, number> {
  const out: Record<string, number> = Object.fromEntries(HOSTS.map((h) => [h, 0]));
  for (const srv of s.shareServers) if (srv.status === 'active') out[srv.host] = (out[srv.host] ?? 0) + 1;
  return out;
}

const migrations = (p: Plan): MigrateEntry[] => p.entries.filter((e): e is MigrateEntry => e.action === 'migrate');

beforeAll(() => {
  resetTestbed();
  client = clientFor('testbed');
});
afterAll(async () => {
  await client.close();
});

test('six servers on alpha, rebalanced by count over alpha, beta and gamma: exactly four moves, 2/2/2, then nothing to do', async () => {
  // GIVEN six share servers on node1@alpha
  const before = await takeSnapshot(client);
  expect(perHost(before)).toEqual({ 'node1@alpha': 6, 'node1@beta': 0, 'node1@gamma': 0 });

  // WHEN the rebalance is planned
  const p = plan([byCount], before);
  const moves = migrations(p);
  expect(moves).toHaveLength(4);
  expect(moves.every((e) => e.from === 'node1@alpha')).toBe(true);
  expect(moves.filter((e) => e.to === 'node1@beta')).toHaveLength(2);
  expect(moves.filter((e) => e.to === 'node1@gamma')).toHaveLength(2);
  expect(moves.every((e) => /^balance server-count: node1@alpha \d→\d, node1@(beta|gamma) \d→\d$/.test(e.why ?? ''))).toBe(true);
  expect(p.rebalance?.[0]).toMatchObject({ moves: 4, balanced: true, spread: { before: 6, after: 0 } });
  expect(p.rebalance?.[0].hosts.map((h) => [h.host, h.before, h.after])).toEqual([
    ['node1@alpha', 6, 2],
    ['node1@beta', 0, 2],
    ['node1@gamma', 0, 2],
  ]);

  // AND its moves are run, four at a time
  const t0 = Date.now();
  const r = await applyPlan(p, client, { pollIntervalMs: 500, parallel: 4, verifyTimeoutMs: 120_000 });
   
  console.log(`rebalance: 4 moves in ${((Date.now() - t0) / 1000).toFixed(1)} s wall; per move ${r.results.map((x) => `${x.elapsed.toFixed(1)} s`).join(', ')}`);

  // THEN every move is done, and the servers sit two per host
  expect(r.results.map((x) => [x.key, x.phase]).sort()).toEqual(moves.map((e) => [e.key, 'done']).sort());
  expect(r.results.every((x) => x.newServerId !== undefined && x.newServerId !== x.server)).toBe(true);
  expect(r.exitCode).toBe(0);
  const after = await takeSnapshot(client);
  expect(perHost(after)).toEqual({ 'node1@alpha': 2, 'node1@beta': 2, 'node1@gamma': 2 });

  // AND planning again shows nothing to do
  const again = plan([byCount], after);
  expect(migrations(again)).toEqual([]);
  expect(again.entries).toEqual([]);
  expect(again.rebalance?.[0]).toMatchObject({ moves: 0, balanced: true, stop: 'balanced', spread: { before: 0, after: 0 } });
});
