/**
 * The crash matrix: the CLI runner is SIGKILLed after each step of a migration, then apply runs
 * again. Every case converges: each share is available on its intended host with its access
 * rules and snapshots, Manila received one start and one complete per server, and no server is
 * left migrating or in error. The six cases run at once, each on its own server and proxy.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ManilaClient } from '../../lib/manila/client';
import { resolveCloudConfig } from '../../lib/manila/config';
import { serializePlan } from '../../lib/plan/file';
import { plan } from '../../lib/plan/plan';
import { takeSnapshot } from '../../lib/snapshot/refresh';
import { jsonLines, runCli, spawnCli } from '../helper/cli';
import { addFigure } from '../helper/figures';
import { type FaultRule, RecordingProxy } from '../helper/proxy';
import { clientFor, manilaUrl, resetTestbed, serverOfNetwork, testbed } from '../helper/testbed';

jest.setTimeout(600_000);

type Ev = Record<string, unknown>;

interface CrashCase {
  readonly name: string;
  readonly net: string;
  /** Held or slowed requests, so that the kill lands exactly between two steps. */
  readonly faults?: FaultRule;
  /** The event after which the runner is killed. */
  readonly killAt: (e: Ev) => boolean;
  /** Extra wait between the event and the kill, in ms. */
  readonly after?: number;
}

const isMove = (e: Ev, phase: string) => e.type === 'move' && e.phase === phase;

const CASES: CrashCase[] = [
  { name: 'after check (start held, never reaches Manila)', net: 'mp-sn-1', faults: (r) => (r.action === 'migration_start' ? { kind: 'hold', ms: 3000 } : undefined), killAt: (e) => isMove(e, 'starting') },
  { name: 'right after start was sent (answer delayed)', net: 'mp-sn-2', faults: (r) => (r.action === 'migration_start' ? { kind: 'delay', ms: 4000 } : undefined), killAt: (e) => isMove(e, 'starting'), after: 1500 },
  { name: 'during phase 1', net: 'mp-sn-3', killAt: (e) => isMove(e, 'phase1') && e.taskState === 'migration_driver_in_progress' },
  { name: 'at phase 1 done (complete held, never reaches Manila)', net: 'mp-sn-4', faults: (r) => (r.action === 'migration_complete' ? { kind: 'hold', ms: 3000 } : undefined), killAt: (e) => isMove(e, 'completing') },
  { name: 'right after complete was sent (answer delayed)', net: 'mp-sn-5', faults: (r) => (r.action === 'migration_complete' ? { kind: 'delay', ms: 4000 } : undefined), killAt: (e) => isMove(e, 'completing'), after: 1500 },
  { name: 'while waiting for the destination', net: 'mp-sn-6', killAt: (e) => (isMove(e, 'completing') && e.taskState === 'migration_completing') || isMove(e, 'verifying') },
];

const TARGET = 'node1@beta';

async function runCase(c: CrashCase, workdir: string): Promise<void> {
  const proxy = await new RecordingProxy(manilaUrl()).start();
  const via = ['--os-endpoint-override', `${proxy.url}/v2`];
  const config = resolveCloudConfig({ cloud: 'testbed', endpointOverride: `${proxy.url}/v2` }, { env: { OS_CLIENT_CONFIG_FILE: testbed().clouds_yaml } });
  const client = new ManilaClient({ config });
  try {
    const snap = await takeSnapshot(client);
    const p = plan([{ kind: 'placement', path: `crash/${c.net}`, select: { shareNetwork: c.net }, host: TARGET, flags: { writable: false, nondisruptive: false, preserveSnapshots: true }, completion: 'auto' }], snap);
    const file = path.join(workdir, `${c.net}.plan.json`);
    fs.writeFileSync(file, serializePlan(p));
    const src = snap.shareServers.find((s) => s.shareNetworkName === c.net && s.status === 'active')!;

    proxy.faults(c.faults);
    const first = spawnCli(['apply', ...via, '--plan', file, '--json', '--poll-interval', '0.5', '--parallel', String(CASES.length), '--journal', path.join(workdir, `${c.net}.jsonl`)]);
    await first.waitForJson(c.killAt);
    if (c.after) await new Promise((r) => setTimeout(r, c.after));
    first.child.kill('SIGKILL');
    const killed = await first.done;
    expect({ case: c.name, signal: killed.signal }).toEqual({ case: c.name, signal: 'SIGKILL' });
    addFigure('crashes (SIGKILL)');

    proxy.faults(undefined);
    await new Promise((r) => setTimeout(r, 3000)); // let held requests expire
    const again = await runCli(['apply', ...via, '--plan', file, '--json', '--poll-interval', '0.5', '--parallel', String(CASES.length), '--journal', path.join(workdir, `${c.net}.jsonl`)]);
    const summary = jsonLines(again.stdout).find((l) => l.type === 'summary') as { results: Array<{ phase: string; message?: string }> } | undefined;
    expect({ case: c.name, code: again.code, phase: summary?.results[0].phase, stderr: again.stderr }).toEqual({ case: c.name, code: 0, phase: 'done', stderr: '' });
    expect({ case: c.name, starts: proxy.actionCount('migration_start', src.id), completes: proxy.actionCount('migration_complete', src.id) }).toEqual({ case: c.name, starts: 1, completes: 1 });
    addFigure('crashes survived');
  } finally {
    await client.close();
    await proxy.stop();
  }
}

beforeAll(() => {
  resetTestbed();
});

test('SIGKILL after each step, then apply again: all six converge', async () => {
  const workdir = fs.mkdtempSync(path.join(os.tmpdir(), 'mp-crash-'));
  const settled = await Promise.allSettled(CASES.map((c) => runCase(c, workdir)));
  const failed = settled.filter((x): x is PromiseRejectedResult => x.status === 'rejected');
  if (failed.length) throw failed[0].reason;

  // Every share is available on the intended host with its rules and snapshots; nothing is stuck.
  const admin = clientFor();
  try {
    for (const net of CASES.map((c) => c.net)) {
      const s = await serverOfNetwork(admin, net);
      expect({ net, host: s.host, status: s.status }).toEqual({ net, host: TARGET, status: 'active' });
      const shares = await admin.listShares({ share_server_id: s.id });
      expect(shares.length).toBe(1);
      expect(shares[0].status).toBe('available');
      for (const r of await admin.listAccessRules(shares[0].id)) expect(r.state).toBe('active');
      for (const sn of await admin.listSnapshots({ share_id: shares[0].id })) expect(sn.status).toBe('available');
    }
    const rules = await admin.listAccessRules(testbed().fixtures[0].share.id);
    expect(rules.map((r) => r.accessTo)).toEqual(['10.254.0.1']);
    expect(await admin.listShareServers({ status: 'server_migrating' })).toEqual([]);
    expect(await admin.listShareServers({ status: 'server_migrating_to' })).toEqual([]);
    expect(await admin.listShareServers({ status: 'error' })).toEqual([]);
  } finally {
    await admin.close();
  }
});
