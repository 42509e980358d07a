import type { SimContext } from './context';
import { badRequest, forbidden, notFound, routeNotFound, SimFault, SimUnauthorized } from './faults';
import type { SimKeystone, SimToken } from './keystone';
import { filterServers, page, sorted, type Query } from './lists';
import type { MigrationApi } from './migration-api';
import type { SimShare } from './model';
import type { ShareMigrationApi } from './share-migration-api';
import { allocatedByPool, allPools } from './pools';
import {
  atLeast,
  exportLocationView,
  networkView,
  parseVersion,
  poolView,
  ruleView,
  serverView,
  serviceView,
  shareInstanceViews,
  shareView,
  snapshotView,
  typeView,
  type Version,
} from './views';

/**
 * Routes one request of the simulated Manila (`/`, `/v2[/{project_id}]/...`) or Keystone
 * (`/v3/auth/tokens`) to its handler, and applies what Manila applies to every request: the
 * token (401), the admin policy of share server APIs (403), the microversion (406 outside
 * [2.0, max]) and the experimental header.
 */

/** A request as the MockAgent hands it over. */
export interface SimRequest {
  readonly method: string;
  readonly pathname: string;
  readonly query: Query;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: unknown;
}

/** What the router answers. */
export interface SimAnswer {
  readonly status: number;
  readonly body: string;
  readonly headers: Record<string, string>;
  /** Virtual ms before the answer is delivered. */
  readonly latencyMs: number;
  /** Operation name, for counting. */
  readonly op: string;
  /** Who sent it (the token's user, or the user authenticating). */
  readonly user: string;
  /** The action key of `POST .../action`. */
  readonly action?: string;
}

/** Where the simulated services listen, and the limits of this Manila. */
export interface RouterConfig {
  readonly keystoneOrigin: string;
  readonly manilaOrigin: string;
  readonly maxVersion: Version;
  readonly osapiMaxLimit: number;
  readonly projectId: string;
}

const COLLECTIONS = new Set([
  'share-servers',
  'services',
  'scheduler-stats',
  'share-networks',
  'shares',
  'snapshots',
  'types',
  'share-access-rules',
  'share_instances',
]);
const ADMIN_ONLY = new Set(['share-servers', 'services', 'scheduler-stats', 'share_instances']);
/** A share's instances (`share_instance:index`) and its migration actions (`share:migration_*`) are admin-only too. */
const isAdminOnly = (segs: readonly string[]): boolean => ADMIN_ONLY.has(segs[0]) || (segs[0] === 'shares' && (segs[2] === 'instances' || segs[2] === 'action'));

const json = (v: unknown): string => JSON.stringify(v);

export class Router {
  private requestSeq = 0;

  constructor(
    private readonly ctx: SimContext,
    private readonly keystone: SimKeystone,
    private readonly api: MigrationApi,
    private readonly shareApi: ShareMigrationApi,
    private readonly cfg: RouterConfig
  ) {}

  private requestId(): string {
    const n = (this.requestSeq++).toString(16).padStart(12, '0');
    return `req-00000000-0000-4000-8000-${n}`;
  }

  /** The catalog every token carries. */
  public catalog(): unknown[] {
    const ep = (url: string) =>
      ['public', 'internal', 'admin'].map((i) => ({ id: `${i}-${url}`, interface: i, region_id: 'RegionOne', region: 'RegionOne', url }));
    return [
      { type: 'identity', name: 'keystone', id: 'svc-identity', endpoints: ep(`${this.cfg.keystoneOrigin}/v3`) },
      { type: 'shared-file-system', name: 'manila', id: 'svc-sfs', endpoints: ep(`${this.cfg.manilaOrigin}/v2`) },
      { type: 'sharev2', name: 'manilav2', id: 'svc-sharev2', endpoints: ep(`${this.cfg.manilaOrigin}/v2/${this.cfg.projectId}`) },
    ];
  }

  /** Keystone: issue a token. */
  public keystoneRequest(r: SimRequest): SimAnswer {
    const lat = this.ctx.timings.api.token;
    const who = (
      r.body as { auth?: { identity?: { password?: { user?: { name?: string } }; application_credential?: { id?: string; user?: { name?: string } } } } }
    )?.auth?.identity;
    const user = who?.password?.user?.name ?? who?.application_credential?.user?.name ?? `appcred:${who?.application_credential?.id ?? '?'}`;
    if (r.method !== 'POST' || r.pathname.replace(/\/+$/, '') !== '/v3/auth/tokens') {
      return {
        status: 404,
        body: json({ error: { code: 404, title: 'Not Found', message: 'The resource could not be found.' } }),
        headers: { 'content-type': 'application/json' },
        latencyMs: lat,
        op: `${r.method} keystone`,
        user,
      };
    }
    try {
      const { token, body } = this.keystone.issue(r.body, this.ctx.clock.now(), this.catalog());
      return {
        status: 201,
        body: json(body),
        headers: { 'content-type': 'application/json', 'x-subject-token': token.value, 'x-openstack-request-id': this.requestId() },
        latencyMs: lat,
        op: 'POST auth/tokens',
        user: token.user,
      };
    } catch (e) {
      if (e instanceof SimUnauthorized) {
        return {
          status: 401,
          body: e.body(),
          headers: { 'content-type': 'application/json', 'www-authenticate': `Keystone uri="${this.cfg.keystoneOrigin}/v3"` },
          latencyMs: lat,
          op: 'POST auth/tokens',
          user,
        };
      }
      throw e;
    }
  }

  /** Manila: any request. */
  public manilaRequest(r: SimRequest): SimAnswer {
    const headers: Record<string, string> = { 'content-type': 'application/json', 'x-compute-request-id': this.requestId() };
    let user = '-';
    let op = `${r.method} ${r.pathname}`;
    let action: string | undefined;
    let latencyMs = this.ctx.timings.api.show;
    try {
      const path = r.pathname.replace(/\/+$/, '');
      if (path === '' || path === '/v2') {
        op = 'GET versions';
        return { status: path === '' ? 300 : 200, body: json(this.versions()), headers, latencyMs, op, user };
      }
      if (!path.startsWith('/v2/')) throw routeNotFound();
      let token: SimToken;
      try {
        token = this.keystone.validate(r.headers['x-auth-token'], this.ctx.clock.now());
      } catch (e) {
        if (e instanceof SimUnauthorized) {
          user = this.keystone.ownerOf(r.headers['x-auth-token']) ?? '-';
          return {
            status: 401,
            body: e.body(),
            headers: { 'content-type': 'application/json', 'www-authenticate': `Keystone uri="${this.cfg.keystoneOrigin}/v3"` },
            latencyMs,
            op: `${r.method} (unauthorized)`,
            user,
          };
        }
        throw e;
      }
      user = token.user;
      let segs = path.slice(4).split('/');
      if (!COLLECTIONS.has(segs[0]) && segs.length > 1) {
        if (segs[0] !== this.cfg.projectId) throw badRequest('Malformed request url');
        segs = segs.slice(1);
      }
      ({ op, action } = describe(r.method, segs, r.body));
      const v = this.version(r.headers, headers);
      if (isAdminOnly(segs) && !token.roles.includes('admin')) throw forbidden();
      const experimental = ['true', '1', 'yes', 'y', 't', 'on'].includes((r.headers['x-openstack-manila-api-experimental'] ?? '').toLowerCase());
      if (experimental) headers['x-openstack-manila-api-experimental'] = 'True';
      const base = `${this.cfg.manilaOrigin}/v2`;
      const out = this.dispatch(r, segs, v, experimental, base);
      latencyMs = out.latencyMs;
      return { status: out.status, body: out.body === undefined ? '' : json(out.body), headers, latencyMs, op, user, action };
    } catch (e) {
      if (e instanceof SimFault) return { status: e.status, body: e.body(), headers, latencyMs, op, user, action };
      throw e;
    }
  }

  private versions(): unknown {
    const max = `${this.cfg.maxVersion[0]}.${this.cfg.maxVersion[1]}`;
    return {
      versions: [
        {
          id: 'v1.0',
          status: 'DEPRECATED',
          version: '',
          min_version: '',
          updated: '2015-08-27T11:33:21Z',
          links: [{ rel: 'self', href: `${this.cfg.manilaOrigin}/v1/` }],
        },
        {
          id: 'v2.0',
          status: 'CURRENT',
          version: max,
          min_version: '2.0',
          updated: '2015-08-27T11:33:21Z',
          links: [{ rel: 'self', href: `${this.cfg.manilaOrigin}/v2/` }],
        },
      ],
    };
  }

  /** The request's microversion (2.0 when absent); 406 outside [2.0, max]. Echoed in the answer. */
  private version(h: Readonly<Record<string, string>>, out: Record<string, string>): Version {
    const raw = h['x-openstack-manila-api-version'];
    if (raw === undefined) return [2, 0];
    const v = parseVersion(raw);
    if (!v) throw badRequest(`API Version String ${raw} is of invalid format. Must be of format MajorNum.MinorNum.`);
    if (!atLeast(v, [2, 0]) || !atLeast(this.cfg.maxVersion, v)) {
      throw new SimFault(406, 'Version %(req_ver)s is not supported by the API. Minimum is %(min_ver)s and maximum is %(max_ver)s.');
    }
    out['x-openstack-manila-api-version'] = raw;
    out.vary = 'X-OpenStack-Manila-API-Version';
    return v;
  }

  private dispatch(r: SimRequest, segs: string[], v: Version, experimental: boolean, base: string): { status: number; body?: unknown; latencyMs: number } {
    const { store, timings } = this.ctx;
    const api = timings.api;
    const cap = this.cfg.osapiMaxLimit;
    const [c, id, sub] = segs;
    const list = (n: number): number => api.list + api.perItem * n;
    if (r.method === 'GET') {
      switch (c) {
        case 'share-servers': {
          if (id === undefined) {
            const rows = filterServers(store, r.query);
            // Zed loads every server (and its share network) before filtering: the cost grows with the cloud.
            return {
              status: 200,
              body: { share_servers: rows.map((s) => serverView(s, store.networks.get(s.shareNetworkId), v, false)) },
              latencyMs: list(store.servers.size),
            };
          }
          const s = store.servers.get(id);
          if (!s) throw notFound(`Share server ${id} could not be found.`);
          if (sub === 'details') return { status: 200, body: { details: { service_ip: s.ip, server_id: s.id } }, latencyMs: api.show };
          return { status: 200, body: { share_server: serverView(s, store.networks.get(s.shareNetworkId), v, true) }, latencyMs: api.show };
        }
        case 'services': {
          const now = this.ctx.clock.now();
          const rows = store.services.filter((s) =>
            [...r.query].every(([k, val]) =>
              k === 'binary' || k === 'host' || k === 'zone' || k === 'status' || k === 'state'
                ? String((s as unknown as Record<string, unknown>)[k]) === val
                : true
            )
          );
          return { status: 200, body: { services: rows.map((s) => serviceView(s, now)) }, latencyMs: list(rows.length) };
        }
        case 'scheduler-stats': {
          const allocated = allocatedByPool(store);
          const pools = allPools(this.ctx.backends.values()).map((p) => poolView(p.backend, p.name, allocated.get(p.name) ?? 0));
          return { status: 200, body: { pools }, latencyMs: list(pools.length) };
        }
        case 'share-networks': {
          const all = sorted([...store.networks.values()], r.query);
          const rows = page(all, r.query, cap, true);
          return { status: 200, body: { share_networks: rows.map(networkView) }, latencyMs: list(rows.length) };
        }
        case 'shares': {
          if (id !== undefined && id !== 'detail') {
            const sh = store.shares.get(id);
            if (!sh) throw notFound(`Share ${id} could not be found.`);
            if (sub === 'instances') return { status: 200, body: { share_instances: shareInstanceViews(sh, v) }, latencyMs: api.show };
            if (sub === 'export_locations') return { status: 200, body: { export_locations: exportLocationView(sh) }, latencyMs: api.show };
            return { status: 200, body: { share: shareView(sh, base) }, latencyMs: api.show };
          }
          let rows = [...store.shares.values()];
          // Instance filters match any instance of the share (db/sqlalchemy/api.py _process_share_filters).
          for (const key of INSTANCE_FILTERS) {
            const want = r.query.get(key);
            if (want !== undefined) rows = rows.filter((x) => instanceFacts(x).some((i) => i[key] === want));
          }
          rows = page(sorted(rows, r.query), r.query, cap, false);
          return { status: 200, body: { shares: rows.map((x) => shareView(x, base)) }, latencyMs: list(rows.length) };
        }
        case 'snapshots': {
          let rows = [...store.snapshots.values()];
          const shid = r.query.get('share_id');
          if (shid !== undefined) rows = rows.filter((x) => x.shareId === shid);
          rows = page(sorted(rows, r.query), r.query, cap, false);
          return { status: 200, body: { snapshots: rows.map((x) => snapshotView(x, base)) }, latencyMs: list(rows.length) };
        }
        case 'types':
          return {
            status: 200,
            body: { share_types: [...store.types.values()].map(typeView), volume_types: [...store.types.values()].map(typeView) },
            latencyMs: api.show,
          };
        case 'share-access-rules': {
          const shid = r.query.get('share_id');
          if (!shid) throw badRequest('Share ID not specified.');
          if (!store.shares.has(shid)) throw notFound(`Share ${shid} could not be found.`);
          const rows = [...store.rules.values()].filter((x) => x.shareId === shid);
          return { status: 200, body: { access_list: rows.map(ruleView) }, latencyMs: api.show };
        }
        case 'share_instances': {
          const shid = r.query.get('share_id');
          const rows = [...store.shares.values()].filter((x) => shid === undefined || x.id === shid).flatMap((x) => shareInstanceViews(x, v));
          return { status: 200, body: { share_instances: rows }, latencyMs: list(rows.length) };
        }
      }
    }
    if (r.method === 'POST' && c === 'share-servers' && id !== undefined && sub === 'action') {
      const key = r.body && typeof r.body === 'object' ? Object.keys(r.body as object)[0] : undefined;
      const s = store.servers.get(id);
      const lat =
        key === 'migration_check'
          ? api.check
          : key === 'migration_get_progress'
          ? s?.taskState === 'migration_driver_in_progress'
            ? api.progress
            : api.show
          : api.action;
      return { ...this.api.handle(id, r.body, v, experimental), latencyMs: lat };
    }
    if (r.method === 'POST' && c === 'shares' && id !== undefined && sub === 'action') {
      const key = r.body && typeof r.body === 'object' ? Object.keys(r.body as object)[0] : undefined;
      // get_progress asks the source host's driver only while it copies; otherwise the API answers from the task state.
      const lat = key === 'migration_get_progress' ? (store.shares.get(id)?.taskState === 'migration_driver_in_progress' ? api.progress : api.show) : api.action;
      return { ...this.shareApi.handle(id, r.body, v, experimental), latencyMs: lat };
    }
    throw routeNotFound();
  }
}

/** The share instance filters of `GET /shares/detail`, and each instance's values for them. */
const INSTANCE_FILTERS = ['status', 'host', 'share_server_id', 'share_network_id', 'share_type_id'] as const;
type InstanceFacts = Readonly<Record<(typeof INSTANCE_FILTERS)[number], string | null>>;

/** What the instance filters compare, for each instance of a share (its own, and a migration's destination). */
function instanceFacts(sh: SimShare): InstanceFacts[] {
  const own = { status: sh.status, host: sh.host, share_server_id: sh.shareServerId, share_network_id: sh.shareNetworkId, share_type_id: sh.shareTypeId };
  return sh.destination ? [own, { ...own, status: sh.destination.status, host: sh.destination.host, share_server_id: null }] : [own];
}

/** The operation a request counts under: method and path template (ids replaced), or the action (a share's prefixed `share`). */
export function describe(method: string, segs: readonly string[], body: unknown): { op: string; action?: string } {
  const [c, id, sub] = segs;
  if (method === 'POST' && (c === 'share-servers' || c === 'shares') && sub === 'action') {
    const action = body && typeof body === 'object' ? Object.keys(body as object)[0] : undefined;
    return { op: `POST ${c === 'shares' ? 'share ' : ''}action:${action ?? '?'}`, action };
  }
  if (c === 'scheduler-stats') return { op: `${method} scheduler-stats/pools/detail` };
  const tail = id === undefined ? '' : id === 'detail' ? '/detail' : `/{id}${sub ? `/${sub}` : ''}`;
  return { op: `${method} ${c}${tail}` };
}
