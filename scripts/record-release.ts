/**
 * Records what one Manila release answers to every call manila-placement makes, so the
 * differences between releases are facts (test/fixtures/releases/<release>/) rather than
 * recollections. test/unit/manila/releases.test.ts parses the recordings with the project's
 * parsers; docs/manila-releases.md compares them.
 *
 *   eval "$(bash scripts/testbed/testbed.sh env)"            # Zed, the default test bed
 *   npx ts-node --transpile-only scripts/record-release.ts --out test/fixtures/releases/zed
 *
 *   eval "$(MP_TESTBED_PORT_OFFSET=100 MP_TESTBED_RELEASE=epoxy bash scripts/testbed/testbed.sh env)"
 *   npx ts-node --transpile-only scripts/record-release.ts --out test/fixtures/releases/epoxy
 *
 * Options: --no-reset (skip the first `testbed.sh reset`), --no-final-reset (leave mp-sn-6's
 * server on node1@beta), --cloud <name> (default OS_CLOUD, else `testbed`). OS_SHARE_API_VERSION
 * caps the microversion as it does for the tool (e.g. 2.73 on Epoxy, to tell what a newer
 * microversion changes from what the newer release changes); summary.json records the cap.
 *
 * Besides the tool's own calls it disables node1@gamma for a moment (with a disabled_reason
 * from 2.83) to record how a disabled destination reads, and enables it again.
 *
 * It reads the test bed from the environment `testbed.sh env` prints (OS_CLIENT_CONFIG_FILE,
 * MP_TESTBED_JSON, MP_TESTBED_RELEASE, MP_TESTBED_PORT_OFFSET) and refuses to run when they
 * do not describe one and the same test bed, since `testbed.sh reset` would then reach another
 * one. Every call goes through the project's ManilaClient at the negotiated microversion: the
 * raw bodies through its `request()` escape hatch, then the same lists through its own
 * methods, as a cross-check that the client reads them. Each response is normalised: ids become
 * stable placeholders (`<share-server:1>` is mp-sn-1's server, `<share-server:7>` the first
 * server created during the recording), times become `<time>`, URLs of the test bed
 * `<manila>`/`<keystone>`, secrets `<secret>`. One JSON file per call group, plus summary.json
 * (release, microversions, each call's status and key sets).
 *
 * It moves one fixture (mp-sn-6's server to node1@beta) for real, and `testbed.sh reset`s at
 * the start and the end (unless told not to), so it leaves the test bed as it found it.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ManilaApiError, ProtocolError } from '../lib/errors';
import { ManilaClient } from '../lib/manila/client';
import { resolveCloudConfig } from '../lib/manila/config';
import { compareStrings } from '../lib/util/compare';
import { arg, flag } from '../bench/lib/args';
import { MAX_MICROVERSION, compareMicroversions } from '../lib/manila/microversion';
import {
  parseAccessRule,
  parseCheck,
  parseExportLocation,
  parsePool,
  parseProgress,
  parseService,
  parseShare,
  parseShareInstance,
  parseShareNetwork,
  parseShareServer,
  parseShareType,
  parseSnapshot,
} from '../lib/manila/types';

const REPO = path.resolve(__dirname, '..');
const TESTBED_SH = path.join(REPO, 'scripts/testbed/testbed.sh');
/** Manila's port at MP_TESTBED_PORT_OFFSET=0. */
const BASE_MANILA_PORT = 8786;
/** Every status, so `request()` hands back error bodies too instead of throwing. */
const ANY_STATUS = Array.from({ length: 500 }, (_, i) => i + 100);
/** A share server id no cloud has. */
const UNKNOWN_SERVER = '00000000-0000-4000-8000-000000000000';
const MIGRATION_SHARE_NETWORK = 'mp-sn-6';
const MIGRATION_TARGET = 'node1@beta';
/** The service disabled for a moment, to record how a disabled destination reads. */
const DISABLED_HOST = 'node1@gamma';
const DISABLED_REASON = 'mp-testbed: disabled by record-release.ts for a moment';

// ---- arguments and the test bed ---------------------------------------------------------

interface Fixture {
  readonly index: number;
  readonly share: { id: string; name: string };
  readonly share_network: { id: string; name: string };
  readonly share_server: { id: string; host: string };
  readonly snapshot?: { id: string; name?: string } | null;
  readonly access_rule?: { id: string } | null;
}

interface Facts {
  readonly release?: string;
  readonly state_dir: string;
  readonly clouds_yaml: string;
  readonly manila: { url: string; port: number; max_microversion?: string };
  readonly keystone: { url: string; short_url?: string; port: number };
  readonly osapi_max_limit?: number;
  readonly hosts?: string[];
  readonly share_type: { id: string; name: string };
  readonly fixtures: Fixture[];
  readonly projects: Record<string, { id: string; name: string }>;
  readonly users: Record<string, { id: string; name: string }>;
  readonly application_credentials?: Record<string, { id: string }>;
  readonly secrets?: string[];
}

function die(message: string): never {
  process.stderr.write(`record-release: ${message}\n`);
  process.exit(2);
}

/** testbed.json of the test bed the environment names, after checking the environment is one test bed. */
function readFacts(): Facts {
  const cloudsFile = process.env.OS_CLIENT_CONFIG_FILE;
  const json = process.env.MP_TESTBED_JSON;
  if (!cloudsFile || !json) die('OS_CLIENT_CONFIG_FILE and MP_TESTBED_JSON must be set: eval "$(bash scripts/testbed/testbed.sh env)" first (with the same MP_TESTBED_RELEASE / MP_TESTBED_PORT_OFFSET as the test bed).');
  if (!fs.existsSync(json)) die(`${json} does not exist: is the test bed started?`);
  const facts = JSON.parse(fs.readFileSync(json, 'utf8')) as Facts;
  if (path.resolve(facts.clouds_yaml) !== path.resolve(cloudsFile)) {
    die(`OS_CLIENT_CONFIG_FILE (${cloudsFile}) is not the clouds.yaml of MP_TESTBED_JSON's test bed (${facts.clouds_yaml}).`);
  }
  const offset = facts.manila.port - BASE_MANILA_PORT;
  const envOffset = Number(process.env.MP_TESTBED_PORT_OFFSET ?? '0');
  if (envOffset !== offset) {
    die(`the test bed of ${json} listens with port offset ${offset}, but MP_TESTBED_PORT_OFFSET is ${process.env.MP_TESTBED_PORT_OFFSET ?? 'unset'}: testbed.sh reset would reach another test bed. Use the env its testbed.sh env prints.`);
  }
  const release = facts.release ?? 'zed';
  if (process.env.MP_TESTBED_RELEASE && process.env.MP_TESTBED_RELEASE !== release) {
    die(`MP_TESTBED_RELEASE is ${process.env.MP_TESTBED_RELEASE} but ${json} is a ${release} test bed.`);
  }
  if (!facts.fixtures.some((f) => f.share_network.name === MIGRATION_SHARE_NETWORK)) die(`${json} has no fixture ${MIGRATION_SHARE_NETWORK}.`);
  return facts;
}

/** `testbed.sh <command>` for exactly this test bed (release, state dir and port offset pinned). */
function testbedSh(facts: Facts, command: 'reset'): void {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    MP_TESTBED_RELEASE: facts.release ?? 'zed',
    MP_TESTBED_DIR: facts.state_dir,
    MP_TESTBED_PORT_OFFSET: String(facts.manila.port - BASE_MANILA_PORT),
  };
  process.stderr.write(`== testbed.sh ${command} (${env.MP_TESTBED_RELEASE}, ${facts.state_dir}, port offset ${env.MP_TESTBED_PORT_OFFSET})\n`);
  execFileSync('bash', [TESTBED_SH, command], { env, stdio: ['ignore', process.stderr, 'inherit'], timeout: 900_000 });
}

// ---- normalisation ------------------------------------------------------------------------

/** A UUID, also with underscores (the dummy driver's export paths: `share_<id>_<id>`). */
const UUID = /[0-9a-f]{8}([-_])[0-9a-f]{4}\1[0-9a-f]{4}\1[0-9a-f]{4}\1[0-9a-f]{12}/gi;
const uuidKey = (id: string): string => id.replace(/_/g, '-').toLowerCase();
const HEX32 = /\b[0-9a-f]{32}\b/gi;
const TIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})?$/;

/** The kind of id a key holds. */
const KEY_KIND: Record<string, string> = {
  share_server_id: 'share-server',
  source_share_server_id: 'share-server',
  destination_share_server_id: 'share-server',
  share_network_id: 'share-network',
  share_network: 'share-network',
  share_network_subnet_id: 'share-network-subnet',
  share_network_subnet_ids: 'share-network-subnet',
  share_id: 'share',
  share_instance_id: 'share-instance',
  snapshot_id: 'snapshot',
  share_type: 'share-type',
  share_type_id: 'share-type',
  project_id: 'project',
  tenant_id: 'project',
  user_id: 'user',
};
/** The kind of the objects a collection key holds (for their `id`). */
const COLLECTION_KIND: Record<string, string> = {
  share_servers: 'share-server',
  share_server: 'share-server',
  share_networks: 'share-network',
  share_network: 'share-network',
  share_network_subnets: 'share-network-subnet',
  shares: 'share',
  share: 'share',
  snapshots: 'snapshot',
  snapshot: 'snapshot',
  share_types: 'share-type',
  share_type: 'share-type',
  access_list: 'access-rule',
  access: 'access-rule',
  export_locations: 'export-location',
  share_instances: 'share-instance',
};

/** Turns ids, times, URLs and secrets into stable placeholders, consistently over one recording. */
class Normalizer {
  private readonly names = new Map<string, string>();
  private readonly counters = new Map<string, number>();
  private readonly literals: Array<[string, string]> = [];

  /** Gives `id` the placeholder `<kind:label>` (label: the next number of that kind when omitted). */
  public name(id: string, kind: string, label?: string | number): string {
    const key = uuidKey(id);
    const known = this.names.get(key);
    if (known) return known;
    let l = label;
    if (l === undefined) {
      const n = (this.counters.get(kind) ?? 0) + 1;
      this.counters.set(kind, n);
      l = n;
    } else {
      // new ids of a kind come after the known ones: `<export-location:7>` after `<export-location:6.3>`
      const n = typeof l === 'number' ? l : parseInt(l, 10);
      if (Number.isFinite(n)) this.counters.set(kind, Math.max(this.counters.get(kind) ?? 0, n));
    }
    const p = `<${kind}:${l}>`;
    this.names.set(key, p);
    return p;
  }

  /** Replaces every occurrence of `text` (a URL, a secret) with `placeholder`. */
  public literal(text: string | undefined, placeholder: string): void {
    if (text && text.length >= 4) this.literals.push([text, placeholder]);
    this.literals.sort((a, b) => b[0].length - a[0].length);
  }

  public value(v: unknown, key = '', collection = ''): unknown {
    if (typeof v === 'string') return this.string(v, key, collection);
    if (Array.isArray(v)) return v.map((x) => this.value(x, key, key || collection));
    if (v && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) out[k] = this.value(x, k, key || collection);
      return out;
    }
    return v;
  }

  private string(s: string, key: string, collection: string): string {
    if (TIME.test(s)) return '<time>';
    let out = s;
    for (const [text, p] of this.literals) out = out.split(text).join(p);
    const whole = UUID.test(out) && out.replace(UUID, '') === '';
    UUID.lastIndex = 0;
    const kind = KEY_KIND[key] ?? (key === 'id' ? COLLECTION_KIND[collection] : undefined);
    out = out.replace(UUID, (id) => this.names.get(uuidKey(id)) ?? this.name(id, whole && kind ? kind : 'uuid'));
    out = out.replace(HEX32, (id) => this.names.get(id.toLowerCase()) ?? this.name(id, kind === 'project' || kind === 'user' ? kind : 'hex-id'));
    return out;
  }

  /** Fails when a secret survived (it never should: secrets are not in Manila's answers). */
  public assertNoSecret(text: string, secrets: readonly string[]): void {
    for (const s of secrets) if (s.length >= 6 && text.includes(s)) throw new Error('a test bed secret is in the recording; refusing to write it');
  }
}

/** Sorted keys of every object in `body`, by path (`share_servers[]`: the union over the items). */
function keySets(body: unknown): Record<string, string[]> {
  const acc = new Map<string, Set<string>>();
  const walk = (v: unknown, p: string): void => {
    if (Array.isArray(v)) {
      for (const x of v) walk(x, `${p}[]`);
    } else if (v && typeof v === 'object') {
      const set = acc.get(p) ?? new Set<string>();
      acc.set(p, set);
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
        set.add(k);
        walk(x, p ? `${p}.${k}` : k);
      }
    }
  };
  walk(body, '');
  return Object.fromEntries([...acc.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([p, s]) => [p === '' ? '.' : p, [...s].sort()]));
}

// ---- recording ----------------------------------------------------------------------------

interface CallOptions {
  readonly query?: Record<string, string | undefined>;
  readonly body?: unknown;
  readonly experimental?: boolean;
  readonly idempotent?: boolean;
  /** Why the call is made, for the reader of the fixture. */
  readonly note?: string;
}

/** One recorded exchange. */
interface RecordedCall {
  readonly name: string;
  readonly note?: string;
  readonly method: string;
  readonly path: string;
  readonly query?: Record<string, string>;
  readonly requestBody?: unknown;
  readonly microversion: string;
  readonly experimental?: boolean;
  readonly status: number | null;
  readonly responseMicroversion?: string;
  readonly body: unknown;
  readonly keys: Record<string, string[]>;
  readonly error?: string;
}

interface Answer {
  readonly status: number | null;
  readonly body: unknown;
}

class Recorder {
  public readonly groups = new Map<string, RecordedCall[]>();
  constructor(
    private readonly client: ManilaClient,
    private readonly norm: Normalizer,
    private readonly microversion: string,
  ) {}

  /** Sends one call through `client.request()` and records it in `group` unless `record` is false. */
  public async call(group: string, name: string, method: 'GET' | 'POST' | 'PUT', p: string, opts: CallOptions = {}, record = true): Promise<Answer> {
    let status: number | null = null;
    let body: unknown = null;
    let respVersion: string | undefined;
    let error: string | undefined;
    try {
      const res = await this.client.request(name, method, p, {
        query: opts.query,
        body: opts.body,
        experimental: opts.experimental,
        idempotent: opts.idempotent ?? method === 'GET',
        expect: ANY_STATUS,
      });
      status = res.status;
      body = res.body ?? null;
      const h = res.headers['x-openstack-manila-api-version'];
      respVersion = Array.isArray(h) ? h[0] : h;
    } catch (e) {
      if (e instanceof ManilaApiError) {
        status = e.status;
        body = { [e.fault ?? 'fault']: { code: e.status, message: e.manilaMessage } };
      } else if (e instanceof ProtocolError) {
        error = e.message;
      } else {
        throw e;
      }
    }
    if (record) this.add(group, name, method, p, opts, status, body, respVersion, error);
    return { status, body };
  }

  /** Records an answer already obtained (a poll's distinct state). */
  public add(
    group: string,
    name: string,
    method: string,
    p: string,
    opts: CallOptions,
    status: number | null,
    body: unknown,
    respVersion?: string,
    error?: string,
  ): void {
    const n = (v: unknown): unknown => this.norm.value(v);
    const query = opts.query
      ? Object.fromEntries(
          Object.entries(opts.query)
            .filter((e): e is [string, string] => e[1] !== undefined)
            .map(([k, v]) => [k, n(v) as string]),
        )
      : undefined;
    const normBody = n(body);
    const rec: RecordedCall = {
      name,
      ...(opts.note ? { note: opts.note } : {}),
      method,
      path: n(p) as string,
      ...(query && Object.keys(query).length ? { query } : {}),
      ...(opts.body !== undefined ? { requestBody: n(opts.body) } : {}),
      microversion: this.microversion,
      ...(opts.experimental ? { experimental: true } : {}),
      status,
      ...(respVersion ? { responseMicroversion: respVersion } : {}),
      body: normBody,
      keys: keySets(normBody),
      ...(error ? { error } : {}),
    };
    const list = this.groups.get(group) ?? [];
    list.push(rec);
    this.groups.set(group, list);
    process.stderr.write(`   ${group}: ${name} -> ${status ?? error}\n`);
  }

  /**
   * Reads a list the way the client's pager does (`limit` = the client's page size, `offset`
   * moving on; stop at an empty page or one shorter than an earlier one), recording every page.
   */
  public async pages(group: string, name: string, p: string, key: string, query: Record<string, string>, pageSize = 1000): Promise<unknown[]> {
    const items: unknown[] = [];
    let largest = 0;
    for (let offset = 0, page = 1; ; page++) {
      const a = await this.call(group, `${name} (page ${page})`, 'GET', p, { query: { ...query, limit: String(pageSize), offset: String(offset) } });
      const list = (a.body as Record<string, unknown> | null)?.[key];
      if (a.status !== 200 || !Array.isArray(list)) throw new Error(`${name}: ${a.status} without a '${key}' list`);
      items.push(...list);
      if (list.length === 0 || list.length < largest) return items;
      largest = Math.max(largest, list.length);
      offset += list.length;
      if (page > 50) throw new Error(`${name}: more than 50 pages`);
    }
  }
}

/** The body the client sends for migration_check/_start (ManilaClient.migrationBody). */
function migrationBody(host: string, flags: { writable?: boolean; nondisruptive?: boolean; preserveSnapshots?: boolean } = {}): Record<string, unknown> {
  return {
    host,
    writable: flags.writable ?? false,
    nondisruptive: flags.nondisruptive ?? false,
    preserve_snapshots: flags.preserveSnapshots ?? false,
    new_share_network_id: null,
  };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function obj(a: Answer, key: string): Record<string, unknown> | undefined {
  const v = (a.body as Record<string, unknown> | null)?.[key];
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

/** Fails the recording when a check of the cross-check does not hold. */
function ensure(cond: unknown, what: string): void {
  if (!cond) throw new Error(`cross-check failed: ${what}`);
}

// ---- the recording ------------------------------------------------------------------------

async function main(): Promise<void> {
  const out = arg('--out');
  if (!out) die('usage: record-release.ts --out test/fixtures/releases/<release> [--no-reset] [--no-final-reset] [--cloud <name>]');
  const outDir = path.resolve(out);
  let facts = readFacts();
  const release = facts.release ?? 'zed';
  if (!flag('--no-reset')) {
    testbedSh(facts, 'reset');
    facts = readFacts(); // ids change when reset rebuilds fixtures
  }

  const cloud = arg('--cloud') ?? process.env.OS_CLOUD ?? 'testbed';
  const config = resolveCloudConfig({ cloud });
  if (new URL(config.authUrl).port !== String(facts.keystone.port)) die(`cloud '${cloud}' authenticates at ${config.authUrl}, not at the test bed's Keystone (port ${facts.keystone.port}).`);
  const client = new ManilaClient({ config, maxRequestRate: Infinity });
  const norm = new Normalizer();
  const secrets = [...new Set([...(facts.secrets ?? []), ...Object.values(facts.users).map((u) => (u as { password?: string }).password ?? '')])].filter((s) => s.length >= 6);

  // Stable placeholders: the test bed's known ids first, in fixture order.
  norm.literal(facts.manila.url, '<manila>');
  norm.literal(facts.keystone.url, '<keystone>');
  norm.literal(facts.keystone.short_url, '<keystone-short>');
  for (const s of secrets) norm.literal(s, '<secret>');
  for (const [name, p] of Object.entries(facts.projects).sort(([a], [b]) => compareStrings(a, b))) norm.name(p.id, 'project', name);
  for (const [name, u] of Object.entries(facts.users).sort(([a], [b]) => compareStrings(a, b))) norm.name(u.id, 'user', name);
  for (const [name, ac] of Object.entries(facts.application_credentials ?? {})) norm.name(ac.id, 'application-credential', name);
  norm.name(facts.share_type.id, 'share-type', facts.share_type.name);
  norm.name(UNKNOWN_SERVER, 'unknown-share-server', 'x');
  const fixtures = [...facts.fixtures].sort((a, b) => a.index - b.index);
  for (const f of fixtures) {
    norm.name(f.share_network.id, 'share-network', f.index);
    norm.name(f.share.id, 'share', f.index);
    norm.name(f.share_server.id, 'share-server', f.index);
    if (f.snapshot) norm.name(f.snapshot.id, 'snapshot', f.index);
    if (f.access_rule) norm.name(f.access_rule.id, 'access-rule', f.index);
  }

  try {
    const negotiated = await client.microversion();
    const endpoint = await client.endpoint();
    process.stderr.write(`== ${release}: ${endpoint}, negotiated microversion ${negotiated} (client max ${MAX_MICROVERSION})\n`);
    const rec = new Recorder(client, norm, negotiated);

    // The rest of the stable placeholders, from the client's own reads (not recorded).
    const networks = await client.listShareNetworks();
    for (const f of fixtures) {
      const n = networks.find((x) => x.id === f.share_network.id);
      n?.subnets.forEach((s, i) => norm.name(s.id, 'share-network-subnet', n.subnets.length > 1 ? `${f.index}.${i + 1}` : f.index));
    }
    for (const f of fixtures) {
      (await client.listShareInstances(f.share.id)).forEach((s, i, all) => norm.name(s.id, 'share-instance', all.length > 1 ? `${f.index}.${i + 1}` : f.index));
      (await client.listExportLocations(f.share.id))
        .sort((a, b) => compareStrings(a.path, b.path))
        .forEach((e, i) => norm.name(e.id, 'export-location', `${f.index}.${i + 1}`));
    }

    const f1 = fixtures.find((f) => f.index === 1) ?? fixtures[0];
    const f6 = fixtures.find((f) => f.share_network.name === MIGRATION_SHARE_NETWORK)!;

    // -- versions
    const rootRel = new URL(endpoint).pathname.split('/').filter(Boolean).map(() => '..').join('/');
    const versions = await rec.call('versions', 'GET / (version discovery)', 'GET', `/${rootRel}${rootRel ? '/' : ''}`, { note: 'the client negotiates min(v2 version, 2.95) from this' });
    const v2 = ((versions.body as { versions?: Array<{ id?: string; version?: string; min_version?: string }> } | null)?.versions ?? []).find((v) => v.id?.startsWith('v2'));
    const last = rec.groups.get('versions')!;
    (last[last.length - 1] as { path: string }).path = '/';

    // -- share servers
    const list = await rec.call('share-servers', 'GET /share-servers', 'GET', '/share-servers');
    ensure((list.body as { share_servers?: unknown[] }).share_servers?.length, 'share server list');
    const show = await rec.call('share-servers', `GET /share-servers/{id} (${f1.share_network.name}'s server)`, 'GET', `/share-servers/${f1.share_server.id}`);
    ensure(parseShareServer(obj(show, 'share_server')).id === f1.share_server.id, 'show parses');
    await rec.call('share-servers', 'GET /share-servers?share_network= (the fixture helper)', 'GET', '/share-servers', { query: { share_network: f1.share_network.name } });
    ensure((await client.listShareServers()).length > 0, 'listShareServers');

    // -- services
    const services = await rec.call('services', 'GET /services?binary=manila-share', 'GET', '/services', { query: { binary: 'manila-share' } });
    ensure(((services.body as { services?: unknown[] }).services ?? []).map(parseService).length > 0, 'services parse');
    ensure((await client.listServices({ binary: 'manila-share' })).length > 0, 'listServices');
    // A disabled service, as the plan sees a destination an operator took out of service
    // (disabled_reason can be given from 2.83). Not a call the tool makes; enabled again at once.
    const withReason = compareMicroversions(negotiated, '2.83') >= 0;
    const svc = { host: DISABLED_HOST, binary: 'manila-share' };
    try {
      const d = await rec.call('services', `PUT /services/disable (${DISABLED_HOST}${withReason ? ', with disabled_reason' : ''})`, 'PUT', '/services/disable', {
        body: { ...svc, ...(withReason ? { disabled_reason: DISABLED_REASON } : {}) },
        idempotent: false,
        note: 'setup, not a call the tool makes',
      });
      ensure(d.status === 200, `disable ${DISABLED_HOST} answered ${d.status}`);
      await rec.call('services', `GET /services?binary=manila-share (${DISABLED_HOST} disabled)`, 'GET', '/services', { query: { binary: 'manila-share' } });
      ensure((await client.listServices({ binary: 'manila-share' })).find((x) => x.host === DISABLED_HOST)?.status === 'disabled', 'listServices sees the disabled service');
    } finally {
      await rec.call('services', `PUT /services/enable (${DISABLED_HOST})`, 'PUT', '/services/enable', { body: svc, idempotent: false, note: 'setup, not a call the tool makes' });
    }

    // -- pools
    const pools = await rec.call('pools', 'GET /scheduler-stats/pools/detail', 'GET', '/scheduler-stats/pools/detail');
    ((pools.body as { pools?: unknown[] }).pools ?? []).map(parsePool);
    await client.listPools();

    // -- share networks, shares, snapshots (paged)
    const nets = await rec.pages('share-networks', 'GET /share-networks/detail', '/share-networks/detail', 'share_networks', { all_tenants: '1' });
    nets.map(parseShareNetwork);
    ensure((await client.listShareNetworks()).length === new Set(nets.map((n) => (n as { id: string }).id)).size, 'listShareNetworks sees every page');
    const shares = await rec.pages('shares', 'GET /shares/detail', '/shares/detail', 'shares', { all_tenants: '1', sort_key: 'created_at', sort_dir: 'asc' });
    shares.map(parseShare);
    ensure((await client.listShares()).length === shares.length, 'listShares sees every page');
    const snaps = await rec.pages('snapshots', 'GET /snapshots/detail', '/snapshots/detail', 'snapshots', { all_tenants: '1', sort_key: 'created_at', sort_dir: 'asc' });
    snaps.map(parseSnapshot);
    ensure((await client.listSnapshots()).length === snaps.length, 'listSnapshots sees every page');

    // -- share types, access rules, export locations, instances
    const types = await rec.call('share-types', 'GET /types?is_public=all', 'GET', '/types', { query: { is_public: 'all' } });
    ((types.body as { share_types?: unknown[] }).share_types ?? []).map(parseShareType);
    await client.listShareTypes();
    const rules = await rec.call('access-rules', `GET /share-access-rules?share_id= (${f1.share.name})`, 'GET', '/share-access-rules', { query: { share_id: f1.share.id } });
    ((rules.body as { access_list?: unknown[] }).access_list ?? []).map(parseAccessRule);
    await client.listAccessRules(f1.share.id);
    const els = await rec.call('export-locations', `GET /shares/{id}/export_locations (${f1.share.name})`, 'GET', `/shares/${f1.share.id}/export_locations`);
    ((els.body as { export_locations?: unknown[] }).export_locations ?? []).map(parseExportLocation);
    await client.listExportLocations(f1.share.id);
    const inst = await rec.call('share-instances', `GET /shares/{id}/instances (${f1.share.name})`, 'GET', `/shares/${f1.share.id}/instances`);
    ((inst.body as { share_instances?: unknown[] }).share_instances ?? []).map(parseShareInstance);
    await client.listShareInstances(f1.share.id);

    // -- migration_check
    const action = (id: string): string => `/share-servers/${id}/action`;
    const check = async (name: string, id: string, body: unknown, note?: string): Promise<Answer> =>
      rec.call('migration-check', name, 'POST', action(id), { body: { migration_check: body }, experimental: true, idempotent: true, note });
    const c1 = await check(`migration_check ${f1.share_network.name}'s server to ${MIGRATION_TARGET}`, f1.share_server.id, migrationBody(MIGRATION_TARGET), 'compatible');
    if (c1.status === 200) parseCheck(c1.body);
    await check(`migration_check ${f1.share_network.name}'s server to ${MIGRATION_TARGET}, nondisruptive: true`, f1.share_server.id, migrationBody(MIGRATION_TARGET, { nondisruptive: true }), 'the dummy driver cannot: compatible false');
    await check(`migration_check ${f1.share_network.name}'s server to node1@readonly`, f1.share_server.id, migrationBody('node1@readonly'), 'the read-only driver: supported writable false');
    await check(`migration_check of an unknown share server`, UNKNOWN_SERVER, migrationBody(MIGRATION_TARGET), '404');
    await check(`migration_check to a host with #pool`, f1.share_server.id, migrationBody(`${MIGRATION_TARGET}#fake_pool_for_BETA`), '400');

    // -- one real migration: mp-sn-6's server to node1@beta
    await recordMigration(rec, client, f6);

    // -- write
    fs.mkdirSync(outDir, { recursive: true });
    const calls: unknown[] = [];
    for (const [group, list] of rec.groups) {
      const doc = { release, group, microversion: negotiated, calls: list };
      const text = JSON.stringify(doc, null, 2) + '\n';
      norm.assertNoSecret(text, secrets);
      fs.writeFileSync(path.join(outDir, `${group}.json`), text);
      for (const c of list) {
        calls.push({
          group,
          name: c.name,
          method: c.method,
          path: c.path,
          ...(c.query ? { query: c.query } : {}),
          status: c.status,
          keys: c.keys,
        });
      }
    }
    const summary = {
      release,
      recordedBy: 'scripts/record-release.ts',
      recordedAt: new Date().toISOString().slice(0, 10),
      maxMicroversion: v2?.version ?? null,
      minMicroversion: v2?.min_version ?? null,
      clientMaxMicroversion: MAX_MICROVERSION,
      /** share_api_version / OS_SHARE_API_VERSION, when set: a recording of a release below its own maximum. */
      configuredMaxMicroversion: config.maxMicroversion ?? null,
      negotiatedMicroversion: negotiated,
      osapiMaxLimit: facts.osapi_max_limit ?? null,
      hosts: facts.hosts ?? [],
      files: [...rec.groups.keys()].map((g) => `${g}.json`),
      calls,
    };
    const text = JSON.stringify(summary, null, 2) + '\n';
    norm.assertNoSecret(text, secrets);
    fs.writeFileSync(path.join(outDir, 'summary.json'), text);
    process.stderr.write(`== wrote ${rec.groups.size + 1} files to ${path.relative(process.cwd(), outDir) || outDir}\n`);
  } finally {
    await client.close();
    if (!flag('--no-final-reset')) testbedSh(readFacts(), 'reset');
  }
}

/**
 * Start, poll the source, its destination and get_progress at every state they pass through
 * (each distinct answer recorded once), complete, poll until the destination is active and
 * the source gone, then get_progress and migration_cancel on the finished migration.
 */
async function recordMigration(rec: Recorder, client: ManilaClient, f: Fixture): Promise<void> {
  const G = 'migration';
  const S = f.share_server.id;
  const action = `/share-servers/${S}/action`;
  const seen = new Set<string>();
  /** Records the answer when it differs from every earlier one of the same name. */
  const distinct = (name: string, method: string, p: string, opts: CallOptions, a: Answer, sig: unknown = a.body): void => {
    const key = `${name}\n${a.status}\n${JSON.stringify(sig)}`;
    if (seen.has(key)) return;
    seen.add(key);
    rec.add(G, name, method, p, opts, a.status, a.body);
  };
  const state = (a: Answer): string => {
    const s = obj(a, 'share_server');
    return s ? `${s.status}/${s.task_state ?? 'null'}` : `HTTP ${a.status}`;
  };

  await rec.call(G, `export locations of ${f.share.name} before`, 'GET', `/shares/${f.share.id}/export_locations`);
  await rec.call(G, `instances of ${f.share.name} before`, 'GET', `/shares/${f.share.id}/instances`);
  const check = await rec.call(G, `migration_check to ${MIGRATION_TARGET}`, 'POST', action, { body: { migration_check: migrationBody(MIGRATION_TARGET) }, experimental: true, idempotent: true });
  if (check.status !== 200 || !parseCheck(check.body).compatible) throw new Error(`${f.share_network.name}'s server cannot move to ${MIGRATION_TARGET}: ${JSON.stringify(check.body)}`);
  const started = Date.now();
  const start = await rec.call(G, `migration_start to ${MIGRATION_TARGET}`, 'POST', action, { body: { migration_start: migrationBody(MIGRATION_TARGET) }, experimental: true, idempotent: false });
  if (start.status !== 202 && start.status !== 200) throw new Error(`migration_start answered ${start.status}`);

  const progressOpts: CallOptions = { body: { migration_get_progress: null }, experimental: true, idempotent: true };
  const progress = async (note: string): Promise<Answer> => {
    const a = await rec.call(G, 'migration_get_progress', 'POST', action, progressOpts, false);
    distinct('migration_get_progress', 'POST', action, { ...progressOpts, note }, a);
    if (a.status === 200) parseProgress(a.body);
    return a;
  };
  const getServer = async (id: string, who: string): Promise<Answer> => {
    const p = `/share-servers/${id}`;
    const a = await rec.call(G, `GET ${who}`, 'GET', p, {}, false);
    distinct(`GET ${who}`, 'GET', p, { note: state(a) }, a, state(a));
    return a;
  };
  const destinations = async (): Promise<Answer> => {
    const q = { source_share_server_id: S };
    const a = await rec.call(G, 'GET /share-servers?source_share_server_id=', 'GET', '/share-servers', { query: q }, false);
    const list = ((a.body as { share_servers?: Array<Record<string, unknown>> } | null)?.share_servers ?? []).map((s) => `${s.status}/${s.task_state ?? 'null'}`);
    distinct('GET /share-servers?source_share_server_id= (the destination)', 'GET', '/share-servers', { query: q, note: list.join(', ') || 'none yet' }, a, list);
    return a;
  };

  // Phase 1: as fast as the test bed answers, so the short early states are seen too.
  let phase1Done = false;
  let src: Answer | undefined;
  for (let lastState = ''; Date.now() - started < 600_000; ) {
    await progress(`source ${lastState || 'just started'}`);
    src = await getServer(S, 'source');
    lastState = state(src);
    await destinations();
    const ts = obj(src, 'share_server')?.task_state;
    if (ts === 'migration_driver_phase1_done') {
      phase1Done = true;
      break;
    }
    if (ts === 'migration_error' || ts === 'migration_cancelled' || src.status !== 200) throw new Error(`the migration did not reach phase 1 done: ${lastState}`);
    await sleep(250);
  }
  if (!phase1Done) throw new Error('phase 1 did not finish in 10 minutes');
  await progress('source at migration_driver_phase1_done');
  await rec.call(G, `instances of ${f.share.name} at phase 1 done`, 'GET', `/shares/${f.share.id}/instances`);
  process.stderr.write(`   phase 1 done after ${((Date.now() - started) / 1000).toFixed(1)} s\n`);

  const complete = await rec.call(G, 'migration_complete', 'POST', action, { body: { migration_complete: null }, experimental: true, idempotent: false });
  const D = (complete.body as { destination_share_server_id?: string } | null)?.destination_share_server_id;
  if (complete.status !== 200 || typeof D !== 'string') throw new Error(`migration_complete answered ${complete.status} ${JSON.stringify(complete.body)}`);
  const completed = Date.now();

  // Switchover: the destination until active, the source until gone, get_progress meanwhile.
  let destActive = false;
  let srcGone = false;
  let progressAfter: Answer | undefined;
  let settledAt: number | undefined;
  while (Date.now() - completed < 300_000) {
    const d = await getServer(D, 'destination');
    const ds = obj(d, 'share_server');
    if (ds?.status === 'error') throw new Error(`the destination went to error: ${state(d)}`);
    destActive = ds?.status === 'active' && ds.task_state === 'migration_success';
    if (!srcGone) srcGone = (await getServer(S, 'source')).status === 404;
    progressAfter = await progress(srcGone ? 'source gone' : 'switchover');
    if (destActive && srcGone) {
      settledAt ??= Date.now();
      // get_progress on the deleted source answers 200 once Manila finds the active destination
      if (progressAfter.status === 200 || Date.now() - settledAt > 30_000) break;
    }
    await sleep(250);
  }
  if (!destActive || !srcGone) throw new Error(`the switchover did not end in 5 minutes (destination active: ${destActive}, source gone: ${srcGone})`);
  process.stderr.write(`   destination active, source gone ${((Date.now() - completed) / 1000).toFixed(1)} s after complete\n`);

  await rec.call(G, 'migration_get_progress after success (source id)', 'POST', action, progressOpts);
  await rec.call(G, 'migration_cancel after success (source id)', 'POST', action, { body: { migration_cancel: null }, experimental: true, idempotent: false, note: 'the migration is finished: an error' });
  await rec.call(G, 'migration_cancel after success (destination id)', 'POST', `/share-servers/${D}/action`, { body: { migration_cancel: null }, experimental: true, idempotent: false, note: 'the destination is not migrating: an error' });
  await rec.call(G, `GET destination after success`, 'GET', `/share-servers/${D}`);
  await rec.call(G, `export locations of ${f.share.name} after`, 'GET', `/shares/${f.share.id}/export_locations`);
  await rec.call(G, `instances of ${f.share.name} after`, 'GET', `/shares/${f.share.id}/instances`);
  await rec.call(G, `shares on the destination`, 'GET', '/shares/detail', { query: { all_tenants: '1', share_server_id: D } });

  // Cross-check: the client's own methods read the finished migration.
  ensure((await client.findShareServer(S)) === undefined, 'findShareServer(source) is undefined after success');
  const dest = await client.getShareServer(D);
  ensure(dest.sourceShareServerId === S && dest.taskState === 'migration_success', 'the destination names its source');
  if (progressAfter?.status === 200) ensure((await client.migrationGetProgress(S)).destinationShareServerId === D, 'migrationGetProgress(source) names the destination');
}

main().catch((e) => {
  process.stderr.write(`record-release: ${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
