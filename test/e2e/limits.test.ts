/**
 * Limits that hold across runner processes: they count migrations in flight as Manila shows
 * them, under an inter-process lock. Checked against Manila's own records, polled while the
 * runners work, and against what Manila received (a recording proxy counts the starts).
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { jsonLines, makeApp, runCli, spawnCli } from '../helper/cli';
import { watchInFlight } from '../helper/inflight';
import { RecordingProxy } from '../helper/proxy';
import { clientFor, manilaUrl, REPO, resetTestbed, serverOfNetwork, testbedEnv } from '../helper/testbed';

jest.setTimeout(600_000);

const NETS = ['mp-sn-1', 'mp-sn-2', 'mp-sn-3', 'mp-sn-4', 'mp-sn-5', 'mp-sn-6'];
const target = (net: string): string => (Number(net.slice(-1)) % 2 ? 'node1@beta' : 'node1@gamma');

let proxy: RecordingProxy;
const admin = clientFor('testbed', { maxRequestRate: Infinity });

beforeAll(async () => {
  proxy = await new RecordingProxy(manilaUrl()).start();
});
afterAll(async () => {
  await proxy.stop();
  await admin.close();
});

/** The app's plan through the proxy (the runners must use the endpoint the plan names). */
async function planThroughProxy(dir: string): Promise<{ file: string; keys: string[]; servers: Map<string, string> }> {
  const r = await runCli(['plan', '--json', '--os-endpoint-override', `${proxy.url}/v2`], { cwd: dir });
  expect(r.code).toBe(0);
  const p = JSON.parse(r.stdout).plans[0] as {
    file: string;
    entries: Array<{ key: string; action: string; server: { id: string; shareNetworkName: string } }>;
  };
  const moves = p.entries.filter((e) => e.action === 'migrate');
  return { file: p.file, keys: moves.map((e) => e.key), servers: new Map(moves.map((e) => [e.server.shareNetworkName, e.server.id])) };
}

function placements(nets: readonly string[]): string {
  return nets.map((n) => `new ShareServerPlacement(stack, '${n}', { shareNetwork: '${n}', host: '${target(n)}' });`).join('\n');
}

async function expectAllOnTarget(nets: readonly string[]): Promise<void> {
  for (const n of nets) expect({ net: n, host: (await serverOfNetwork(admin, n)).host }).toEqual({ net: n, host: target(n) });
}

test('two apply processes at once, --parallel 2 each, on halves of one plan: Manila never shows more than 2 in flight, one start per server', async () => {
  resetTestbed();
  const dir = makeApp('limits-halves', placements(NETS));
  const { file, keys, servers } = await planThroughProxy(dir);
  expect(keys).toHaveLength(6);
  const watch = watchInFlight(admin);
  const common = ['apply', '--plan', file, '--auto-approve', '--json', '--parallel', '2', '--poll-interval', '1', '--os-endpoint-override', `${proxy.url}/v2`];
  const a = spawnCli([...common, '--move', ...keys.slice(0, 3), '--journal', path.join(dir, 'a.jsonl')], { cwd: dir });
  const b = spawnCli([...common, '--move', ...keys.slice(3), '--journal', path.join(dir, 'b.jsonl')], { cwd: dir });
  const [ra, rb] = await Promise.all([a.done, b.done]);
  const peaks = await watch.stop();
  expect({ a: ra.code, b: rb.code, stderr: ra.stderr + rb.stderr }).toEqual({ a: 0, b: 0, stderr: '' });
   
  console.log(`two runners, --parallel 2 each: at most ${peaks.total} in flight over ${peaks.polls} polls of Manila`);
  expect(peaks.polls).toBeGreaterThan(10);
  expect(peaks.total).toBe(2); // the limit was reached, and never exceeded
  for (const id of servers.values()) expect({ id, starts: proxy.actionCount('migration_start', id) }).toEqual({ id, starts: 1 });
  await expectAllOnTarget(NETS);
});

test('two apply processes on the same moves at once: each server gets exactly one start and one complete, and both runs report it done', async () => {
  resetTestbed();
  const nets = NETS.slice(0, 3);
  const dir = makeApp('limits-same', placements(nets));
  const { file, servers } = await planThroughProxy(dir);
  const common = ['apply', '--plan', file, '--auto-approve', '--json', '--parallel', '6', '--poll-interval', '1', '--os-endpoint-override', `${proxy.url}/v2`];
  const a = spawnCli([...common, '--journal', path.join(dir, 'a.jsonl')], { cwd: dir });
  const b = spawnCli([...common, '--journal', path.join(dir, 'b.jsonl')], { cwd: dir });
  const [ra, rb] = await Promise.all([a.done, b.done]);
  for (const r of [ra, rb]) {
    const summary = jsonLines(r.stdout).find((l) => l.type === 'summary') as { results: Array<{ phase: string }> };
    expect({ code: r.code, phases: summary.results.map((x) => x.phase), stderr: r.stderr }).toEqual({ code: 0, phases: ['done', 'done', 'done'], stderr: '' });
  }
  for (const id of servers.values()) {
    expect({ id, starts: proxy.actionCount('migration_start', id), completes: proxy.actionCount('migration_complete', id) }).toEqual({ id, starts: 1, completes: 1 });
  }
  await expectAllOnTarget(nets);
});

const terraform = spawnSync('sh', ['-c', 'command -v terraform'], { encoding: 'utf8' }).stdout.trim();
const deployTest = terraform ? test : test.skip;
if (!terraform) {
   
  console.warn('SKIPPED: the cdktf deploy limits test needs a terraform binary on PATH (none here)');
}

deployTest('cdktf deploy (terraform_data) of an evacuation of six servers with stack limit parallel: 2: never more than 2 in flight, one start each', async () => {
  resetTestbed();
  const dir = makeApp('limits-deploy', `new HostEvacuation(stack, 'alpha', { host: 'node1@alpha', targets: ['node1@beta', 'node1@gamma'] });`, `{ resourceType: 'terraform_data', cloud: 'testbed', parallel: 2 }`);
  const env = { ...testbedEnv(), OS_SHARED_FILE_SYSTEM_ENDPOINT_OVERRIDE: `${proxy.url}/v2` };
  const { servers } = await planThroughProxy(dir);
  expect(servers.size).toBe(6);
  const cdktf = path.join(REPO, 'node_modules', '.bin', 'cdktf');
  const watch = watchInFlight(admin);
  // Terraform runs up to 10 local-execs at once (its default -parallelism): six runners here.
  const deploy = await new Promise<{ code: number | null; out: string }>((resolve) => {
    const child = spawn(cdktf, ['deploy', '--auto-approve'], { cwd: dir, env: { ...env, TF_IN_AUTOMATION: '1' } });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d));
    child.stderr.on('data', (d: Buffer) => (out += d));
    child.on('close', (code: number | null) => resolve({ code, out }));
  });
  const peaks = await watch.stop();
  expect({ code: deploy.code, tail: deploy.code === 0 ? '' : deploy.out.slice(-3000) }).toEqual({ code: 0, tail: '' });
   
  console.log(`cdktf deploy, six local-execs, stack parallel 2: at most ${peaks.total} in flight over ${peaks.polls} polls`);
  expect(peaks.total).toBe(2);
  for (const id of servers.values()) expect({ id, starts: proxy.actionCount('migration_start', id) }).toEqual({ id, starts: 1 });
  for (const n of NETS) expect(['node1@beta', 'node1@gamma']).toContain((await serverOfNetwork(admin, n)).host);
  fs.rmSync(path.join(dir, 'terraform.limits-deploy.tfstate'), { force: true });
});
