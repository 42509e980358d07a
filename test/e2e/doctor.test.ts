/**
 * `doctor` on the real Manila: the states it can be brought to for real (a migration at phase 1
 * done, a cancel, the failing backend's phase 1, a read-only phase 1 on Zed, a healthy server),
 * diagnosed with their evidence, fixed where safe, then planned and moved again. The states a
 * real Manila cannot be brought to on demand (a stuck server_migrating, a share instance in
 * error after a complete-phase failure) are in test/unit/doctor/diagnose.test.ts.
 */
import { applyPlan } from '../../lib/apply/runner';
import { cancelMigration } from '../../lib/apply/cancel';
import { plan } from '../../lib/plan/plan';
import type { MigrateEntry, PlacementDeclaration } from '../../lib/plan/types';
import { takeSnapshot } from '../../lib/snapshot/refresh';
import { runCli } from '../helper/cli';
import { clientFor, resetTestbed, serverOfNetwork, testbed, testbedSecrets, waitFor } from '../helper/testbed';

jest.setTimeout(600_000);

const client = clientFor('testbed', { maxRequestRate: Infinity });
afterAll(() => client.close());

const placement = (net: string, host: string, over: Partial<PlacementDeclaration> = {}): PlacementDeclaration => ({
  kind: 'placement',
  path: `doctor/${net}`,
  select: { shareNetwork: net },
  host,
  flags: { writable: false, nondisruptive: false, preserveSnapshots: true },
  completion: 'auto',
  ...over,
});
const FAST = { pollIntervalMs: 1_000 };

interface Finding {
  state: string;
  summary: string;
  evidence: string[];
  steps: Array<{ kind: string; command: string; why: string }>;
}
interface Diagnosis {
  server: string;
  verdict: string;
  findings: Finding[];
  context: string[];
}
interface Fix {
  server: string;
  step: string;
  done: boolean;
  after: string;
}
const doctor = async (args: string[]): Promise<{ code: number; servers: Diagnosis[]; fixes?: Fix[]; stderr: string }> => {
  const r = await runCli(['doctor', '--json', ...args]);
  for (const s of testbedSecrets()) expect(r.stdout + r.stderr).not.toContain(s);
  return { code: r.code ?? -1, stderr: r.stderr, ...(JSON.parse(r.stdout) as { servers: Diagnosis[] }) };
};
const states = (d: Diagnosis): string[] => d.findings.map((f) => f.state).sort();

test('diagnosed with evidence, fixed where safe, planned and moved again: phase 1 done, cancelled, failed on the faulty backend, healthy', async () => {
  resetTestbed();
  const snap = await takeSnapshot(client);
  const p = plan([placement('mp-sn-1', 'node1@faulty'), placement('mp-sn-2', 'node1@beta', { completion: 'manual' })], snap);
  const [failing, manual] = p.entries as MigrateEntry[];
  const r = await applyPlan(p, client, FAST);
  expect(r.results.map((x) => [x.server, x.phase])).toEqual(expect.arrayContaining([[failing.server.id, 'failed'], [manual.server.id, 'awaiting-completion']]));

  // Migrating normally, at phase 1 done: said with how long, nothing to fix.
  const during = await doctor([manual.server.id]);
  expect(during.servers[0]).toMatchObject({ verdict: 'migrating', findings: [{ state: 'migrating', summary: expect.stringMatching(/migrating normally to node1@beta: migration_driver_phase1_done for [\d.]+ (s|min)/), steps: [] }] });
  expect(during.code).toBe(0);

  await cancelMigration(client, manual.server.id, { pollIntervalMs: 500 });
  await waitFor('the cancel', async () => ((await client.getShareServer(manual.server.id)).status === 'active' ? true : undefined));

  // Every server with a mark or debris, found without naming them.
  const before = await doctor([]);
  expect(before.code).toBe(2);
  const failedD = before.servers.find((d) => d.server === failing.server.id)!;
  const cancelledD = before.servers.find((d) => d.server === manual.server.id)!;
  expect(states(failedD)).toEqual(['failed-mark', 'leftover-destination']);
  expect(states(cancelledD)).toEqual(['cancelled-mark', 'leftover-destination']);
  // The evidence: Manila's fields and times, the destination records, the journal of the run.
  // A fixture that migrated in an earlier test carries its lineage: the evidence names that source record too.
  expect(failedD.findings.find((f) => f.state === 'failed-mark')!.evidence[0]).toMatch(
    new RegExp(`share server ${failing.server.id}: status active, task_state migration_error, host node1@alpha, (source [0-9a-f-]{36}, )?updated \\d{4}-`),
  );
  expect(failedD.findings.find((f) => f.state === 'leftover-destination')!.evidence[0]).toMatch(/status error, task_state migration_error, host node1@faulty/);
  expect(cancelledD.findings.find((f) => f.state === 'leftover-destination')!.steps[0]).toMatchObject({ kind: 'manual', why: expect.stringMatching(/refuses to delete an inactive record/) });
  expect(failedD.findings.find((f) => f.state === 'failed-mark')!.steps[0]).toMatchObject({ kind: 'safe', command: `manila share-server-reset-task-state ${failing.server.id}` });
  // The plan blocks both until the marks are cleared.
  const blocked = plan([placement('mp-sn-1', 'node1@gamma'), placement('mp-sn-2', 'node1@gamma')], await takeSnapshot(client));
  expect(blocked.entries.map((e) => (e.action === 'blocked' ? e.reasons[0].code : e.action)).sort()).toEqual(['LAST_MIGRATION_CANCELLED', 'LAST_MIGRATION_FAILED']);

  // --fix without approval and no terminal: refused, nothing changed.
  const refused = await runCli(['doctor', '--fix']);
  expect(refused.code).toBe(1);
  expect(refused.stderr).toContain('Error [MP_APPROVAL_REQUIRED]');

  const fixed = await doctor(['--fix', '--auto-approve']);
  expect(fixed.fixes!.filter((f) => f.done).map((f) => [f.server, f.step.split(' ').slice(0, 3).join(' ')]).sort()).toEqual(
    [
      [failing.server.id, 'clear the mark'],
      [failing.server.id, 'delete the failed'],
      [manual.server.id, 'clear the mark'],
    ].sort(),
  );
  // Left: the cancelled destination record, which only Manila's cleanup or a person removes.
  expect(fixed.code).toBe(2);
  expect(fixed.servers.find((d) => d.server === failing.server.id)!.verdict).toBe('healthy');
  expect(states(fixed.servers.find((d) => d.server === manual.server.id)!)).toEqual(['leftover-destination']);
  const leftover = (await client.listShareServers()).filter((s) => s.sourceShareServerId === failing.server.id);
  expect(leftover).toEqual([]);
  // A later doctor, naming nothing, still finds the cancelled destination through its source.
  const later = await doctor([]);
  expect(later.servers.filter((d) => d.verdict !== 'healthy').map((d) => [d.server, states(d)])).toEqual([[manual.server.id, ['leftover-destination']]]);

  // Planned and moved again.
  const again = plan([placement('mp-sn-1', 'node1@gamma'), placement('mp-sn-2', 'node1@gamma')], await takeSnapshot(client));
  expect(again.entries.map((e) => e.action)).toEqual(['migrate', 'migrate']);
  const moved = await applyPlan(again, client, FAST);
  expect(moved.results.map((x) => x.phase)).toEqual(['done', 'done']);
  for (const n of ['mp-sn-1', 'mp-sn-2']) expect((await serverOfNetwork(client, n)).host).toBe('node1@gamma');

  // A healthy server, named: healthy, exit 0.
  const healthy = await doctor([(await serverOfNetwork(client, 'mp-sn-3')).id]);
  expect({ code: healthy.code, verdict: healthy.servers[0].verdict }).toEqual({ code: 0, verdict: 'healthy' });
});

test('rules left queued_to_apply after a read-only phase 1 (Zed): diagnosed, and the fix printed for a person', async () => {
  resetTestbed();
  const fx = testbed().fixtures[0];
  const p = plan([placement(fx.share_network.name, 'node1@readonly')], await takeSnapshot(client));
  const r = await applyPlan(p, client, FAST);
  // Zed asks the source host to apply the rules again after the switchover (share/manager.py
  // `_server_migration_complete_driver`), so on the destination they stay queued_to_apply.
  expect(testbed().release).toBe('zed');
  const stuck = (await client.listAccessRules(fx.share.id)).filter((x) => x.state !== 'active');
  expect(stuck.length).toBeGreaterThan(0);
  expect(r.results[0]).toMatchObject({ code: 'MP_RULES_NOT_APPLIED' });
  const d = await doctor([(await serverOfNetwork(client, fx.share_network.name)).id]);
  const f = d.servers[0].findings.find((x) => x.state === 'rules-stuck')!;
  expect(f.evidence[0]).toMatch(/access rule \S+: ip 10\.254\.0\.1 rw, state queued_to_apply/);
  expect(f.steps[0]).toMatchObject({ kind: 'manual', command: expect.stringContaining(`openstack share access create ${fx.share.id} ip 10.254.0.1 --access-level rw`) });
  // --fix leaves it alone: it cuts a client off for a moment.
  const fixed = await doctor(['--fix', '--auto-approve', d.servers[0].server]);
  expect(fixed.fixes).toEqual([]);
  expect((await client.listAccessRules(fx.share.id)).map((x) => x.state)).toEqual(stuck.map((x) => x.state));
});
