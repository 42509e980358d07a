/**
 * The main job as an operator runs it: plan and apply examples/evacuate-alpha with the CLI
 * against the test bed, then plan again.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { jsonLines, runCli } from '../helper/cli';
import { holdDir } from '../helper/shared-dir';
import { REPO, resetTestbed, testbedSecrets } from '../helper/testbed';

jest.setTimeout(420_000);

const EVACUATE = path.join(REPO, 'examples', 'evacuate-alpha');
const MOVE_ONE = path.join(REPO, 'examples', 'move-one');

let release: () => Promise<void>;

beforeAll(async () => {
  // The examples are the repository's own: the Epoxy run of this file waits for the Zed run.
  release = await holdDir(path.join(REPO, 'examples'));
  resetTestbed();
  for (const dir of [EVACUATE, MOVE_ONE]) fs.rmSync(path.join(dir, '.manila-placement'), { recursive: true, force: true });
}, 900_000);
afterAll(() => release?.());

test('examples/move-one plans one migration to beta (exit 2 with --detailed-exitcode)', async () => {
  const r = await runCli(['plan', '--detailed-exitcode', '--no-color'], { cwd: MOVE_ONE });
  expect(r.stderr).toBe('');
  expect(r.code).toBe(2);
  expect(r.stdout).toMatch(/~ share server \S+ \(mp-sn-1\): node1@alpha -> node1@beta/);
  expect(r.stdout).toContain('Plan: 1 to migrate, 0 to resume, 0 in sync, 0 blocked');
  const json = await runCli(['plan', '--json', '--snapshot', path.join(MOVE_ONE, 'manila-placement.snapshot.json')], { cwd: MOVE_ONE });
  expect(JSON.parse(json.stdout).plans[0].summary.migrate).toBe(1);
});

test('examples/rebalance plans four moves to end 2/2/2, with each host\'s load before and after', async () => {
  const dir = path.join(REPO, 'examples', 'rebalance');
  const r = await runCli(['plan', '--detailed-exitcode', '--no-color'], { cwd: dir });
  expect(r.code).toBe(2);
  expect(r.stdout).toContain('Plan: 4 to migrate');
  const json = JSON.parse((await runCli(['plan', '--json', '--snapshot', path.join(dir, 'manila-placement.snapshot.json')], { cwd: dir })).stdout);
  const hosts = json.plans[0].rebalance[0].hosts as Array<{ host: string; before: number; after: number }>;
  expect(Object.fromEntries(hosts.map((h) => [h.host, [h.before, h.after]]))).toEqual({ 'node1@alpha': [6, 2], 'node1@beta': [0, 2], 'node1@gamma': [0, 2] });
});

test('examples/evacuate-alpha: plan shows every alpha server moving, apply moves them, plan again exits 0', async () => {
  // GIVEN six share servers on node1@alpha
  const plan = await runCli(['plan', '--detailed-exitcode', '--no-color'], { cwd: EVACUATE });
  expect(plan.code).toBe(2);
  // One line per move under its group (source -> destination, with its count).
  const moves = plan.stdout.split('\n').filter((l) => /~ share server .*: node1@alpha -> node1@/.test(l));
  expect(plan.stdout).toContain('  node1@alpha -> node1@beta: 3 share servers');
  expect(plan.stdout).toContain('  node1@alpha -> node1@gamma: 3 share servers');
  expect(moves).toHaveLength(6);
  expect(moves.filter((l) => l.endsWith('node1@beta'))).toHaveLength(3);
  expect(moves.filter((l) => l.endsWith('node1@gamma'))).toHaveLength(3);

  // WHEN apply runs them six at a time
  const apply = await runCli(['apply', '--auto-approve', '--json', '--parallel', '6', '--poll-interval', '1'], { cwd: EVACUATE });
  expect(apply.stderr).toBe('');
  expect(apply.code).toBe(0);
  const lines = jsonLines(apply.stdout);
  const summary = lines.find((l) => l.type === 'summary') as { results: Array<{ phase: string; newServerId: string; to: string; apiCalls: number }>; apiCalls: number };
  expect(summary.results).toHaveLength(6);
  expect(summary.results.every((r) => r.phase === 'done' && r.newServerId)).toBe(true);
   
  console.log(`evacuate-alpha: API calls per move ${summary.results.map((r) => r.apiCalls).join(', ')}; total ${summary.apiCalls}`);

  // THEN nothing is left on alpha, and planning again finds nothing to do
  const servers = await runCli(['servers', '--json']);
  const onAlpha = JSON.parse(servers.stdout).shareServers.filter((s: { host: string; status: string }) => s.host === 'node1@alpha' && s.status === 'active');
  expect(onAlpha).toEqual([]);
  const again = await runCli(['plan', '--detailed-exitcode', '--no-color'], { cwd: EVACUATE });
  expect(again.code).toBe(0);
  expect(again.stdout).toContain('No changes.');

  // AND nothing the tool wrote or printed holds a password, token or secret
  const journal = fs.readFileSync(path.join(EVACUATE, '.manila-placement', 'journal.jsonl'), 'utf8');
  const written = [plan.stdout, plan.stderr, apply.stdout, apply.stderr, journal, fs.readFileSync(path.join(EVACUATE, 'cdktf.out', 'stacks', 'evacuate-alpha', 'cdk.tf.json'), 'utf8')].join('\n');
  for (const secret of testbedSecrets()) expect(written).not.toContain(secret);
  expect(written).not.toMatch(/gAAAAA[\w-]{20,}/); // Fernet tokens
  expect(journal.split('\n').filter(Boolean).length).toBeGreaterThan(50);
});
