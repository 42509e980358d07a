/**
 * Bad input, as an operator could give it: construct props, CLI flags, clouds.yaml, snapshot and
 * plan files, unknown names, non-admin credentials, a Manila too old. Each case must exit 1 with
 * `Error [MP_...]` and a hint, leak no secret, and change nothing in the cloud (checked through
 * Manila before and after every case).
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import { type AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { type CloudSnapshot } from '../../lib/snapshot/model';
import { canonicalJson } from '../../lib/util/canonical-json';
import { plan } from '../../lib/plan/plan';
import { serializePlan } from '../../lib/plan/file';
import { makeApp, runCli } from '../helper/cli';
import { addFigure } from '../helper/figures';
import { clientFor, resetTestbed, testbed, testbedSecrets } from '../helper/testbed';

jest.setTimeout(600_000);

interface BadCase {
  readonly name: string;
  /** CLI arguments. */
  readonly args: () => string[];
  readonly cwd?: () => string;
  readonly env?: () => NodeJS.ProcessEnv;
  /** The error code on stderr. */
  readonly code: string;
  /** More that the message must say. */
  readonly says?: RegExp;
}

let work: string;
let snapshotFile: string;
let snapshot: CloudSnapshot;
let fakeOldManila: http.Server;
let fakeOldUrl: string;

const P = (name: string, body: string, props = '{}'): (() => string) => {
  let dir: string | undefined;
  return () => (dir ??= makeApp(`bad-${name}`, body, props));
};
const one = (props: string): string => `new ShareServerPlacement(stack, 'p', ${props});`;

function writeFile(name: string, text: string): string {
  const f = path.join(work, name);
  fs.writeFileSync(f, text);
  return f;
}

function snapshotVariant(name: string, change: (s: CloudSnapshot) => CloudSnapshot): string {
  return writeFile(name, canonicalJson(change(JSON.parse(JSON.stringify(snapshot)))));
}

const moveApp = P('move', one(`{ shareNetwork: 'mp-sn-1', host: 'node1@beta' }`));

function planFileFor(s: CloudSnapshot, name: string): string {
  const p = plan([{ kind: 'placement', path: 'bad/move', select: { shareNetwork: 'mp-sn-1' }, host: 'node1@beta', flags: { writable: false, nondisruptive: false, preserveSnapshots: false }, completion: 'auto' }], s);
  return writeFile(name, serializePlan(p));
}

const CASES: BadCase[] = [
  // Construct props: synth fails with the construct's path and the prop.
  { name: 'placement host without @', args: () => ['plan', '--snapshot', snapshotFile], cwd: P('noat', one(`{ shareNetwork: 'mp-sn-1', host: 'node1' }`)), code: 'MP_SYNTH_FAILED', says: /host.*node1.*@/s },
  { name: 'placement host with #pool', args: () => ['plan', '--snapshot', snapshotFile], cwd: P('pool', one(`{ shareNetwork: 'mp-sn-1', host: 'node1@beta#fake_pool_for_BETA' }`)), code: 'MP_SYNTH_FAILED', says: /pool/ },
  { name: 'two selectors at once', args: () => ['plan', '--snapshot', snapshotFile], cwd: P('twosel', one(`{ shareNetwork: 'mp-sn-1', shares: ['mp-share-1'], host: 'node1@beta' }`)), code: 'MP_SYNTH_FAILED', says: /shareNetwork|shares/ },
  { name: 'no selector', args: () => ['plan', '--snapshot', snapshotFile], cwd: P('nosel', one(`{ host: 'node1@beta' } as never`)), code: 'MP_SYNTH_FAILED', says: /shareServerId|shareNetwork/ },
  { name: 'nondisruptive with a new share network', args: () => ['plan', '--snapshot', snapshotFile], cwd: P('nondis', one(`{ shareNetwork: 'mp-sn-1', host: 'node1@beta', nondisruptive: true, newShareNetwork: 'mp-sn-2' }`)), code: 'MP_SYNTH_FAILED', says: /nondisruptive/ },
  { name: 'evacuation target is the evacuated host', args: () => ['plan', '--snapshot', snapshotFile], cwd: P('evself', `new HostEvacuation(stack, 'e', { host: 'node1@alpha', targets: ['node1@alpha'] });`), code: 'MP_SYNTH_FAILED', says: /node1@alpha/ },
  { name: 'evacuation maxPerTarget 0', args: () => ['plan', '--snapshot', snapshotFile], cwd: P('evmax', `new HostEvacuation(stack, 'e', { host: 'node1@alpha', targets: ['node1@beta'], maxPerTarget: 0 });`), code: 'MP_SYNTH_FAILED', says: /maxPerTarget/ },
  {
    name: 'one server selected by two declarations names both',
    args: () => ['plan', '--snapshot', snapshotFile],
    cwd: P('overlap', `new ShareServerPlacement(stack, 'first', { shareNetwork: 'mp-sn-1', host: 'node1@beta' });\nnew ShareServerPlacement(stack, 'second', { shares: ['mp-share-1'], host: 'node1@gamma' });`),
    code: 'MP_SYNTH_FAILED',
    says: /first[\s\S]*second|second[\s\S]*first/,
  },
  { name: 'unknown share network', args: () => ['plan', '--snapshot', snapshotFile], cwd: P('unknet', one(`{ shareNetwork: 'no-such-net', host: 'node1@beta' }`)), code: 'MP_SYNTH_FAILED', says: /no-such-net/ },
  { name: 'unknown share server id', args: () => ['plan', '--snapshot', snapshotFile], cwd: P('unksrv', one(`{ shareServerId: '00000000-0000-0000-0000-00000000dead', host: 'node1@beta' }`)), code: 'MP_SYNTH_FAILED', says: /00000000-0000-0000-0000-00000000dead/ },
  { name: 'unknown destination host', args: () => ['plan', '--snapshot', snapshotFile], cwd: P('unkhost', one(`{ shareNetwork: 'mp-sn-1', host: 'node1@nope' }`)), code: 'MP_SYNTH_FAILED', says: /node1@nope/ },
  { name: 'unknown new share network', args: () => ['plan', '--snapshot', snapshotFile], cwd: P('unknewnet', one(`{ shareNetwork: 'mp-sn-1', host: 'node1@beta', newShareNetwork: 'no-such-net-2' }`)), code: 'MP_SYNTH_FAILED', says: /no-such-net-2/ },
  { name: 'empty shares list', args: () => ['plan', '--snapshot', snapshotFile], cwd: P('noshares', one(`{ shares: [], host: 'node1@beta' }`)), code: 'MP_SYNTH_FAILED', says: /shares/ },
  { name: 'unknown completion policy', args: () => ['plan', '--snapshot', snapshotFile], cwd: P('compl', one(`{ shareNetwork: 'mp-sn-1', host: 'node1@beta', completion: 'later' as never }`)), code: 'MP_SYNTH_FAILED', says: /completion/ },
  { name: 'unknown resource type', args: () => ['plan', '--snapshot', snapshotFile], cwd: P('restype', one(`{ shareNetwork: 'mp-sn-1', host: 'node1@beta' }`), `{ resourceType: 'aws_instance' as never }`), code: 'MP_SYNTH_FAILED', says: /resourceType/ },
  // CLI flags: refused before anything is read from the cloud.
  { name: '--parallel 0', args: () => ['apply', '--parallel', '0'], cwd: moveApp, code: 'MP_FLAG_INVALID', says: /--parallel/ },
  { name: '--poll-interval -1', args: () => ['apply', '--poll-interval', '-1'], cwd: moveApp, code: 'MP_FLAG_INVALID', says: /--poll-interval/ },
  { name: '--max-per-destination x', args: () => ['apply', '--max-per-destination', 'x'], cwd: moveApp, code: 'MP_FLAG_INVALID', says: /--max-per-destination/ },
  { name: 'an unknown option', args: () => ['apply', '--paralel', '2'], cwd: moveApp, code: 'MP_USAGE', says: /paralel/ },
  { name: '--plan with --snapshot', args: () => ['apply', '--plan', 'x.json', '--snapshot', snapshotFile], cwd: moveApp, code: 'MP_FLAG_CONFLICT' },
  { name: '--move with an unknown key', args: () => ['apply', '--plan', planFileFor(snapshot, 'good.plan.json'), '--move', 'no-such-move'], code: 'MP_MOVE_UNKNOWN', says: /no-such-move/ },
  { name: 'apply without approval and no terminal', args: () => ['apply', '--snapshot', snapshotFile], cwd: moveApp, code: 'MP_APPROVAL_REQUIRED', says: /--auto-approve/ },
  { name: 'an unknown --os-interface', args: () => ['status', '--os-interface', 'private'], code: 'MP_CONFIG_INTERFACE' },
  { name: 'cancel with nothing to cancel named', args: () => ['cancel'], code: 'MP_CANCEL_NOTHING' },
  { name: 'plan outside a cdktf app', args: () => ['plan'], cwd: () => work, code: 'MP_NO_APP' },
  // clouds.yaml and credentials.
  { name: 'a cloud that clouds.yaml does not define', args: () => ['status'], env: () => ({ OS_CLOUD: 'no-such-cloud' }), code: 'MP_CLOUD_NOT_FOUND', says: /testbed/ },
  { name: 'an unsupported auth type', args: () => ['status'], env: () => ({ OS_CLIENT_CONFIG_FILE: writeFile('authtype.yaml', 'clouds:\n  c:\n    auth_type: v2password\n    auth:\n      auth_url: http://127.0.0.1:5000/v3\n'), OS_CLOUD: 'c' }), code: 'MP_AUTH_TYPE_UNSUPPORTED' },
  { name: 'clouds.yaml that is not YAML', args: () => ['status'], env: () => ({ OS_CLIENT_CONFIG_FILE: writeFile('bad.yaml', 'clouds:\n  c: [unclosed\n'), OS_CLOUD: 'c' }), code: 'MP_CLOUDS_YAML_INVALID' },
  { name: 'OS_CLIENT_CONFIG_FILE pointing nowhere', args: () => ['status'], env: () => ({ OS_CLIENT_CONFIG_FILE: path.join(work, 'missing.yaml'), OS_CLOUD: 'testbed' }), code: 'MP_CLOUDS_YAML_NOT_FOUND' },
  { name: 'no cloud selected at all', args: () => ['status'], env: () => ({ OS_CLOUD: undefined }), code: 'MP_NO_CLOUD' },
  { name: 'a wrong password', args: () => ['status'], env: () => ({ OS_PASSWORD: 'wrong-password-123' }), code: 'MP_AUTH_FAILED' },
  { name: 'a password cloud with no password', args: () => ['status'], env: () => ({ OS_CLIENT_CONFIG_FILE: writeFile('nopw.yaml', 'clouds:\n  c:\n    auth:\n      auth_url: http://127.0.0.1:5000/v3\n      username: admin\n'), OS_CLOUD: 'c' }), code: 'MP_AUTH_INCOMPLETE' },
  { name: 'a cacert file that does not exist', args: () => ['status', '--os-cacert', '/nonexistent/ca.pem'], code: 'MP_CONFIG_TLS_FILE' },
  { name: 'member (non-admin) credentials', args: () => ['refresh', '--out', path.join(work, 'member.json')], env: () => ({ OS_CLOUD: 'testbed-member' }), code: 'MP_MANILA_FORBIDDEN', says: /admin/ },
  { name: 'member credentials on apply stop before any move', args: () => ['apply', '--plan', planFileFor(snapshot, 'member.plan.json')], env: () => ({ OS_CLOUD: 'testbed-member-appcred' }), code: 'MP_MANILA_FORBIDDEN' },
  { name: 'a Manila older than 2.57', args: () => ['status', '--os-endpoint-override', `${fakeOldUrl}/v2`], code: 'MP_MICROVERSION_UNSUPPORTED', says: /2\.56/ },
  { name: 'an unreachable endpoint', args: () => ['status', '--os-endpoint-override', 'http://127.0.0.1:9/v2'], code: 'MP_CONNECTION' },
  // Snapshot files.
  { name: 'a corrupt snapshot', args: () => ['plan', '--snapshot', writeFile('corrupt.json', '{"kind": "manila-placement/snap')], cwd: moveApp, code: 'MP_SNAPSHOT_INVALID' },
  { name: 'a snapshot of the wrong shape', args: () => ['plan', '--snapshot', writeFile('shape.json', JSON.stringify({ kind: 'manila-placement/snapshot', version: 1, shareServers: 'x' }))], cwd: moveApp, code: 'MP_SNAPSHOT_INVALID' },
  { name: 'a snapshot of another cloud', args: () => ['plan', '--snapshot', snapshotVariant('other.json', (s) => ({ ...s, cloud: { ...s.cloud, authUrl: 'https://keystone.other.example:5000/v3' } }))], cwd: moveApp, code: 'MP_SNAPSHOT_OTHER_CLOUD' },
  { name: 'a snapshot too old', args: () => ['plan', '--snapshot', snapshotVariant('old.json', (s) => ({ ...s, takenAt: new Date(Date.now() - 3 * 86400_000).toISOString() }))], cwd: moveApp, code: 'MP_SNAPSHOT_TOO_OLD' },
  { name: 'a snapshot file that does not exist', args: () => ['plan', '--snapshot', path.join(work, 'nope.json')], cwd: moveApp, code: 'MP_SNAPSHOT_MISSING' },
  // Plan files.
  {
    name: 'a tampered plan file',
    args: () => ['apply', '--plan', writeFile('tampered.plan.json', fs.readFileSync(planFileFor(snapshot, 't.plan.json'), 'utf8').replace(/"to": "node1@beta"/g, '"to": "node1@gamma"'))],
    code: 'MP_PLAN_TAMPERED',
  },
  { name: 'a corrupt plan file', args: () => ['apply', '--plan', writeFile('corrupt.plan.json', '{"kind": "manila-placement/plan", "entries": [')], code: 'MP_PLAN_INVALID' },
  {
    name: 'a plan made for another cloud',
    args: () => ['apply', '--plan', planFileFor({ ...snapshot, cloud: { authUrl: 'https://keystone.other.example:5000/v3', endpoint: 'https://manila.other.example:8786/v2' } }, 'other.plan.json')],
    code: 'MP_PLAN_OTHER_CLOUD',
  },
  { name: 'a plan file that does not exist', args: () => ['apply', '--plan', path.join(work, 'nope.plan.json')], code: 'MP_PLAN_UNREADABLE' },
];

// One admin client (one token) for every check: a new client per check cost a version
// discovery and a Keystone login each, twice per case.
const admin = clientFor('testbed', { maxRequestRate: Infinity });

async function fingerprint(): Promise<string> {
  return JSON.stringify((await admin.listShareServers()).map((s) => [s.id, s.host, s.status, s.taskState]).sort());
}

/** The cloud as the last check saw it: the next case's "before" (nothing else uses this test bed meanwhile). */
let lastSeen: string | undefined;

beforeAll(async () => {
  // Known placement (all on node1@alpha): the plan-based cases need a move to be pending.
  resetTestbed();
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'mp-bad-'));
  snapshotFile = path.join(work, 'snapshot.json');
  const r = await runCli(['refresh', '--out', snapshotFile]);
  expect(r.code).toBe(0);
  snapshot = JSON.parse(fs.readFileSync(snapshotFile, 'utf8'));
  fakeOldManila = http.createServer((_req, res) => {
    res.writeHead(300, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ versions: [{ id: 'v2.0', status: 'CURRENT', version: '2.56', min_version: '2.0' }] }));
  });
  await new Promise<void>((r2) => fakeOldManila.listen(0, '127.0.0.1', r2));
  fakeOldUrl = `http://127.0.0.1:${(fakeOldManila.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await admin.close();
  fakeOldManila.closeAllConnections();
  await new Promise((r) => fakeOldManila.close(r));
});

test(`at least 30 kinds of bad input (${CASES.length} here)`, () => {
  expect(CASES.length).toBeGreaterThanOrEqual(30);
});

const secrets = (): string[] => testbedSecrets().concat(['wrong-password-123']);

test.each(CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
  const before = lastSeen ?? (await fingerprint());
  const r = await runCli(c.args(), { cwd: c.cwd?.(), env: c.env?.() });
  expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 1, stderr: expect.stringContaining(`Error [${c.code}]`) });
  expect(r.stderr).toMatch(/\n {2}hint: \S+/);
  if (c.says) expect(r.stderr).toMatch(c.says);
  for (const s of secrets()) expect(r.stdout + r.stderr).not.toContain(s);
  lastSeen = await fingerprint();
  expect(lastSeen).toBe(before);
  addFigure('bad inputs refused with nothing changed');
});

test('--debug output shows every call and no secret', async () => {
  const r = await runCli(['servers', '--debug']);
  expect(r.code).toBe(0);
  expect(r.stderr).toMatch(/DEBUG POST \/v3\/auth\/tokens -> 201/);
  expect(r.stderr).toMatch(/DEBUG GET \/v2\/share-servers -> 200 \(\d+ ms, req-/);
  for (const s of secrets()) expect(r.stdout + r.stderr).not.toContain(s);
  expect(r.stdout + r.stderr).not.toMatch(/gAAAAA[\w-]{20,}/);
  // The test bed writes its clouds.yaml in its state directory (scripts/testbed/tb.py).
  expect(testbed().clouds_yaml).toBe(path.join(String(testbed().state_dir), 'clouds.yaml'));
});
