/**
 * Fault injection between the runner and the real manila-api / Keystone: 5xx answers, connection
 * resets and answers slower than the client's timeout, on every call type. For each: Manila
 * receives at most one migration_start (and complete) per server, the run converges or stops
 * resumable, and a rerun converges. Cases run six at a time, each on its own server and proxy.
 */
import { applyPlan } from '../../../lib/apply/runner';
import { cancelMigration } from '../../../lib/apply/cancel';
import type { MoveResult } from '../../../lib/apply/result';
import { ManilaClient } from '../../../lib/manila/client';
import { resolveCloudConfig } from '../../../lib/manila/config';
import { plan } from '../../../lib/plan/plan';
import type { Plan } from '../../../lib/plan/types';
import { takeSnapshot } from '../../../lib/snapshot/refresh';
import { addFigure } from '../../helper/figures';
import { type Fault, type FaultRule, RecordingProxy } from '../../helper/proxy';
import { clientFor, keystoneUrl, manilaUrl, resetTestbed, serverOfNetwork, testbed, waitFor } from '../../helper/testbed';

jest.setTimeout(600_000);

const MANILA = manilaUrl();
const KEYSTONE = keystoneUrl();
const NEXT: Record<string, string> = { 'node1@alpha': 'node1@beta', 'node1@beta': 'node1@gamma', 'node1@gamma': 'node1@alpha' };

interface Case {
  readonly name: string;
  /** Fault on Manila's side, given the server id. */
  readonly manila?: (serverId: string) => FaultRule;
  /** Fault on Keystone's side. */
  readonly keystone?: FaultRule;
  /** What the first run may end with (a rerun must then converge). */
  readonly firstRun: ReadonlyArray<MoveResult['phase']>;
}

/** A fault on one migration action of the case's server, by how many times it was seen. */
const onAction =
  (action: string, f: (nth: number) => Fault | undefined) =>
  (id: string): FaultRule =>
  (r) =>
    r.action === action && r.path.includes(id) ? f(r.nth) : undefined;
/** A fault on reads of the case's server. */
const onServerGets =
  (f: (nth: number) => Fault | undefined) =>
  (id: string): FaultRule =>
  (r) =>
    r.method === 'GET' && r.path.includes(`/share-servers/${id}`) ? f(r.nth) : undefined;

const SLOW = 10_000; // the client's timeout in these tests is 8 s
const CASES: Case[] = [
  { name: 'GET server: 503 three times', manila: onServerGets((n) => (n <= 3 ? { kind: 'status', status: 503 } : undefined)), firstRun: ['done'] },
  { name: 'GET server: connection reset twice', manila: onServerGets((n) => (n === 2 || n === 5 ? { kind: 'reset-before' } : undefined)), firstRun: ['done'] },
  { name: 'GET server: slower than the timeout', manila: onServerGets((n) => (n === 3 ? { kind: 'delay', ms: SLOW } : undefined)), firstRun: ['done'] },
  { name: 'check: 500 once (a read: retried)', manila: onAction('migration_check', (n) => (n === 1 ? { kind: 'status', status: 500 } : undefined)), firstRun: ['done'] },
  { name: 'check: answer lost (reset after Manila answered)', manila: onAction('migration_check', (n) => (n === 1 ? { kind: 'reset-after' } : undefined)), firstRun: ['done'] },
  { name: 'check: slower than the timeout', manila: onAction('migration_check', (n) => (n === 1 ? { kind: 'delay', ms: SLOW } : undefined)), firstRun: ['done'] },
  { name: 'start: 503 before it reaches Manila', manila: onAction('migration_start', (n) => (n === 1 ? { kind: 'status', status: 503 } : undefined)), firstRun: ['failed'] },
  { name: 'start: accepted, then the connection reset before the answer', manila: onAction('migration_start', (n) => (n === 1 ? { kind: 'reset-after' } : undefined)), firstRun: ['done'] },
  { name: 'start: accepted, answer slower than the timeout', manila: onAction('migration_start', (n) => (n === 1 ? { kind: 'delay', ms: SLOW } : undefined)), firstRun: ['done'] },
  { name: 'start: connection reset before it reaches Manila', manila: onAction('migration_start', (n) => (n === 1 ? { kind: 'reset-before' } : undefined)), firstRun: ['failed'] },
  { name: 'progress: always 500', manila: onAction('migration_get_progress', () => ({ kind: 'status', status: 500 })), firstRun: ['done'] },
  { name: 'progress: always reset', manila: onAction('migration_get_progress', () => ({ kind: 'reset-before' })), firstRun: ['done'] },
  { name: 'complete: 503 before it reaches Manila', manila: onAction('migration_complete', (n) => (n === 1 ? { kind: 'status', status: 503 } : undefined)), firstRun: ['failed'] },
  { name: 'complete: accepted, then the connection reset before the answer', manila: onAction('migration_complete', (n) => (n === 1 ? { kind: 'reset-after' } : undefined)), firstRun: ['done'] },
  { name: 'complete: accepted, answer slower than the timeout', manila: onAction('migration_complete', (n) => (n === 1 ? { kind: 'delay', ms: SLOW } : undefined)), firstRun: ['done'] },
  { name: 'auth: Keystone 503 on the first token request', keystone: (r) => (r.nth === 1 ? { kind: 'status', status: 503 } : undefined), firstRun: ['done'] },
  { name: 'auth: Keystone connection reset on the first token request', keystone: (r) => (r.nth === 1 ? { kind: 'reset-before' } : undefined), firstRun: ['done'] },
  { name: 'auth: Keystone slower than the timeout', keystone: (r) => (r.nth === 1 ? { kind: 'delay', ms: SLOW } : undefined), firstRun: ['done'] },
];

const NETS = ['mp-sn-1', 'mp-sn-2', 'mp-sn-3', 'mp-sn-4', 'mp-sn-5', 'mp-sn-6'];

interface Rig {
  readonly manila: RecordingProxy;
  readonly keystone: RecordingProxy;
  readonly client: ManilaClient;
}

/**
 * A client through fresh proxies; its short timeout is what the "slower than the timeout" faults
 * need. Not shorter: Manila keeps working on a request whose client gave up, so with six runners
 * a 2 s timeout on the list of every share server (1-3 s here, six at once) turned into a storm
 * of retried lists that took Manila 4-16 s each, and every move of a batch failed with MP_TIMEOUT.
 */
async function rig(timeoutMs = 8_000): Promise<Rig> {
  const manila = await new RecordingProxy(MANILA).start();
  const keystone = await new RecordingProxy(KEYSTONE).start();
  const config = resolveCloudConfig(
    { cloud: 'testbed', endpointOverride: `${manila.url}/v2` },
    { env: { OS_CLIENT_CONFIG_FILE: testbed().clouds_yaml, OS_AUTH_URL: `${keystone.url}/v3` } },
  );
  const client = new ManilaClient({ config, timeoutMs, retry: { attempts: 4, baseDelayMs: 200 } });
  return { manila, keystone, client };
}

async function runCase(c: Case, net: string): Promise<void> {
  // The snapshot is made before any fault, six cases at once: a list of every share server
  // may take Manila more than the fault clients' 8 s when the machine is busy.
  const r = await rig(30_000);
  let r2: Rig | undefined;
  try {
    const snap = await takeSnapshot(r.client);
    const src = snap.shareServers.find((s) => s.shareNetworkName === net && s.status === 'active')!;
    const target = NEXT[src.host];
    const p: Plan = plan([{ kind: 'placement', path: `faults/${net}`, select: { shareNetwork: net }, host: target, flags: { writable: false, nondisruptive: false, preserveSnapshots: false }, completion: 'auto' }], snap);
    // A fresh client, so Keystone faults hit its first token request.
    await r.client.close();
    r2 = await rig();
    r2.manila.faults(c.manila?.(src.id));
    r2.keystone.faults(c.keystone);
    // The plan was made through the first proxy; this one has another port, so re-home it.
    const rehomed: Plan = { ...p, snapshot: { ...p.snapshot, cloud: { ...p.snapshot.cloud, endpoint: `${r2.manila.url}/v2`, authUrl: `${r2.keystone.url}/v3` } } };
    const first = await applyPlan(rehomed, r2.client, { pollIntervalMs: 500, verifyTimeoutMs: 60_000, parallel: NETS.length });
    const r0 = first.results[0];
    const expected = new RegExp(`^(${c.firstRun.join('|')})$`);
    // On a miss the diff shows the runner's own account of the move, so a failure says why.
    const why = expected.test(r0.phase) ? undefined : `${r0.code ?? ''} ${r0.message ?? ''} (${r0.hint ?? 'no hint'})`;
    expect({ case: c.name, phase: r0.phase, why }).toEqual({ case: c.name, phase: expect.stringMatching(expected) });
    if (r0.phase !== 'done') {
      expect(r0.hint).toMatch(/apply again/i);
      r2.manila.faults(undefined);
      const again = await applyPlan(rehomed, r2.client, { pollIntervalMs: 500, verifyTimeoutMs: 60_000, parallel: NETS.length });
      expect({ case: c.name, rerun: again.results[0].phase }).toEqual({ case: c.name, rerun: 'done' });
    }
    // Manila received exactly one start and one complete for this server, whatever happened.
    expect({ case: c.name, starts: r2.manila.actionCount('migration_start', src.id), completes: r2.manila.actionCount('migration_complete', src.id) }).toEqual({
      case: c.name,
      starts: 1,
      completes: 1,
    });
    const admin = clientFor();
    const now = await serverOfNetwork(admin, net);
    await admin.close();
    expect({ case: c.name, host: now.host, status: now.status }).toEqual({ case: c.name, host: target, status: 'active' });
    addFigure('faults injected', r2.manila.seen.filter((x) => x.injected).length + r2.keystone.seen.filter((x) => x.injected).length);
    addFigure('fault cases converged');
  } finally {
    await r.manila.stop();
    await r.keystone.stop();
    await r2?.client.close();
    await r2?.manila.stop();
    await r2?.keystone.stop();
  }
}

beforeAll(() => {
  resetTestbed();
});

const batches: Case[][] = [];
for (let i = 0; i < CASES.length; i += NETS.length) batches.push(CASES.slice(i, i + NETS.length));

test.each(batches.map((b, i) => [i + 1, b.map((c) => c.name).join('; '), b] as const))('fault batch %i: %s', async (_i, _names, batch) => {
  // Settle every case before judging, so no migration is left running into the next test.
  const settled = await Promise.allSettled(batch.map((c, j) => runCase(c, NETS[j])));
  // Every failed case is reported, by name, not only the first.
  const failed = settled.flatMap((x, j) => (x.status === 'rejected' ? [{ name: batch[j].name, reason: x.reason as unknown }] : []));
  if (failed.length) {
    const lines = failed.map((f) => `- ${f.name}: ${(f.reason instanceof Error ? f.reason.message : String(f.reason)).replace(/\n/g, '\n    ')}`);
    throw new AggregateError(
      failed.map((f) => f.reason),
      `${failed.length} of ${batch.length} fault cases failed:\n${lines.join('\n')}`,
    );
  }
});

test('cancel whose answer is lost is observed, not resent: the migration ends cancelled', async () => {
  const r = await rig();
  const admin = clientFor();
  try {
    const src = await serverOfNetwork(admin, 'mp-sn-1');
    await admin.migrationStart(src.id, { host: NEXT[src.host], writable: false, nondisruptive: false, preserveSnapshots: false, newShareNetworkId: null });
    await waitFor(
      'driver phase',
      async () => {
        const t = (await admin.getShareServer(src.id)).taskState;
        return t === 'migration_driver_in_progress' || t === 'migration_driver_phase1_done' ? true : undefined;
      },
      120_000,
      500,
    );
    r.manila.faults((x) => (x.action === 'migration_cancel' ? { kind: 'reset-after' } : undefined));
    const res = await cancelMigration(r.client, src.id, { pollIntervalMs: 500 });
    expect(res.outcome).toBe('cancelled');
    expect(r.manila.actionCount('migration_cancel', src.id)).toBe(1);
    addFigure('faults injected');
    addFigure('fault cases converged');
  } finally {
    await admin.close();
    await r.client.close();
    await r.manila.stop();
    await r.keystone.stop();
  }
});
