/**
 * The runner dies or is interrupted in the middle of a migration, and a rerun converges:
 * SIGKILL during phase 1 (Manila must receive exactly one migration_start), and Ctrl-C, which
 * detaches cleanly. Every call goes through a recording proxy so counts are what Manila received.
 */
import * as path from 'node:path';
import { jsonLines, makeApp, runCli, spawnCli } from '../helper/cli';
import { RecordingProxy } from '../helper/proxy';
import { clientFor, manilaUrl, resetTestbed, serverOfNetwork } from '../helper/testbed';

jest.setTimeout(420_000);

let proxy: RecordingProxy;
let via: string[];

beforeAll(async () => {
  resetTestbed();
  proxy = await new RecordingProxy(manilaUrl()).start();
  via = ['--os-endpoint-override', `${proxy.url}/v2`];
});
afterAll(() => proxy.stop());

async function planFile(name: string, body: string): Promise<string> {
  const dir = makeApp(name, body);
  const r = await runCli(['plan', ...via, '--no-color'], { cwd: dir });
  expect(r.code).toBe(0);
  return path.join(dir, 'cdktf.out', 'stacks', name, 'manila-placement.plan.json');
}

test('SIGKILL during phase 1, then apply again: converges, and Manila got exactly one migration_start', async () => {
  const file = await planFile('crash', `new ShareServerPlacement(stack, 'one', { shareNetwork: 'mp-sn-1', host: 'node1@beta' });`);
  const admin = clientFor();
  const src = await serverOfNetwork(admin, 'mp-sn-1');

  const first = spawnCli(['apply', ...via, '--plan', file, '--json', '--poll-interval', '0.5']);
  await first.waitForJson((o) => o.type === 'move' && o.phase === 'phase1');
  first.child.kill('SIGKILL');
  const killed = await first.done;
  expect(killed.signal).toBe('SIGKILL');
  expect((await admin.getShareServer(src.id)).status).toBe('server_migrating');

  const second = await runCli(['apply', ...via, '--plan', file, '--json', '--poll-interval', '0.5']);
  expect(second.code).toBe(0);
  const summary = jsonLines(second.stdout).find((l) => l.type === 'summary') as { results: Array<{ phase: string; newServerId: string }> };
  expect(summary.results[0].phase).toBe('done');
  expect(proxy.actionCount('migration_start', src.id)).toBe(1);
  expect(proxy.actionCount('migration_complete', src.id)).toBe(1);
  const now = await serverOfNetwork(admin, 'mp-sn-1');
  expect(now).toMatchObject({ host: 'node1@beta', id: summary.results[0].newServerId });

  // A third run has nothing to do and sends no POST.
  const before = proxy.seen.length;
  const third = await runCli(['apply', ...via, '--plan', file, '--json']);
  expect(third.code).toBe(0);
  expect(proxy.seen.slice(before).filter((r) => r.method === 'POST' && r.action)).toEqual([]);
  await admin.close();
});

test('Ctrl-C detaches (exit 4, Manila carries on); a rerun resumes and finishes', async () => {
  const file = await planFile('detach', `new ShareServerPlacement(stack, 'two', { shareNetwork: 'mp-sn-2', host: 'node1@gamma' });`);
  const admin = clientFor();
  const src = await serverOfNetwork(admin, 'mp-sn-2');
  const first = spawnCli(['apply', ...via, '--plan', file, '--json', '--poll-interval', '0.5']);
  // Once the driver runs, the destination record exists (status shows it).
  await first.waitForJson((o) => o.type === 'move' && o.phase === 'phase1' && o.taskState === 'migration_driver_in_progress');
  first.child.kill('SIGINT');
  const r1 = await first.done;
  expect(r1.code).toBe(4);
  expect(r1.stderr).toMatch(/detaching/);
  const sum1 = jsonLines(r1.stdout).find((l) => l.type === 'summary') as { results: Array<{ phase: string }> };
  expect(sum1.results[0].phase).toBe('detached');
  expect((await admin.getShareServer(src.id)).status).toBe('server_migrating');

  // While detached, `status` shows the migration in flight.
  const status = await runCli(['status', '--json']);
  const inflight = JSON.parse(status.stdout).migrations as Array<{ sourceId: string; destinationHost?: string; taskState: string }>;
  expect(inflight.find((m) => m.sourceId === src.id)).toMatchObject({ sourceId: src.id, destinationHost: 'node1@gamma' });
  const table = await runCli(['status']);
  expect(table.stdout).toMatch(new RegExp(`${src.id}\\s+node1@alpha\\s+\\S+\\s+node1@gamma\\s+migration_`));

  const r2 = await runCli(['apply', ...via, '--plan', file, '--json', '--poll-interval', '0.5']);
  expect(r2.code).toBe(0);
  expect(proxy.actionCount('migration_start', src.id)).toBe(1);
  expect((await serverOfNetwork(admin, 'mp-sn-2')).host).toBe('node1@gamma');
  await admin.close();
});

test('manila-placement cancel --host cancels what is migrating from that host and waits for Manila', async () => {
  const admin = clientFor();
  const src = await serverOfNetwork(admin, 'mp-sn-3');
  await admin.migrationStart(src.id, { host: 'node1@beta', writable: false, nondisruptive: false, preserveSnapshots: false, newShareNetworkId: null });
  // Manila allows a cancel once the driver phase began.
  for (let i = 0; i < 240; i++) {
    const t = (await admin.getShareServer(src.id)).taskState;
    if (t === 'migration_driver_in_progress' || t === 'migration_driver_phase1_done') break;
    await new Promise((r) => setTimeout(r, 500));
  }
  const r = await runCli(['cancel', '--host', src.host, '--json']);
  expect(r.code).toBe(0);
  expect(JSON.parse(r.stdout).cancelled).toEqual([expect.objectContaining({ serverId: src.id, outcome: 'cancelled' })]);
  expect(await admin.getShareServer(src.id)).toMatchObject({ status: 'active', taskState: 'migration_cancelled' });
  const none = await runCli(['cancel', src.id]);
  expect(none.code).toBe(3);
  expect(none.stdout).toMatch(/not-migrating/);
  await admin.close();
});
