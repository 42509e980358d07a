/**
 * What each recorded Manila release answered to the calls manila-placement makes
 * (test/fixtures/releases/<release>/, written by scripts/record-release.ts against the test
 * bed), read with the project's own parsers. Expectations that depend on the release are keyed
 * on the recorded microversions, never on the release's name, so a new recording is held to
 * what Manila documents for its microversion. docs/manila-releases.md compares the releases.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MockAgent } from 'undici';
import { ManilaClient } from '../../../lib/manila/client';
import { MAX_MICROVERSION, compareMicroversions, minMicroversion } from '../../../lib/manila/microversion';
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
} from '../../../lib/manila/types';
import { MANILA, mockCloud, mockConfig } from '../../helper/mock-cloud';

const ROOT = path.resolve(__dirname, '../../fixtures/releases');
/** The releases the test bed runs; each should be recorded. */
const EXPECTED = ['zed', 'epoxy'];
const RECORD_COMMAND: Record<string, string> = {
  zed: 'eval "$(bash scripts/testbed/testbed.sh env)" && npx ts-node --transpile-only scripts/record-release.ts --out test/fixtures/releases/zed',
  epoxy:
    'eval "$(MP_TESTBED_PORT_OFFSET=100 MP_TESTBED_RELEASE=epoxy bash scripts/testbed/testbed.sh env)" && npx ts-node --transpile-only scripts/record-release.ts --out test/fixtures/releases/epoxy',
};

interface RecordedCall {
  name: string;
  note?: string;
  method: string;
  path: string;
  query?: Record<string, string>;
  requestBody?: unknown;
  microversion: string;
  status: number | null;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  keys: Record<string, string[]>;
}
interface Summary {
  release: string;
  maxMicroversion: string;
  minMicroversion: string;
  clientMaxMicroversion: string;
  configuredMaxMicroversion: string | null;
  negotiatedMicroversion: string;
  osapiMaxLimit: number | null;
  hosts: string[];
  files: string[];
  calls: Array<{ group: string; name: string; method: string; path: string; status: number | null; keys: Record<string, string[]> }>;
}

/** Sorted keys of every object by path, as the recorder computes them. */
function keySets(body: unknown): Record<string, string[]> {
  const acc = new Map<string, Set<string>>();
  const walk = (v: unknown, p: string): void => {
    if (Array.isArray(v)) for (const x of v) walk(x, `${p}[]`);
    else if (v && typeof v === 'object') {
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

const present = fs.existsSync(ROOT) ? fs.readdirSync(ROOT).filter((d) => fs.existsSync(path.join(ROOT, d, 'summary.json'))) : [];
const releases = [...new Set([...EXPECTED, ...present])];

for (const release of releases) {
  const dir = path.join(ROOT, release);
  if (!fs.existsSync(path.join(dir, 'summary.json'))) {
    describe(`Manila ${release} as recorded`, () => {
      const reason = `test/fixtures/releases/${release}/summary.json is missing: ${release} is not recorded yet. Record it with: ${RECORD_COMMAND[release] ?? `scripts/record-release.ts --out test/fixtures/releases/${release}`}`;
      console.warn(`releases.test.ts: skipping ${release}. ${reason}`);
      test.skip(`${release}: not recorded (${reason})`, () => undefined);
    });
    continue;
  }
  describe(`Manila ${release} as recorded`, () => {
    const summary = JSON.parse(fs.readFileSync(path.join(dir, 'summary.json'), 'utf8')) as Summary;
    const groups = new Map<string, RecordedCall[]>();
    const calls = (group: string): RecordedCall[] => {
      if (!groups.has(group)) groups.set(group, (JSON.parse(fs.readFileSync(path.join(dir, `${group}.json`), 'utf8')) as { calls: RecordedCall[] }).calls);
      return groups.get(group)!;
    };
    const one = (group: string, match: string | RegExp): RecordedCall => {
      const found = calls(group).filter((c) => (typeof match === 'string' ? c.name === match : match.test(c.name)));
      if (found.length !== 1) throw new Error(`${group}: ${found.length} calls named ${match}`);
      return found[0];
    };
    const v = summary.negotiatedMicroversion;
    const atLeast = (mv: string): boolean => compareMicroversions(v, mv) >= 0;
    /** 2024.1 (18.0.0, max 2.85) and later answer get_progress early in phase 1 with 200 and empty strings. */
    const progressEarlyIs200 = compareMicroversions(summary.maxMicroversion, '2.85') >= 0;

    test('the summary names this release, its microversions and every call group file', () => {
      expect(summary.release).toBe(release);
      expect(summary.clientMaxMicroversion).toBe(MAX_MICROVERSION);
      expect(summary.negotiatedMicroversion).toBe(
        minMicroversion(summary.maxMicroversion, MAX_MICROVERSION, ...(summary.configuredMaxMicroversion ? [summary.configuredMaxMicroversion] : [])),
      );
      expect(compareMicroversions(v, '2.57')).toBeGreaterThanOrEqual(0);
      for (const f of summary.files) expect(fs.existsSync(path.join(dir, f))).toBe(true);
      const all = summary.files.flatMap((f) => calls(f.replace(/\.json$/, '')));
      expect(summary.calls.map((c) => [c.name, c.status])).toEqual(all.map((c) => [c.name, c.status]));
      for (const c of all) {
        expect(c.microversion).toBe(v);
        expect(c.keys).toEqual(keySets(c.body));
      }
    });

    test('no id, time or address of the test bed is left unnormalised', () => {
      const text = summary.files.map((f) => fs.readFileSync(path.join(dir, f), 'utf8')).join('\n');
      expect(text).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i);
      expect(text).not.toMatch(/\b[0-9a-f]{32}\b/i);
      expect(text).not.toMatch(/"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}/);
      expect(text).not.toMatch(/127\.0\.0\.1:\d+/);
    });

    test(`the client negotiates min(server max, ${MAX_MICROVERSION}) from the recorded versions document`, async () => {
      const doc = one('versions', /^GET \//);
      expect(doc.status).toBe(300);
      const v2 = (doc.body.versions as Array<{ id: string; version: string; min_version: string }>).find((x) => x.id.startsWith('v2'))!;
      expect(v2.version).toBe(summary.maxMicroversion);
      const agent = new MockAgent();
      agent.disableNetConnect();
      agent.get(MANILA).intercept({ path: '/', method: 'GET' }).reply(300, doc.body).persist();
      const client = new ManilaClient({ config: mockConfig({ endpointOverride: `${MANILA}/v2` }), dispatcher: agent });
      expect(await client.microversion()).toBe(minMicroversion(v2.version, MAX_MICROVERSION));
      if (!summary.configuredMaxMicroversion) expect(await client.microversion()).toBe(summary.negotiatedMicroversion);
      const capped = new ManilaClient({ config: mockConfig({ endpointOverride: `${MANILA}/v2`, maxMicroversion: '2.73' }), dispatcher: agent });
      expect(await capped.microversion()).toBe(minMicroversion(v2.version, '2.73'));
      await agent.close();
    });

    test('share servers: six fixtures on node1@alpha, no task, subnets from the right field', () => {
      const list = one('share-servers', 'GET /share-servers');
      expect(list.status).toBe(200);
      const servers = (list.body.share_servers as unknown[]).map(parseShareServer);
      expect(servers.map((s) => s.id).sort()).toEqual([1, 2, 3, 4, 5, 6].map((i) => `<share-server:${i}>`));
      for (const s of servers) {
        const i = s.id.replace(/\D/g, '');
        expect(s).toMatchObject({ status: 'active', host: 'node1@alpha', taskState: null, sourceShareServerId: null, shareNetworkId: `<share-network:${i}>`, shareNetworkName: `mp-sn-${i}`, projectId: '<project:demo>' });
        expect(s.shareNetworkSubnetIds).toEqual([`<share-network-subnet:${i}>`]);
      }
      // 2.70 replaced share_network_subnet_id by the list share_network_subnet_ids
      const keys = list.keys['share_servers[]'];
      expect(keys).toEqual(expect.arrayContaining(['task_state', 'source_share_server_id', 'identifier', 'is_auto_deletable']));
      expect(keys.includes('share_network_subnet_ids')).toBe(atLeast('2.70'));
      expect(keys.includes('share_network_subnet_id')).toBe(!atLeast('2.70'));
      expect(keys.includes('network_allocation_update_support')).toBe(atLeast('2.70'));
      expect(keys.includes('security_service_update_support')).toBe(atLeast('2.63'));
      expect(keys.includes('encryption_key_ref')).toBe(atLeast('2.90'));

      const show = one('share-servers', /^GET \/share-servers\/\{id\}/);
      const s = parseShareServer(show.body.share_server);
      expect(s).toMatchObject({ id: '<share-server:1>', status: 'active', taskState: null, sourceShareServerId: null, identifier: '<share-server:1>', isAutoDeletable: true, createdAt: '<time>' });
      expect(show.keys['share_server']).toEqual(expect.arrayContaining(['backend_details', 'created_at']));

      const byNetwork = one('share-servers', /share_network=/);
      expect((byNetwork.body.share_servers as unknown[]).map(parseShareServer).map((x) => x.id)).toEqual(['<share-server:1>']);
    });

    test('services: every backend enabled and up; a disabled one reads disabled (with its reason from 2.83)', () => {
      const first = one('services', 'GET /services?binary=manila-share');
      const services = (first.body.services as unknown[]).map(parseService);
      expect(services.map((s) => s.host).sort()).toEqual([...summary.hosts].sort());
      for (const s of services) expect(s).toMatchObject({ binary: 'manila-share', status: 'enabled', state: 'up', zone: 'nova', disabledReason: undefined });
      const keys = first.keys['services[]'];
      expect(keys).toEqual(expect.arrayContaining(['id', 'binary', 'host', 'zone', 'status', 'state', 'updated_at']));
      expect(keys.includes('disabled_reason')).toBe(atLeast('2.83'));
      expect(keys.includes('ensuring')).toBe(atLeast('2.86'));
      if (atLeast('2.86')) for (const raw of first.body.services as Array<{ ensuring: unknown }>) expect(raw.ensuring).toBe(false);

      const disable = one('services', /^PUT \/services\/disable/);
      expect(disable.status).toBe(200);
      const reason = (disable.requestBody as { disabled_reason?: string }).disabled_reason;
      expect(reason !== undefined).toBe(atLeast('2.83'));
      const during = (one('services', /disabled\)$/).body.services as unknown[]).map(parseService);
      const off = during.find((s) => s.status === 'disabled')!;
      expect(off.host).toBe('node1@gamma');
      expect(off.disabledReason).toBe(atLeast('2.83') ? reason : undefined);
      expect(during.filter((s) => s.status === 'disabled')).toHaveLength(1);
      expect(one('services', /^PUT \/services\/enable/).status).toBe(200);
    });

    test('pools: one DHSS pool per backend, capacities as numbers', () => {
      const pools = (one('pools', 'GET /scheduler-stats/pools/detail').body.pools as unknown[]).map(parsePool);
      expect(pools.map((p) => p.backendHost).sort()).toEqual([...summary.hosts].sort());
      for (const p of pools) {
        expect(p.pool).toBe(`fake_pool_for_${p.backendHost.split('@')[1].toUpperCase()}`);
        expect(p.name).toBe(`${p.backendHost}#${p.pool}`);
        expect(p.dhss).toBe(true);
        expect(typeof p.totalCapacityGb).toBe('number');
        expect(typeof p.freeCapacityGb).toBe('number');
        expect(p.shareBackendName).toBe(p.backendHost.split('@')[1].toUpperCase());
      }
    });

    test('share networks: cut at osapi_max_limit, read page by page, one AZ-less subnet each', () => {
      const pages = calls('share-networks');
      expect(pages.length).toBeGreaterThanOrEqual(2);
      if (summary.osapiMaxLimit) for (const p of pages) expect(p.body.share_networks.length).toBeLessThanOrEqual(summary.osapiMaxLimit);
      expect(pages.map((p) => p.query?.offset)).toEqual(pages.map((_, i) => String(pages.slice(0, i).reduce((n, q) => n + q.body.share_networks.length, 0))));
      const nets = pages.flatMap((p) => (p.body.share_networks as unknown[]).map(parseShareNetwork));
      expect(nets.map((n) => n.id).sort()).toEqual([1, 2, 3, 4, 5, 6].map((i) => `<share-network:${i}>`));
      for (const n of nets) {
        const i = n.id.replace(/\D/g, '');
        expect(n).toMatchObject({ name: `mp-sn-${i}`, projectId: '<project:demo>' });
        expect(n.status).toBe(atLeast('2.63') ? 'active' : undefined);
        expect(n.subnets).toEqual([{ id: `<share-network-subnet:${i}>`, availabilityZone: null, neutronNetId: undefined, neutronSubnetId: undefined }]);
      }
      // from 2.51 the neutron fields live on the subnets only; 2.78 gave subnets their metadata
      expect(pages[0].keys['share_networks[]']).not.toContain('neutron_net_id');
      expect(pages[0].keys['share_networks[].share_network_subnets[]']).toEqual(expect.arrayContaining(['id', 'availability_zone', 'neutron_net_id', 'neutron_subnet_id']));
      expect(pages[0].keys['share_networks[].share_network_subnets[]'].includes('metadata')).toBe(atLeast('2.78'));
    });

    test('shares and snapshots: every page parses; the fixtures on their servers', () => {
      const shares = calls('shares').flatMap((p) => (p.body.shares as unknown[]).map(parseShare));
      // Oldest first (sort_key=created_at asc): fixtures a reset rebuilt come later, so compare as a set.
      expect(shares.map((s) => s.id).sort()).toEqual([1, 2, 3, 4, 5, 6].map((i) => `<share:${i}>`));
      for (const s of shares) {
        const i = s.id.replace(/\D/g, '');
        expect(s).toMatchObject({
          name: `mp-share-${i}`,
          status: 'available',
          size: 1,
          host: 'node1@alpha#fake_pool_for_ALPHA',
          shareServerId: `<share-server:${i}>`,
          shareNetworkId: `<share-network:${i}>`,
          shareTypeId: '<share-type:dhss>',
          shareTypeName: 'dhss',
          hasReplicas: false,
          isSoftDeleted: false,
          protocol: 'NFS',
          projectId: '<project:demo>',
        });
      }
      expect(calls('shares')[0].keys['shares[]'].includes('source_backup_id')).toBe(atLeast('2.80'));
      const snaps = calls('snapshots').flatMap((p) => (p.body.snapshots as unknown[]).map(parseSnapshot));
      expect(snaps).toEqual([{ id: '<snapshot:1>', shareId: '<share:1>', status: 'available', name: 'mp-snap-1' }]);
    });

    test('the client pager reads the recorded pages as Manila served them', async () => {
      const cloud = mockCloud({ maxVersion: summary.maxMicroversion });
      for (const [group, p] of [['share-networks', '/v2/share-networks/detail'], ['shares', '/v2/shares/detail'], ['snapshots', '/v2/snapshots/detail']] as const) {
        cloud.manila
          .intercept({ path: (x) => x.startsWith(p), method: 'GET' })
          .reply((o) => {
            cloud.record(o);
            const offset = new URL(`http://x${o.path}`).searchParams.get('offset');
            const page = calls(group).find((c) => c.query?.offset === offset);
            return page ? { statusCode: 200, data: page.body } : { statusCode: 400, data: { badRequest: { code: 400, message: `no recorded page at offset ${offset}` } } };
          })
          .persist();
      }
      const client = cloud.client({ config: mockConfig({ maxMicroversion: summary.configuredMaxMicroversion ?? undefined }), maxRequestRate: Infinity });
      expect(await client.microversion()).toBe(v);
      expect((await client.listShareNetworks()).map((n) => n.id).sort()).toEqual([1, 2, 3, 4, 5, 6].map((i) => `<share-network:${i}>`));
      expect((await client.listShares()).map((s) => s.id).sort()).toEqual([1, 2, 3, 4, 5, 6].map((i) => `<share:${i}>`));
      expect((await client.listSnapshots()).map((s) => s.id)).toEqual(['<snapshot:1>']);
      // the client asked for exactly the pages the recorder read
      const asked = cloud.seen.filter((r) => r.path.startsWith('/v2/share-networks/detail')).map((r) => new URL(`http://x${r.path}`).searchParams.get('offset'));
      expect(asked).toEqual(calls('share-networks').map((c) => c.query?.offset));
      await cloud.agent.close();
    });

    test('share types, access rules, share instances', () => {
      const types = (one('share-types', 'GET /types?is_public=all').body.share_types as unknown[]).map(parseShareType);
      // driver_handles_share_servers read as a boolean (what a share placement's newShareType is checked against)
      expect(types).toEqual([{ id: '<share-type:dhss>', name: 'dhss', availabilityZones: undefined, dhss: true }]);
      const rules = (one('access-rules', /share-access-rules/).body.access_list as unknown[]).map(parseAccessRule);
      expect(rules).toEqual([{ id: '<access-rule:1>', accessType: 'ip', accessTo: '10.254.0.1', accessLevel: 'rw', state: 'active' }]);
      const inst = (one('share-instances', /instances/).body.share_instances as unknown[]).map(parseShareInstance);
      expect(inst).toEqual([{ id: '<share-instance:1>', shareId: '<share:1>', host: expect.stringMatching(/^node1@alpha#/), updatedAt: expect.any(String), status: 'available', shareServerId: '<share-server:1>', castRulesToReadonly: false }]);
    });

    test('export locations: paths on the server, one preferred, admin-only ones marked; metadata from 2.87', () => {
      const el = one('export-locations', /export_locations/);
      const locs = (el.body.export_locations as unknown[]).map(parseExportLocation);
      expect(locs.length).toBeGreaterThanOrEqual(2);
      for (const l of locs) expect(l.path).toMatch(/^\d+\.\d+\.\d+\.\d+:\/path\/to\/fake\/share\/share_<share:1>_<share-instance:1>$/);
      expect(locs.filter((l) => l.preferred)).toHaveLength(1);
      expect(locs.some((l) => l.isAdminOnly)).toBe(true);
      expect(locs.some((l) => l.isAdminOnly === false)).toBe(true);
      expect(el.keys['export_locations[]'].includes('metadata')).toBe(atLeast('2.87'));
    });

    test('migration_check: compatible to beta, refused with nondisruptive, writable false to readonly; 404 and 400 errors', () => {
      const c = (m: RegExp) => one('migration-check', m);
      const beta = c(/to node1@beta$/);
      expect(beta.status).toBe(200);
      expect(parseCheck(beta.body)).toEqual({
        compatible: true,
        requested: { writable: false, nondisruptive: false, preserve_snapshots: false, share_network_id: null, host: 'node1@beta' },
        supported: { writable: true, nondisruptive: false, preserveSnapshots: true, migrationCancel: true, migrationGetProgress: true, shareNetworkId: '<share-network:1>' },
      });
      const nd = parseCheck(c(/nondisruptive: true$/).body);
      expect(nd.compatible).toBe(false);
      expect(nd.requested.nondisruptive).toBe(true);
      expect(nd.supported.nondisruptive).toBe(false);
      const ro = parseCheck(c(/node1@readonly$/).body);
      expect(ro.compatible).toBe(true);
      expect(ro.supported.writable).toBe(false);
      const unknown = c(/unknown share server/);
      expect(unknown.status).toBe(404);
      expect(unknown.body).toEqual({ itemNotFound: { code: 404, message: 'Share server <unknown-share-server:x> could not be found.' } });
      const pool = c(/#pool/);
      expect(pool.status).toBe(400);
      expect(pool.body.badRequest.message).toBe('The destination host can not contain pool information.');
    });

    describe('one real migration (mp-sn-6 to node1@beta)', () => {
      const m = (): RecordedCall[] => calls('migration');
      const named = (n: string | RegExp): RecordedCall[] => m().filter((c) => (typeof n === 'string' ? c.name === n : n.test(c.name)));
      const ORDER = [
        'migration_starting',
        'migration_in_progress',
        'migration_driver_starting',
        'migration_driver_in_progress',
        'migration_driver_phase1_done',
        'migration_completing',
        'migration_success',
      ];

      test('start 202; the source passes through the task states in order; complete names the destination', () => {
        expect(one('migration', /^migration_start/).status).toBe(202);
        expect(one('migration', /^migration_start/).body).toBeNull();
        const src = named('GET source').filter((c) => c.status === 200).map((c) => parseShareServer(c.body.share_server));
        for (const s of src) expect(s.id).toBe('<share-server:6>');
        const ts = src.map((s) => s.taskState!);
        const idx = ts.map((t) => ORDER.indexOf(t));
        expect(idx.every((i) => i >= 0)).toBe(true);
        expect(idx).toEqual([...idx].sort((a, b) => a - b));
        expect(ts).toEqual(expect.arrayContaining(['migration_driver_in_progress', 'migration_driver_phase1_done', 'migration_completing']));
        expect(src.filter((s) => ORDER.indexOf(s.taskState!) <= ORDER.indexOf('migration_completing')).every((s) => s.status === 'server_migrating')).toBe(true);
        const complete = one('migration', 'migration_complete');
        expect(complete.status).toBe(200);
        expect(complete.body).toEqual({ destination_share_server_id: '<share-server:7>' });
        // after the switchover the source goes away: 404
        expect(named('GET source').at(-1)!.status).toBe(404);
      });

      test('the destination record: linked to its source, on node1@beta, active with migration_success at the end', () => {
        const lists = named(/source_share_server_id=/).flatMap((c) => (c.body.share_servers as unknown[]).map(parseShareServer));
        expect(lists.length).toBeGreaterThan(0);
        for (const d of lists) expect(d).toMatchObject({ id: '<share-server:7>', status: 'server_migrating_to', host: 'node1@beta', sourceShareServerId: '<share-server:6>', shareNetworkId: '<share-network:6>' });
        const final = parseShareServer(one('migration', 'GET destination after success').body.share_server);
        expect(final).toMatchObject({ id: '<share-server:7>', status: 'active', taskState: 'migration_success', sourceShareServerId: '<share-server:6>', host: 'node1@beta' });
        expect(final.shareNetworkSubnetIds).toEqual(['<share-network-subnet:6>']);
        const ds = named('GET destination').map((c) => parseShareServer(c.body.share_server).taskState!);
        expect(ds.map((t) => ORDER.indexOf(t))).toEqual([...ds.map((t) => ORDER.indexOf(t))].sort((a, b) => a - b));
      });

      test(`get_progress early in phase 1: ${progressEarlyIs200 ? '200 with empty strings, read as null' : '400 (no destination yet)'}`, () => {
        const progress = named('migration_get_progress');
        const first = progress[0];
        expect(first.note).toBe('source just started');
        if (progressEarlyIs200) {
          expect(first.status).toBe(200);
          expect(first.body).toEqual({ total_progress: 0, task_state: '', destination_share_server_id: '' });
          expect(parseProgress(first.body)).toEqual({ totalProgress: 0, taskState: null, destinationShareServerId: null });
        } else {
          expect(first.status).toBe(400);
          expect(first.body.badRequest.message).toMatch(/destination share server wasn't found|not being migrated/);
        }
        // every 200 with empty strings is read as "no destination yet"
        for (const p of progress.filter((c) => c.status === 200 && c.body.destination_share_server_id === '')) {
          expect(parseProgress(p.body)).toMatchObject({ taskState: null, destinationShareServerId: null });
        }
      });

      test('get_progress later: the destination task state, percentages up to 100, 100/migration_success after the source is gone', () => {
        const ok = named('migration_get_progress').filter((c) => c.status === 200 && c.body.destination_share_server_id !== '');
        const parsed = ok.map((c) => parseProgress(c.body));
        for (const p of parsed) expect(p.destinationShareServerId).toBe('<share-server:7>');
        const driver = parsed.filter((p) => p.taskState === 'migration_driver_in_progress').map((p) => p.totalProgress);
        expect(driver).toEqual([...driver].sort((a, b) => a - b));
        expect(parsed).toContainEqual({ totalProgress: 100, taskState: 'migration_driver_phase1_done', destinationShareServerId: '<share-server:7>' });
        const after = one('migration', 'migration_get_progress after success (source id)');
        expect(after.status).toBe(200);
        expect(parseProgress(after.body)).toEqual({ totalProgress: 100, taskState: 'migration_success', destinationShareServerId: '<share-server:7>' });
      });

      test('migration_cancel on the finished migration: 404 on the deleted source, 400 on the destination', () => {
        const src = one('migration', 'migration_cancel after success (source id)');
        expect(src.status).toBe(404);
        expect(src.body).toEqual({ itemNotFound: { code: 404, message: 'Share server <share-server:6> could not be found.' } });
        const dst = one('migration', 'migration_cancel after success (destination id)');
        expect(dst.status).toBe(400);
        // Zed 15.1.0 prints a literal %s instead of the id (fixed later)
        expect(dst.body.badRequest.message).toMatch(/^Invalid share server: Migration of share server (<share-server:7>|%s) cannot be cancelled because the provided share server is not being migrated\.$/);
      });

      test('export locations: same share path, new addresses after the move (tenants remount)', () => {
        const before = one('migration', /export locations of mp-share-6 before/).body.export_locations.map(parseExportLocation);
        const after = one('migration', /export locations of mp-share-6 after/).body.export_locations.map(parseExportLocation);
        const tail = (p: string): string => p.replace(/^[^:]+:/, '');
        const addr = (p: string): string => p.replace(/:.*$/, '');
        expect(after.map((l: { path: string }) => tail(l.path)).sort()).toEqual(before.map((l: { path: string }) => tail(l.path)).sort());
        for (const l of [...before, ...after]) expect(tail(l.path)).toBe('/path/to/fake/share/share_<share:6>_<share-instance:6>');
        const beforeAddrs = new Set(before.map((l: { path: string }) => addr(l.path)));
        expect(after.some((l: { path: string }) => !beforeAddrs.has(addr(l.path)))).toBe(true);
        expect(after.filter((l: { preferred?: boolean }) => l.preferred)).toHaveLength(1);
        const ids = new Set(before.map((l: { id: string }) => l.id));
        expect(after.every((l: { id: string }) => !ids.has(l.id))).toBe(true);
      });

      test('share instances: server_migrating at phase 1 done (rules stay rw to a writable destination), then on the destination', () => {
        const at = one('migration', /instances of mp-share-6 at phase 1 done/).body.share_instances.map(parseShareInstance);
        expect(at).toEqual([{ id: '<share-instance:6>', shareId: '<share:6>', host: 'node1@alpha#fake_pool_for_ALPHA', updatedAt: expect.any(String), status: 'server_migrating', shareServerId: '<share-server:6>', castRulesToReadonly: false }]);
        const after = one('migration', /instances of mp-share-6 after/).body.share_instances.map(parseShareInstance);
        expect(after).toEqual([{ id: '<share-instance:6>', shareId: '<share:6>', host: expect.any(String), updatedAt: expect.any(String), status: 'available', shareServerId: '<share-server:7>', castRulesToReadonly: false }]);
        const shares = one('migration', 'shares on the destination').body.shares.map(parseShare);
        expect(shares).toHaveLength(1);
        expect(shares[0]).toMatchObject({ id: '<share:6>', shareServerId: '<share-server:7>', host: 'node1@beta#fake_pool_for_BETA', status: 'available' });
      });
    });
  });
}
