/**
 * Short passes (`apply --no-wait`), as a CI schedule runs them: each pass starts what the
 * limits allow, completes what is ready and allowed, reports, and exits 4 while work remains
 * and 0 once every move is done. Safe after a SIGKILL at any point; the switchover waits for
 * its maintenance window.
 */
import * as path from 'node:path';
import { jsonLines, makeApp, runCli, spawnCli, type CliRun } from '../helper/cli';
import { RecordingProxy } from '../helper/proxy';
import { clientFor, manilaUrl, resetTestbed, serverOfNetwork } from '../helper/testbed';

jest.setTimeout(600_000);

let proxy: RecordingProxy;
const admin = clientFor('testbed', { maxRequestRate: Infinity });

beforeAll(async () => {
  proxy = await new RecordingProxy(manilaUrl()).start();
});
afterAll(async () => {
  await proxy.stop();
  await admin.close();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Summary = { results: Array<{ key: string; phase: string; message?: string }>; exitCode: number };
const summaryOf = (r: CliRun): Summary | undefined => jsonLines(r.stdout).find((l) => l.type === 'summary') as Summary | undefined;

async function planFile(dir: string): Promise<{ file: string; servers: string[] }> {
  const r = await runCli(['plan', '--json', '--os-endpoint-override', `${proxy.url}/v2`], { cwd: dir });
  expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
  const p = JSON.parse(r.stdout).plans[0] as { file: string; entries: Array<{ action: string; server: { id: string }; nextWindow?: unknown }> };
  return { file: p.file, servers: p.entries.filter((e) => e.action === 'migrate').map((e) => e.server.id) };
}

function pass(dir: string, file: string, n: number): ReturnType<typeof spawnCli> {
  return spawnCli(['apply', '--plan', file, '--no-wait', '--auto-approve', '--json', '--os-endpoint-override', `${proxy.url}/v2`, '--journal', path.join(dir, `pass-${n}.jsonl`)], { cwd: dir });
}

test('--no-wait passes in a loop until exit 0, one of them SIGKILLed mid-pass: every server converges, one start and one complete each', async () => {
  resetTestbed();
  const nets = ['mp-sn-1', 'mp-sn-2', 'mp-sn-3'];
  const dir = makeApp('passes', nets.map((n) => `new ShareServerPlacement(stack, '${n}', { shareNetwork: '${n}', host: 'node1@beta' });`).join('\n'));
  const { file, servers } = await planFile(dir);
  const codes: Array<number | null> = [];
  let killed = false;
  for (let n = 1; n <= 60; n++) {
    const run = pass(dir, file, n);
    if (n === 2 && !killed) {
      // Kill the second pass right as it acts (after its first decision is reported).
      await run.waitForJson((o) => o.type === 'move' && o.phase !== 'queued', 60_000).catch(() => undefined);
      run.child.kill('SIGKILL');
      killed = (await run.done).signal === 'SIGKILL';
      codes.push(null);
      continue;
    }
    const r = await run.done;
    codes.push(r.code);
    expect({ pass: n, stderr: r.stderr }).toEqual({ pass: n, stderr: '' });
    if (r.code === 0) break;
    expect({ pass: n, code: r.code }).toEqual({ pass: n, code: 4 });
    await sleep(3_000);
  }
   
  console.log(`--no-wait passes until done: exit codes ${codes.map((c) => c ?? 'SIGKILL').join(', ')}`);
  expect(killed).toBe(true);
  expect(codes[codes.length - 1]).toBe(0);
  expect(codes.length).toBeGreaterThan(3);
  for (const id of servers) expect({ id, starts: proxy.actionCount('migration_start', id), completes: proxy.actionCount('migration_complete', id) }).toEqual({ id, starts: 1, completes: 1 });
  for (const n of nets) expect((await serverOfNetwork(admin, n)).host).toBe('node1@beta');
});

test('a closed maintenance window stops the moves at phase 1 done (exit 4); once it opens the next pass completes them', async () => {
  resetTestbed();
  // A daily window that opens at the first whole minute at least 75 s from now (UTC), for 10 min.
  const opens = new Date(Math.ceil((Date.now() + 75_000) / 60_000) * 60_000);
  const cron = `${opens.getUTCMinutes()} ${opens.getUTCHours()} * * *`;
  const nets = ['mp-sn-4', 'mp-sn-5'];
  const decl = (n: string) => `new ShareServerPlacement(stack, '${n}', { shareNetwork: '${n}', host: 'node1@gamma', completion: { window: { cron: '${cron}', durationMinutes: 10, timezone: 'UTC' } } });`;
  const dir = makeApp('window', nets.map(decl).join('\n'));
  const text = await runCli(['plan', '--no-color'], { cwd: dir });
  expect(text.stdout).toContain(`next maintenance window opens ${opens.toISOString()}`);
  const { file, servers } = await planFile(dir);

  let sawAwaiting = false;
  let last: Summary | undefined;
  for (let n = 1; n <= 80; n++) {
    const r = await pass(dir, file, n).done;
    last = summaryOf(r);
    expect({ pass: n, stderr: r.stderr }).toEqual({ pass: n, stderr: '' });
    if (r.code === 0) break;
    expect({ pass: n, code: r.code }).toEqual({ pass: n, code: 4 });
    if (last?.results.every((x) => x.phase === 'awaiting-window')) {
      sawAwaiting = true;
      expect(Date.now()).toBeLessThan(opens.getTime() + 5_000);
      for (const id of servers) expect((await admin.getShareServer(id)).taskState).toBe('migration_driver_phase1_done');
      expect(last.results[0].message).toMatch(/waits for the next maintenance window, which opens/);
    }
    await sleep(5_000);
  }
  expect(sawAwaiting).toBe(true);
  expect(last?.results.map((x) => x.phase)).toEqual(['done', 'done']);
  // No switchover before the window opened.
  const completes = proxy.seen.filter((r) => r.action === 'migration_complete' && servers.some((id) => r.path.includes(id)));
  expect(completes).toHaveLength(2);
  for (const c of completes) expect(c.at).toBeGreaterThanOrEqual(opens.getTime());
  for (const n of nets) expect((await serverOfNetwork(admin, n)).host).toBe('node1@gamma');
});
