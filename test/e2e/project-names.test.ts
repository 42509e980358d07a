/**
 * Projects by name, on the real Keystone and Manila: the test bed's fixtures belong to its demo
 * project; this test gives its admin project a share server of its own (a share network and a
 * share pinned to node1@beta), then plans, applies and reports one move of each project.
 * Manila gives project ids only; the names come from Keystone's `GET /v3/projects`, read once
 * by `refresh` and cached in the snapshot.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { jsonLines, makeApp, runCli } from '../helper/cli';
import { clientFor, resetTestbed, testbed, waitFor } from '../helper/testbed';

jest.setTimeout(300_000);

const NET = 'mp-names-admin';
const SHARE = 'mp-names-admin-share';
const admin = clientFor('testbed', { maxRequestRate: Infinity });

/** Deletes this test's share and share network in the admin project, if a run left them. */
async function cleanUp(): Promise<void> {
  for (const s of (await admin.listShares()).filter((x) => x.name === SHARE)) {
    await admin.request('delete share', 'DELETE', `/shares/${s.id}`, { expect: [202, 404] });
    await waitFor(`share ${s.id} deleted`, async () => ((await admin.listShares()).some((x) => x.id === s.id) ? undefined : true), 120_000, 1_000);
  }
  // The reset deletes share servers that hold no share (this test's among them).
  resetTestbed();
  for (const n of (await admin.listShareNetworks()).filter((x) => x.name === NET)) {
    await admin.request('delete share network', 'DELETE', `/share-networks/${n.id}`, { expect: [202, 204, 404] });
  }
}

beforeAll(async () => {
  resetTestbed();
  await cleanUp();
});
afterAll(async () => {
  await cleanUp();
  await admin.close();
});

test("the plan, the tenant notices and the report name the test bed's admin and demo projects, with their ids", async () => {
  const t = testbed();
  const projects = t.projects as Record<string, { id: string; name: string }>;
  // GIVEN a share server of the admin project on node1@beta, beside the demo project's fixtures on node1@alpha.
  const net = await admin.request('create share network', 'POST', '/share-networks', { body: { share_network: { name: NET, description: 'manila-placement test: project names' } }, expect: [200] });
  const netId = (net.body as { share_network: { id: string } }).share_network.id;
  const pool = (t.pools as Record<string, string[]>)['node1@beta'][0];
  await admin.request('create share', 'POST', '/shares', {
    body: { share: { name: SHARE, share_proto: 'NFS', size: 1, share_type: t.share_type.name, share_network_id: netId, scheduler_hints: { only_host: pool } } },
    expect: [200, 202],
  });
  await waitFor('the admin share available', async () => ((await admin.listShares()).find((s) => s.name === SHARE)?.status === 'available' ? true : undefined), 180_000, 1_000);
  const dir = makeApp(
    'names',
    `new ShareServerPlacement(stack, 'demo', { shareNetwork: 'mp-sn-2', host: 'node1@gamma' });\n` + `new ShareServerPlacement(stack, 'admin', { shareNetwork: '${NET}', host: 'node1@gamma' });`,
  );

  // WHEN planned THEN one impact line per project, by name.
  const planned = await runCli(['plan', '--no-color'], { cwd: dir });
  expect({ code: planned.code, stderr: planned.stderr }).toEqual({ code: 0, stderr: '' });
  expect(planned.stdout).toContain('  project admin: 1 move, 1 share, 1 GiB, 0 snapshots;');
  expect(planned.stdout).toContain('  project demo: 1 move, 1 share, 1 GiB, 0 snapshots;');
  const snap = JSON.parse(fs.readFileSync(path.join(dir, 'manila-placement.snapshot.json'), 'utf8')) as { projects?: Array<{ id: string; name: string }> };
  expect(snap.projects).toEqual(expect.arrayContaining([projects.admin, projects.demo].map((p) => ({ id: p.id, name: p.name }))));

  // WHEN applied with notices THEN each project's notice is titled with its name and id.
  const notices = path.join(dir, 'notices');
  const applied = await runCli(['apply', '--auto-approve', '--json', '--poll-interval', '1', '--notices', notices], { cwd: dir });
  const summary = jsonLines(applied.stdout).find((l) => l.type === 'summary') as { results: Array<{ phase: string }> } | undefined;
  expect({ code: applied.code, phases: summary?.results.map((r) => r.phase) }).toEqual({ code: 0, phases: ['done', 'done'] });
  for (const p of [projects.admin, projects.demo]) {
    expect(fs.readFileSync(path.join(notices, `${p.id}.md`), 'utf8')).toContain(`# Share server migration: notice for project ${p.name} (\`${p.id}\`)`);
    expect(fs.readFileSync(path.join(notices, `${p.id}.csv`), 'utf8').split('\n')[1]).toMatch(new RegExp(`^${p.id},${p.name},`));
  }

  // WHEN reported THEN each move's row names its project.
  const html = path.join(dir, 'report.html');
  expect((await runCli(['report', '--out', html], { cwd: dir })).code).toBe(0);
  const page = fs.readFileSync(html, 'utf8');
  for (const p of [projects.admin, projects.demo]) expect(page).toContain(`project ${p.name} <code>${p.id}</code>`);
});
