/**
 * Share migration, as an operator on backends without share servers runs it: the test bed's
 * node1@delta and node1@epsilon (dummy driver, driver_handles_share_servers = False) hold the
 * flat fixtures mp-flat-1..4, each with an access rule, the odd ones with a snapshot. The CLI
 * evacuates delta two at a time, a cancel lands in phase 1, a runner is SIGKILLed and resumed,
 * `--no-wait` passes bring the shares back, and one limit holds a share server move and a
 * share move together.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ManilaClient } from '../../lib/manila/client';
import { resolveCloudConfig } from '../../lib/manila/config';
import type { Share } from '../../lib/manila/types';
import { pathsOf } from '../../lib/apply/verify';
import { serializePlan } from '../../lib/plan/file';
import { plan } from '../../lib/plan/plan';
import { takeSnapshot } from '../../lib/snapshot/refresh';
import { jsonLines, makeApp, runCli, spawnCli } from '../helper/cli';
import { RecordingProxy } from '../helper/proxy';
import { clientFor, manilaUrl, resetTestbed, serverOfNetwork, testbed, waitFor } from '../helper/testbed';

jest.setTimeout(600_000);

type Ev = Record<string, unknown>;
interface Flat {
  readonly host: string;
  readonly hosts: string[];
  readonly shares: Array<{ id: string; name: string; snapshot: { id: string } | null; access_rule: { id: string } | null }>;
}

const SOURCE = 'node1@delta';
const TARGET = 'node1@epsilon';
let flat: Flat;
let pools: Record<string, string[]>;
const poolOf = (host: string): string => pools[host][0];
const admin = (): ManilaClient => clientFor();

async function flatShares(client: ManilaClient): Promise<Share[]> {
  const ids = new Set(flat.shares.map((s) => s.id));
  return (await client.listShares()).filter((s) => ids.has(s.id)).sort((a, b) => (a.name ?? '').localeCompare(b.name ?? ''));
}

/** The largest number of moves at once in phase 1 or the switchover, from the runner's events. */
function maxInFlight(events: Ev[]): number {
  const phase = new Map<string, string>();
  let max = 0;
  for (const e of events) {
    if (e.type !== 'move' || typeof e.phase !== 'string') continue;
    phase.set(e.key as string, e.phase);
    max = Math.max(max, [...phase.values()].filter((p) => p === 'phase1' || p === 'completing').length);
  }
  return max;
}

interface Result {
  readonly key: string;
  readonly phase: string;
  readonly code?: string;
  readonly server: string;
  readonly exportLocations?: Array<{ before?: string[]; after?: string[]; changed: boolean }>;
}
const summaryOf = (stdout: string): { results: Result[] } => jsonLines(stdout).find((l) => l.type === 'summary') as never;

beforeAll(() => {
  const facts = resetTestbed();
  flat = facts.flat as Flat;
  pools = facts.pools as Record<string, string[]>;
});

test('a Rebalance of delta and epsilon plans, on the real snapshot, two of the four shares to a pool of epsilon, and explains it in shares', async () => {
  const dir = makeApp('share-rebalance', `new Rebalance(stack, 'flat', { hosts: ['${SOURCE}', '${TARGET}'], writable: true, preserveSnapshots: true });`);
  expect((await runCli(['refresh', '--out', path.join(dir, 'manila-placement.snapshot.json')], { cwd: dir })).code).toBe(0);
  const p = await runCli(['plan', '--no-color', '--json'], { cwd: dir });
  expect(p.code).toBe(0);
  type PlanOut = { entries: Array<{ action: string; server: { resource?: string }; to?: string }>; rebalance: Array<Record<string, unknown>> };
  const [out] = (JSON.parse(p.stdout) as { plans: PlanOut[] }).plans;
  const moves = out.entries.filter((e) => e.action === 'migrate');
  expect(moves.map((e) => [e.server.resource, e.to])).toEqual([
    ['share', poolOf(TARGET)],
    ['share', poolOf(TARGET)],
  ]);
  expect(out.rebalance).toEqual([expect.objectContaining({ resource: 'share', moves: 2, balanced: true, spread: { before: 4, after: 0 } })]);
  const text = await runCli(['plan', '--no-color'], { cwd: dir });
  expect(text.stdout).toMatch(/Rebalance share-rebalance\/flat \(server-count, shares\): 2 moves; spread 4 shares -> 0 shares/);
});

test('a host of 4 shares is evacuated 2 at a time: rules and snapshots kept, new export locations reported', async () => {
  const dir = makeApp('share-evacuate', `new HostEvacuation(stack, 'delta', { host: '${SOURCE}', targets: ['${TARGET}'], writable: true, preserveSnapshots: true });`);
  const client = admin();
  try {
    // GIVEN the four flat shares on delta's pool, with their rules, snapshots and export paths
    const before = await flatShares(client);
    const home = flat.shares.map((s) => [s.name, poolOf(SOURCE), 'available']);
    expect(before.map((s) => [s.name, s.host, s.status])).toEqual(home);
    const rules = new Map(await Promise.all(before.map(async (s) => [s.id, (await client.listAccessRules(s.id)).map((r) => r.id).sort()] as const)));
    const snapsOf = async (s: Share): Promise<readonly [string, string[]]> => {
      const list = await client.listSnapshots({ share_id: s.id });
      return [s.id, list.map((x) => x.id).sort()] as const;
    };
    const snaps = new Map(await Promise.all(before.map(snapsOf)));
    const exportsOf = async (s: Share): Promise<readonly [string, string[]]> => [s.id, pathsOf(await client.listExportLocations(s.id))] as const;
    const exportsBefore = new Map(await Promise.all(before.map(exportsOf)));
    expect([...snaps.values()].map((x) => x.length)).toEqual([1, 0, 1, 0]);

    // WHEN the operator refreshes and plans
    expect((await runCli(['refresh', '--out', path.join(dir, 'manila-placement.snapshot.json')], { cwd: dir })).code).toBe(0);
    const p = await runCli(['plan', '--detailed-exitcode', '--no-color'], { cwd: dir });
    expect(p.stderr).toBe('');
    expect(p.code).toBe(2);
    // THEN the plan names the shares and their pools
    expect(p.stdout).toContain(`Moves: 4 shares in 1 group`);
    expect(p.stdout).toContain(`  ${poolOf(SOURCE)} -> ${poolOf(TARGET)}: 4 shares`);
    for (const s of flat.shares) expect(p.stdout).toContain(`~ share ${s.name} (${s.id}): ${poolOf(SOURCE)} -> ${poolOf(TARGET)}`);

    // WHEN it applies them two at a time
    const apply = await runCli(['apply', '--auto-approve', '--json', '--parallel', '2', '--poll-interval', '1'], { cwd: dir });
    expect(apply.stderr).toBe('');
    expect(apply.code).toBe(0);
    const events = jsonLines(apply.stdout);
    // THEN never more than two ran at once, and the others waited for the limit
    expect(maxInFlight(events)).toBe(2);
    expect(events.some((e) => e.phase === 'queued' && /2 migrations in flight in the cloud, limit 2 \(parallel\)/.test(String(e.waiting ?? '')))).toBe(true);
    const summary = summaryOf(apply.stdout);
    expect(summary.results.map((r) => r.phase)).toEqual(['done', 'done', 'done', 'done']);

    // AND every share is on epsilon's pool with the same rules and snapshots, and new export paths
    const after = await flatShares(client);
    for (const s of after) {
      expect({ name: s.name, host: s.host, status: s.status, task: s.taskState }).toEqual({ name: s.name, host: poolOf(TARGET), status: 'available', task: 'migration_success' });
      const r = await client.listAccessRules(s.id);
      expect({ name: s.name, rules: r.map((x) => x.id).sort(), states: r.map((x) => x.state) }).toEqual({ name: s.name, rules: rules.get(s.id), states: r.map(() => 'active') });
      const sn = await client.listSnapshots({ share_id: s.id });
      expect({ name: s.name, snaps: sn.map((x) => x.id).sort(), states: sn.map((x) => x.status) }).toEqual({ name: s.name, snaps: snaps.get(s.id), states: sn.map(() => 'available') });
      const now = pathsOf(await client.listExportLocations(s.id));
      expect(now).not.toEqual(exportsBefore.get(s.id));
      const reported = summary.results.find((x) => x.server === s.id)?.exportLocations?.[0];
      expect(reported).toMatchObject({ before: exportsBefore.get(s.id), after: now, changed: true });
    }

    // AND planning again finds nothing to do
    expect((await runCli(['refresh', '--out', path.join(dir, 'manila-placement.snapshot.json')], { cwd: dir })).code).toBe(0);
    const again = await runCli(['plan', '--detailed-exitcode', '--no-color'], { cwd: dir });
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('No changes.');
  } finally {
    await client.close();
  }
});

test('a cancel during phase 1 leaves the share on its pool, and the runner reports it cancelled', async () => {
  const share = flat.shares[0];
  const dir = makeApp('share-cancel', `new SharePlacement(stack, 'back', { shares: ['${share.name}'], pool: '${poolOf(SOURCE)}', writable: true, preserveSnapshots: true });`);
  expect((await runCli(['refresh', '--out', path.join(dir, 'manila-placement.snapshot.json')], { cwd: dir })).code).toBe(0);
  const run = spawnCli(['apply', '--auto-approve', '--json', '--poll-interval', '1'], { cwd: dir });
  await run.waitForJson((e) => e.type === 'move' && e.phase === 'phase1' && e.taskState === 'migration_driver_in_progress');
  // WHEN the operator cancels it with the tool, by the share's id
  const cancel = await runCli(['cancel', share.id, '--json']);
  expect(cancel.code).toBe(0);
  expect(JSON.parse(cancel.stdout).cancelled).toEqual([expect.objectContaining({ serverId: share.id, outcome: 'cancelled' })]);
  // THEN the runner ends that move as cancelled (exit 3), and the share is back where it was
  const done = await run.done;
  const client = admin();
  try {
    expect(summaryOf(done.stdout).results).toEqual([expect.objectContaining({ phase: 'cancelled', code: 'MP_CANCELLED' })]);
    expect(done.code).toBe(3);
    const s = await client.getShare(share.id);
    expect({ host: s.host, status: s.status, task: s.taskState }).toEqual({ host: poolOf(TARGET), status: 'available', task: 'migration_cancelled' });
    expect((await client.listShareInstances(share.id)).map((i) => i.status)).toEqual(['available']);
    expect((await client.listAccessRules(share.id)).map((r) => r.state)).toEqual(['active']);
    // AND a new plan does not undo the cancel
    expect((await runCli(['refresh', '--out', path.join(dir, 'manila-placement.snapshot.json')], { cwd: dir })).code).toBe(0);
    const p = await runCli(['plan', '--no-color'], { cwd: dir });
    expect(p.stdout).toContain('LAST_MIGRATION_CANCELLED');
    // AND doctor reads the mark, with its evidence, and --fix clears it (the operator's "move it again")
    const doc = await runCli(['doctor', share.id, '--json']);
    expect(doc.code).toBe(2);
    expect(JSON.parse(doc.stdout).servers).toEqual([expect.objectContaining({ kind: 'share', server: share.id, verdict: 'cancelled-mark' })]);
    const fix = await runCli(['doctor', share.id, '--fix', '--auto-approve']);
    expect(fix.stdout).toContain('done: clear the mark; now healthy');
    expect(fix.code).toBe(0);
    expect((await client.getShare(share.id)).taskState).toBeUndefined();
  } finally {
    // The next tests need the mark cleared, even when an assertion above failed.
    const s = await client.getShare(share.id);
    if (s.taskState === 'migration_cancelled' || s.taskState === 'migration_error') await client.resetTaskState(share.id, null, 'share');
    await client.close();
  }
});

test('SIGKILL during phase 1, then apply again: one start and one complete reach Manila, and the share arrives', async () => {
  const share = flat.shares[0];
  const proxy = await new RecordingProxy(manilaUrl()).start();
  const via = ['--os-endpoint-override', `${proxy.url}/v2`];
  const config = resolveCloudConfig({ cloud: 'testbed', endpointOverride: `${proxy.url}/v2` }, { env: { OS_CLIENT_CONFIG_FILE: testbed().clouds_yaml } });
  const client = new ManilaClient({ config });
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'mp-share-kill-'));
  try {
    const snap = await takeSnapshot(client);
    const flags = { writable: true, nondisruptive: false, preserveSnapshots: true };
    const p = plan([{ kind: 'placement', path: 'kill/back', select: { shares: [share.name] }, resource: 'share', host: poolOf(SOURCE), flags, completion: 'auto' }], snap);
    expect(p.summary.migrate).toBe(1);
    const file = path.join(work, 'plan.json');
    fs.writeFileSync(file, serializePlan(p));
    const args = ['apply', ...via, '--plan', file, '--json', '--poll-interval', '0.5', '--journal', path.join(work, 'journal.jsonl')];
    const first = spawnCli(args);
    await first.waitForJson((e) => e.type === 'move' && e.phase === 'phase1' && e.taskState === 'migration_driver_in_progress');
    first.child.kill('SIGKILL');
    expect((await first.done).signal).toBe('SIGKILL');
    const again = await runCli(args);
    expect({ code: again.code, stderr: again.stderr }).toEqual({ code: 0, stderr: '' });
    expect(summaryOf(again.stdout).results).toEqual([expect.objectContaining({ phase: 'done' })]);
    expect({ starts: proxy.actionCount('migration_start', share.id), completes: proxy.actionCount('migration_complete', share.id) }).toEqual({ starts: 1, completes: 1 });
    const s = await client.getShare(share.id);
    expect({ host: s.host, status: s.status }).toEqual({ host: poolOf(SOURCE), status: 'available' });
  } finally {
    await client.close();
    await proxy.stop();
  }
});

test('--no-wait passes in a loop bring the shares back to delta, each pass short', async () => {
  const dir = makeApp('share-no-wait', `new HostEvacuation(stack, 'epsilon', { host: '${TARGET}', targets: ['${SOURCE}'], writable: true, preserveSnapshots: true });`);
  expect((await runCli(['refresh', '--out', path.join(dir, 'manila-placement.snapshot.json')], { cwd: dir })).code).toBe(0);
  const codes: number[] = [];
  const seconds: number[] = [];
  for (let pass = 0; pass < 40; pass++) {
    const t0 = Date.now();
    const r = await runCli(['apply', '--auto-approve', '--no-wait', '--json', '--parallel', '2'], { cwd: dir });
    seconds.push((Date.now() - t0) / 1000);
    codes.push(r.code ?? -1);
    expect(r.stderr).toBe('');
    if (r.code === 0) break;
    expect(r.code).toBe(4); // INCOMPLETE: moves still running in Manila
    await new Promise((res) => setTimeout(res, 2000));
  }
  console.log(`share --no-wait passes: exit codes ${codes.join(', ')}; seconds ${seconds.map((s) => s.toFixed(1)).join(', ')}`);
  expect(codes[codes.length - 1]).toBe(0);
  expect(codes.length).toBeGreaterThan(1);
  const client = admin();
  try {
    expect((await flatShares(client)).map((s) => [s.name, s.host, s.status])).toEqual(flat.shares.map((s) => [s.name, poolOf(SOURCE), 'available']));
  } finally {
    await client.close();
  }
});

test('one limit over both kinds: a share server move and a share move under --parallel 1 run one after the other', async () => {
  const share = flat.shares[1];
  const dir = makeApp(
    'share-mixed',
    `new ShareServerPlacement(stack, 'server', { shareNetwork: 'mp-sn-2', host: 'node1@beta' });\n` +
      `new SharePlacement(stack, 'share', { shares: ['${share.name}'], pool: '${poolOf(TARGET)}', writable: true });`,
  );
  expect((await runCli(['refresh', '--out', path.join(dir, 'manila-placement.snapshot.json')], { cwd: dir })).code).toBe(0);
  const p = await runCli(['plan', '--no-color'], { cwd: dir });
  expect(p.stdout).toContain('Moves: 2 moves (1 share server, 1 share)');
  const apply = await runCli(['apply', '--auto-approve', '--json', '--parallel', '1', '--poll-interval', '1'], { cwd: dir });
  expect(apply.stderr).toBe('');
  expect(apply.code).toBe(0);
  const events = jsonLines(apply.stdout);
  expect(maxInFlight(events)).toBe(1);
  expect(events.some((e) => e.phase === 'queued' && /1 migration in flight in the cloud, limit 1 \(parallel\)/.test(String(e.waiting ?? '')))).toBe(true);
  expect(summaryOf(apply.stdout).results.map((r) => r.phase)).toEqual(['done', 'done']);
  const client = admin();
  try {
    expect((await client.getShare(share.id)).host).toBe(poolOf(TARGET));
  } finally {
    await client.close();
  }
});

test('a run that moves only share servers counts a share migration someone else started: under --parallel 1 its move waits', async () => {
  const share = flat.shares[2];
  const client = admin();
  const dir = makeApp('share-foreign', `new ShareServerPlacement(stack, 'server', { shareNetwork: 'mp-sn-3', host: 'node1@beta' });`);
  try {
    expect((await runCli(['refresh', '--out', path.join(dir, 'manila-placement.snapshot.json')], { cwd: dir })).code).toBe(0);
    const before = (await serverOfNetwork(client, 'mp-sn-3')).host;
    // GIVEN a share migration started by hand (as `openstack share migration start` would)
    await client.migrationStart(share.id, { host: poolOf(TARGET), writable: true, nondisruptive: false, preserveSnapshots: true, newShareNetworkId: null }, 'share');
    // WHEN a run whose plan holds only a share server move makes a short pass under --parallel 1
    const pass = await runCli(['apply', '--auto-approve', '--no-wait', '--json', '--parallel', '1'], { cwd: dir });
    expect(pass.stderr).toBe('');
    // THEN its move waits behind the share's migration, and nothing starts
    const events = jsonLines(pass.stdout);
    expect(events.some((e) => e.phase === 'queued' && /1 migration in flight in the cloud, limit 1 \(parallel\)/.test(String(e.waiting ?? '')))).toBe(true);
    expect(events.some((e) => e.phase === 'phase1')).toBe(false);
    expect((await serverOfNetwork(client, 'mp-sn-3')).host).toBe(before);
  } finally {
    // The hand-started migration is cancelled and its mark cleared, for the test beds' next user.
    await waitFor('the share in phase 1', async () => (['migration_driver_in_progress', 'migration_driver_phase1_done'].includes((await client.getShare(share.id)).taskState ?? '') ? true : undefined), 120_000, 1_000);
    await client.migrationCancel(share.id, 'share');
    await waitFor('the cancel', async () => ((await client.getShare(share.id)).taskState === 'migration_cancelled' ? true : undefined), 120_000, 1_000);
    await client.resetTaskState(share.id, null, 'share');
    await client.close();
  }
});
