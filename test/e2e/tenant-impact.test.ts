/**
 * What a move does to the shares' users, on the real Manila: the test bed's `readonly` backend
 * answers migration_check with writable: false, so Manila casts the access rules read-only for
 * phase 1. The plan with --check announces it; Manila's own records show it during phase 1 and
 * lifted after; the export locations change (old ≠ new, from Manila's answers); the tenant
 * notice tells the project what to remount.
 *
 * Seen on Zed: after such a move Manila resets the cast but asks the *source* host to apply the
 * rules again (share/manager.py `_server_migration_complete_driver`), so on the destination the
 * rule stays `queued_to_apply`: the runner says so (MP_RULES_NOT_APPLIED) with the fix, and the
 * fix (any access change on the share) makes the destination apply it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { jsonLines, makeApp, runCli, spawnCli } from '../helper/cli';
import { clientFor, resetTestbed, serverOfNetwork, testbed, waitFor } from '../helper/testbed';

jest.setTimeout(300_000);

const admin = clientFor('testbed', { maxRequestRate: Infinity });
afterAll(() => admin.close());

test('a move to a driver that cannot stay writable: announced read-only, cast read-only in phase 1, restored after; new export locations in the result and the notice', async () => {
  resetTestbed();
  const fx = testbed().fixtures[0]; // mp-share-1: a snapshot and an ip rule 10.254.0.1 rw
  const dir = makeApp('tenants', `new ShareServerPlacement(stack, 'p', { shareNetwork: '${fx.share_network.name}', host: 'node1@readonly' });`);

  // The plan, asked with Manila's check, says the shares go read-only for phase 1.
  const planned = await runCli(['plan', '--check', '--no-color'], { cwd: dir });
  expect({ code: planned.code, stderr: planned.stderr }).toEqual({ code: 2, stderr: '' });
  expect(planned.stdout).toContain('READ-ONLY for the whole of phase 1 (Manila: the driver cannot keep them writable');
  expect(planned.stdout).toContain('new export locations at the switchover: clients must remount');
  // The default plan names the project (from Keystone) and says the impact once; --verbose gives each share, by name and id.
  const owner = testbed().fixtures_project as { id: string; name: string }; // the test bed's demo project
  expect(planned.stdout).toContain(`  project ${owner.name}: 1 move, 1 share, 1 GiB, 1 snapshot;`);
  const verbose = await runCli(['plan', '--check', '--verbose', '--no-color'], { cwd: dir });
  expect(verbose.stdout).toMatch(new RegExp(`shares of project ${owner.name} \\(${owner.id}\\): mp-share-1 \\[${fx.share.id}\\] \\(1 GiB NFS, 1 snapshot\\)`));
  const json = JSON.parse((await runCli(['plan', '--check', '--json'], { cwd: dir })).stdout);
  expect(json.impact[0].moves[0]).toMatchObject({ writes: { outcome: 'read-only', source: 'manila' }, exportLocations: { outcome: 'new', source: 'manila' }, snapshots: { outcome: 'kept' } });
  const md = (await runCli(['plan', '--check', '--format', 'markdown'], { cwd: dir })).stdout;
  expect(md).toContain('| mp-share-1 | 1 GiB | NFS | read-only (manila) | new (manila) | kept | kept |');

  const before = (await admin.listExportLocations(fx.share.id)).map((e) => e.path).sort();
  const notices = path.join(dir, 'notices');
  const run = spawnCli(['apply', '--auto-approve', '--json', '--poll-interval', '1', '--notices', notices], { cwd: dir });
  // Manila's records during phase 1: the share instance's rules cast read-only.
  await run.waitForJson((o) => o.type === 'move' && o.phase === 'phase1' && o.taskState === 'migration_driver_in_progress');
  let castSeen = false;
  for (let i = 0; i < 20 && !castSeen; i++) {
    castSeen = (await admin.listShareInstances(fx.share.id)).some((x) => x.castRulesToReadonly === true);
    if (!castSeen) await new Promise((r) => setTimeout(r, 500));
  }
  const r = await run.done;
  expect(castSeen).toBe(true);
  const summary = jsonLines(r.stdout).find((l) => l.type === 'summary') as {
    results: Array<{
      phase: string;
      code?: string;
      hint?: string;
      readOnly?: unknown;
      exportLocations?: Array<{ before: string[]; after: string[]; changed: boolean }>;
    }>;
  };
  const res = summary.results[0];
  // After: the cast is lifted and the rule is read-write again in Manila's records...
  expect((await admin.listShareInstances(fx.share.id)).some((x) => x.castRulesToReadonly === true)).toBe(false);
  const rules = await admin.listAccessRules(fx.share.id);
  expect(rules.map((x) => [x.accessTo, x.accessLevel])).toEqual([['10.254.0.1', 'rw']]);
  if (rules[0].state === 'queued_to_apply') {
    // ... but not applied on the destination: the runner says so, and how to fix it.
    expect({ code: r.code, phase: res.phase, result: res.code }).toEqual({ code: 3, phase: 'failed', result: 'MP_RULES_NOT_APPLIED' });
    expect(res.hint).toContain(`openstack share access create ${fx.share.id} ip 192.0.2.1 --access-level ro`);
    // The fix, as the hint says: any access change makes the destination apply the queued rule.
    const tmp = await admin.request('allow access', 'POST', `/shares/${fx.share.id}/action`, { body: { allow_access: { access_type: 'ip', access_to: '192.0.2.1', access_level: 'ro' } }, expect: [200] });
    const tmpId = (tmp.body as { access: { id: string } }).access.id;
    await waitFor('the fixture rule active', async () => ((await admin.listAccessRules(fx.share.id)).find((x) => x.accessTo === '10.254.0.1')?.state === 'active' ? true : undefined), 60_000, 1_000);
    await admin.request('deny access', 'POST', `/shares/${fx.share.id}/action`, { body: { deny_access: { access_id: tmpId } }, expect: [202] });
    await waitFor('the scratch rule gone', async () => ((await admin.listAccessRules(fx.share.id)).some((x) => x.accessTo === '192.0.2.1') ? undefined : true), 60_000, 1_000);
  } else {
    expect({ code: r.code, phase: res.phase }).toEqual({ code: 0, phase: 'done' });
  }
  expect((await admin.listAccessRules(fx.share.id)).map((x) => [x.accessTo, x.accessLevel, x.state])).toEqual([['10.254.0.1', 'rw', 'active']]);
  expect(r.stderr.replace(/Wrote \d+ tenant notice files? to .*\n/, '')).toBe('');
  const after = (await admin.listExportLocations(fx.share.id)).map((e) => e.path).sort();
  expect(after).not.toEqual(before);
  expect((await serverOfNetwork(admin, fx.share_network.name)).host).toBe('node1@readonly');

  // The runner's result says the same, from Manila's answers.
  expect(res.readOnly).toEqual({ duringPhase1: true, restored: true });
  expect(res.exportLocations).toHaveLength(1);
  const x = res.exportLocations![0];
  expect(x.changed).toBe(true);
  expect([...x.before.map((p) => p.replace(/ \(admin\)$/, ''))].sort()).toEqual(before);
  expect([...x.after.map((p) => p.replace(/ \(admin\)$/, ''))].sort()).toEqual(after);

  // The tenant notice of the project: generated output, what moved, the read-only window, what to remount.
  const project = fs.readdirSync(notices).find((f) => f.endsWith('.md'))!;
  const text = fs.readFileSync(path.join(notices, project), 'utf8');
  expect(text).toMatch(/^<!-- Generated by manila-placement on .*do not edit/);
  expect(text).toContain(`# Share server migration: notice for project ${owner.name} (\`${owner.id}\`)`);
  expect(text).toContain(`mp-share-1 (\`${fx.share.id}\`) | 1 GiB | NFS | node1@alpha → node1@readonly`);
  expect(text).toMatch(/read-only from \S+ to the switchover/);
  expect(text).toContain(`remount from ${x.before.join(', ')} to ${x.after.join(', ')}`);
  const csv = fs.readFileSync(path.join(notices, project.replace(/\.md$/, '.csv')), 'utf8').trim().split('\n');
  expect(csv).toHaveLength(2);
  expect(csv[1]).toContain(`${owner.id},${owner.name},${fx.share.id},mp-share-1,1,NFS,node1@alpha,node1@readonly`);

  // The report of the run names the project too.
  const html = path.join(dir, 'report.html');
  expect((await runCli(['report', '--out', html], { cwd: dir })).code).toBe(0);
  expect(fs.readFileSync(html, 'utf8')).toContain(`project ${owner.name} <code>${owner.id}</code>`);
  expect(csv[1]).toMatch(new RegExp(`,true,${res.phase},.*,yes$`));
});
