import type { Dispatcher } from 'undici';
import { ConfigError, ManilaApiError, MicroversionError, ProtocolError } from '../errors';
import type { CloudConfig } from './config';
import { BudgetSkipped, DEFAULT_MAX_REQUEST_RATE, RequestBudget, type RequestPriority } from './budget';
import { type Clock, systemClock } from '../util/clock';
import { dispatcherFor } from './dispatcher';
import { type Exchange, type HttpResponse, HttpTransport, type RetryOptions } from './http';
import { bodyArray, bodyObject, readAllPages } from './body';
import { ReadCosts, type ServerRead } from './read-costs';
import { KeystoneSession, type KeystoneToken, findManilaEndpoint } from './keystone';
import { RESOURCES, type ResourceKind } from './resource';
import { shareRecord } from './share-record';
import { MAX_MICROVERSION, MIN_MICROVERSION, compareMicroversions, minMicroversion, parseMicroversion } from './microversion';
import {
  type AccessRule,
  type UserMessage,
  parseMessage,
  type ExportLocation,
  type ShareInstance,
  parseExportLocation,
  parseShareInstance,
  type MigrationCheckResult,
  type MigrationParams,
  type MigrationProgress,
  type Pool,
  type Service,
  type Share,
  type ShareNetwork,
  type ShareServer,
  type ShareType,
  type Snapshot,
  parseAccessRule,
  parseCheck,
  parsePool,
  parseProgress,
  parseService,
  parseShare,
  parseShareNetwork,
  parseShareServer,
  parseShareType,
  parseSnapshot,
} from './types';

/** Options of a Manila client. */
export interface ManilaClientOptions {
  /** The cloud, from `resolveCloudConfig`. */
  readonly config: CloudConfig;
  /** Carries every request. @default an undici Agent with the cloud's TLS settings */
  readonly dispatcher?: Dispatcher;
  /** Per-request timeout for headers and body, in ms. @default 120000 (migration_check waits on an RPC to the backend) */
  readonly timeoutMs?: number;
  /** Read retries. @default 4 attempts, 0.5 s doubling to 8 s */
  readonly retry?: RetryOptions;
  /** @default systemClock */
  readonly clock?: Clock;
  /** Renew tokens this long before expiry, in ms. @default 120000 */
  readonly renewTokenBeforeMs?: number;
  /** Called after each HTTP exchange (no headers or bodies: safe to log). */
  readonly onExchange?: (e: Exchange) => void;
  /** Called once when TLS verification is off. @default a warning on stderr */
  readonly onInsecure?: (message: string) => void;
  /**
   * Most Manila requests per second, sustained (a token bucket with a burst of 10), whatever
   * the number of migrations watched. `Infinity` turns it off.
   * @default 2
   */
  readonly maxRequestRate?: number;
  /** Items asked for per page of the lists Manila caps at `osapi_max_limit`. @default 1000 */
  readonly pageSize?: number;
}

/** Query filters for share servers (exact match; an unknown key gives an empty list in Manila). */
export interface ShareServerFilters {
  readonly host?: string;
  readonly status?: string;
  readonly share_network?: string;
  readonly source_share_server_id?: string;
  readonly project_id?: string;
  readonly task_state?: string;
}

/** Options of one raw request. */
export interface RequestOptions {
  /** JSON body. */
  readonly body?: unknown;
  /** Send `X-OpenStack-Manila-API-Experimental: True`. @default false */
  readonly experimental?: boolean;
  /** Safe to resend on failure. @default true for GET */
  readonly idempotent?: boolean;
  /** Success statuses. @default any 2xx */
  readonly expect?: number[];
  /** Query parameters; undefined values are left out. */
  readonly query?: Record<string, string | undefined>;
  /** Microversion for this request only. @default the negotiated one */
  readonly microversion?: string;
  /** `display`: a request only the display needs; it throws BudgetSkipped when the budget runs low. @default 'decision' */
  readonly priority?: RequestPriority;
}

/**
 * Manila's v2 API as manila-placement needs it: share servers and their migration, services,
 * pools, share networks, shares, snapshots and access rules. Authenticates with Keystone,
 * negotiates the microversion (>= 2.57) once, sends the experimental header on migration calls.
 *
 * Reads (including `migration_check` and `migration_get_progress`, which change nothing) are
 * retried on 5xx and broken connections; `start`, `complete`, `cancel` and the resets never are:
 * the caller observes the state instead.
 */
export class ManilaClient {
  /** The cloud this client talks to. */
  public readonly config: CloudConfig;
  private readonly http: HttpTransport;
  private readonly keystone: KeystoneSession;
  private endpointPromise?: Promise<string>;
  private versionPromise?: Promise<string>;
  private readonly ownsDispatcher: boolean;
  private readonly dispatcher: Dispatcher;
  /** The longest page each paged list has answered so far (./body.ts). */
  private readonly largestPages = new Map<string, number>();

  /** The request budget every Manila call goes through. */
  public readonly budget: RequestBudget;
  private readonly pageSize: number;
  private readonly clock: Clock;
  /** What share server reads cost on this cloud, as measured. */
  public readonly readCosts = new ReadCosts();

  constructor(opts: ManilaClientOptions) {
    this.config = opts.config;
    this.ownsDispatcher = !opts.dispatcher;
    this.dispatcher = opts.dispatcher ?? dispatcherFor(opts.config, opts.onInsecure);
    const clock = opts.clock ?? systemClock;
    this.clock = clock;
    this.http = new HttpTransport({ dispatcher: this.dispatcher, timeoutMs: opts.timeoutMs, retry: opts.retry, clock, onExchange: opts.onExchange });
    this.keystone = new KeystoneSession(opts.config, this.http, { clock, renewBeforeMs: opts.renewTokenBeforeMs });
    this.budget = new RequestBudget({ ratePerSecond: opts.maxRequestRate ?? DEFAULT_MAX_REQUEST_RATE, clock });
    this.pageSize = Math.max(1, opts.pageSize ?? 1000);
  }

  /** Number of tokens issued so far. */
  public get tokensIssued(): number {
    return this.keystone.issued;
  }

  /** Closes the connections this client opened. */
  public async close(): Promise<void> {
    if (this.ownsDispatcher) await this.dispatcher.close();
  }

  /** Manila's endpoint (from the override or the catalog), without a trailing slash. */
  public endpoint(): Promise<string> {
    if (!this.endpointPromise) {
      this.endpointPromise = (async () => {
        if (this.config.endpointOverride) return this.config.endpointOverride.replace(/\/+$/, '');
        const t = await this.keystone.token();
        return findManilaEndpoint(t.catalog, this.config.interface, this.config.regionName, this.config.authUrl);
      })();
      this.endpointPromise.catch(() => (this.endpointPromise = undefined));
    }
    return this.endpointPromise;
  }

  /** The microversion used for every request: min(server max, ours, configured); at least 2.57. */
  public microversion(): Promise<string> {
    if (!this.versionPromise) {
      this.versionPromise = this.negotiate();
      this.versionPromise.catch(() => (this.versionPromise = undefined));
    }
    return this.versionPromise;
  }

  private async negotiate(): Promise<string> {
    const endpoint = await this.endpoint();
    const root = endpoint.replace(/\/v[12](\.\d+)?(\/.*)?$/, '') + '/';
    const res = await this.http.send({ operation: 'Manila version discovery', method: 'GET', url: root, idempotent: true, accept: [300] });
    const versions = (res.body as { versions?: Array<{ id?: string; version?: string; min_version?: string }> } | undefined)?.versions;
    const v2 = versions?.find((v) => typeof v.id === 'string' && v.id.startsWith('v2'));
    if (!v2 || !v2.version || !parseMicroversion(v2.version)) {
      throw new ProtocolError('Manila version discovery', `GET ${root} listed no v2 API with a microversion`);
    }
    if (compareMicroversions(v2.version, MIN_MICROVERSION) < 0) throw new MicroversionError(endpoint, v2.version);
    let ours = MAX_MICROVERSION;
    if (this.config.maxMicroversion) {
      if (!parseMicroversion(this.config.maxMicroversion) || compareMicroversions(this.config.maxMicroversion, MIN_MICROVERSION) < 0) {
        throw new ConfigError(
          'MP_CONFIG_MICROVERSION',
          `share_api_version / OS_SHARE_API_VERSION is '${this.config.maxMicroversion}'; share server migration needs at least ${MIN_MICROVERSION}.`,
          `Unset it, or set it to ${MIN_MICROVERSION} or higher.`,
        );
      }
      ours = minMicroversion(ours, this.config.maxMicroversion);
    }
    return minMicroversion(v2.version, ours);
  }

  /**
   * One authenticated Manila call (the escape hatch for calls this client does not wrap);
   * renews the token and resends once on 401. `path` is relative to the endpoint.
   */
  public async request(
    operation: string,
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    path: string,
    opts: RequestOptions = {},
  ): Promise<HttpResponse> {
    return this.call(operation, method, path, opts);
  }

  /** One call; `measured` records Manila's answer time (the budget's wait left out) in readCosts. */
  private async call(operation: string, method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, opts: RequestOptions = {}, measured?: ServerRead): Promise<HttpResponse> {
    const [endpoint, negotiated] = await Promise.all([this.endpoint(), this.microversion()]);
    const version = opts.microversion ?? negotiated;
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(opts.query ?? {})) if (v !== undefined) qs.set(k, v);
    const url = `${endpoint}${path}${qs.size ? `?${qs.toString()}` : ''}`;
    for (let attempt = 0; ; attempt++) {
      // Every send takes a token, the resend after a 401 too (a revocation must not burst).
      if (!(await this.budget.take(opts.priority))) throw new BudgetSkipped(operation);
      const token: KeystoneToken = await this.keystone.token();
      const headers: Record<string, string> = { 'x-auth-token': token.value, 'x-openstack-manila-api-version': version };
      if (opts.experimental) headers['x-openstack-manila-api-experimental'] = 'True';
      const sentAt = this.clock.now();
      try {
        const res = await this.http.send({ operation, method, url, headers, body: opts.body, idempotent: opts.idempotent ?? method === 'GET', expect: opts.expect });
        if (measured) this.readCosts.record(measured, this.clock.now() - sentAt);
        return res;
      } catch (e) {
        // A 401 comes from the auth middleware before any action runs: resending is safe.
        if (e instanceof ManilaApiError && e.status === 401 && attempt === 0) {
          this.keystone.invalidate(token);
          continue;
        }
        throw e;
      }
    }
  }

  // ---- share servers -------------------------------------------------------------------

  /** Lists share servers (all projects; admin only). */
  public async listShareServers(filters: ShareServerFilters = {}): Promise<ShareServer[]> {
    const res = await this.call('list share servers', 'GET', '/share-servers', { query: { ...filters } }, 'list');
    return bodyArray(res, 'share_servers', 'list share servers').map(parseShareServer);
  }

  /** One share server; throws MP_MANILA_NOT_FOUND when it does not exist. */
  public async getShareServer(id: string): Promise<ShareServer> {
    const res = await this.call(`get share server ${id}`, 'GET', `/share-servers/${encodeURIComponent(id)}`, {}, 'get');
    try {
      return parseShareServer(bodyObject(res, 'share_server', `get share server ${id}`));
    } catch (e) {
      if (e instanceof ProtocolError) throw e;
      throw new ProtocolError(`get share server ${id}`, `malformed share_server: ${(e as Error).message.slice(0, 200)}`);
    }
  }

  /** One share server, or `undefined` when Manila answers 404. */
  public async findShareServer(id: string): Promise<ShareServer | undefined> {
    try {
      return await this.getShareServer(id);
    } catch (e) {
      if (e instanceof ManilaApiError && e.status === 404) return undefined;
      throw e;
    }
  }

  private action(
    id: string,
    name: string,
    body: unknown,
    opts: { idempotent: boolean; expect: number[]; priority?: RequestPriority; kind?: ResourceKind },
  ): Promise<HttpResponse> {
    const r = RESOURCES[opts.kind ?? 'share-server'];
    return this.call(`${name} on ${r.noun} ${id}`, 'POST', `/${r.path}/${encodeURIComponent(id)}/action`, {
      body: { [name]: body },
      experimental: true,
      idempotent: opts.idempotent,
      expect: opts.expect,
      priority: opts.priority,
    });
  }

  private static migrationBody(p: MigrationParams, kind: ResourceKind = 'share-server'): Record<string, unknown> {
    if (kind === 'share') {
      // api/v2/shares.py: host (pool-qualified) and the four demands are mandatory. Never
      // host-assisted: the constructs refuse it, and preserve_metadata keeps a demand true.
      return {
        host: p.host,
        writable: p.writable,
        nondisruptive: p.nondisruptive,
        preserve_snapshots: p.preserveSnapshots,
        preserve_metadata: p.preserveMetadata ?? true,
        force_host_assisted_migration: false,
        new_share_network_id: p.newShareNetworkId,
        new_share_type_id: p.newShareTypeId ?? null,
      };
    }
    // All four keys are mandatory; new_share_network_id must be present in check (else 500).
    return {
      host: p.host,
      writable: p.writable,
      nondisruptive: p.nondisruptive,
      preserve_snapshots: p.preserveSnapshots,
      new_share_network_id: p.newShareNetworkId,
    };
  }

  /** `migration_check`: asks the destination whether the move can be done. Changes nothing. */
  public async migrationCheck(id: string, params: MigrationParams): Promise<MigrationCheckResult> {
    const res = await this.action(id, 'migration_check', ManilaClient.migrationBody(params), { idempotent: true, expect: [200] });
    try {
      return parseCheck(res.body);
    } catch {
      throw new ProtocolError(`migration_check on share server ${id}`, 'the body lacks `compatible`');
    }
  }

  /** `migration_start` (202). Never retried: on an unknown outcome, read the server's (or share's) task_state. */
  public async migrationStart(id: string, params: MigrationParams, kind: ResourceKind = 'share-server'): Promise<void> {
    await this.action(id, 'migration_start', ManilaClient.migrationBody(params, kind), { idempotent: false, expect: [202, 200], kind });
  }

  /**
   * `migration_complete`: for a share server 200 with the destination id; for a share 202 with
   * no body (it keeps its id: `undefined`). The switchover then runs asynchronously.
   */
  public async migrationComplete(id: string, kind?: 'share-server'): Promise<string>;
  public async migrationComplete(id: string, kind: ResourceKind): Promise<string | undefined>;
  public async migrationComplete(id: string, kind: ResourceKind = 'share-server'): Promise<string | undefined> {
    const res = await this.action(id, 'migration_complete', null, { idempotent: false, expect: [200, 202], kind });
    if (kind === 'share') return undefined;
    const d = (res.body as { destination_share_server_id?: unknown } | undefined)?.destination_share_server_id;
    if (typeof d !== 'string') throw new ProtocolError(`migration_complete on share server ${id}`, 'no destination_share_server_id');
    return d;
  }

  /** `migration_cancel` (202). Never retried. */
  public async migrationCancel(id: string, kind: ResourceKind = 'share-server'): Promise<void> {
    await this.action(id, 'migration_cancel', null, { idempotent: false, expect: [202, 200], kind });
  }

  /**
   * `migration_get_progress`: the destination's task_state and a percentage. Read-only, but a
   * synchronous RPC to the destination's driver (seconds under load): for display, not for
   * decisions. With `priority: 'display'` it throws BudgetSkipped rather than wait for the budget.
   */
  public async migrationGetProgress(id: string, opts: { priority?: RequestPriority; kind?: ResourceKind } = {}): Promise<MigrationProgress> {
    const res = await this.action(id, 'migration_get_progress', null, { idempotent: true, expect: [200], priority: opts.priority, kind: opts.kind });
    return parseProgress(res.body);
  }

  /** `reset_task_state` (admin recovery) of a share server, or of a share. `null` clears it. */
  public async resetTaskState(id: string, taskState: string | null, kind: ResourceKind = 'share-server'): Promise<void> {
    await this.action(id, 'reset_task_state', { task_state: taskState }, { idempotent: false, expect: [202, 200], kind });
  }

  /** Deletes a share server record (Manila allows it for `active` and `error` servers without shares). */
  public async deleteShareServer(id: string): Promise<void> {
    await this.call(`delete share server ${id}`, 'DELETE', `/share-servers/${encodeURIComponent(id)}`, { idempotent: false, expect: [202, 204] });
  }

  /** `reset_status` (admin recovery). */
  public async resetStatus(id: string, status: string): Promise<void> {
    await this.action(id, 'reset_status', { status }, { idempotent: false, expect: [202, 200] });
  }

  // ---- the rest of the cloud -----------------------------------------------------------

  /** Services, e.g. `{binary: 'manila-share'}`. */
  public async listServices(filters: { binary?: string; host?: string; status?: string; state?: string; zone?: string } = {}): Promise<Service[]> {
    const res = await this.call('list services', 'GET', '/services', { query: { ...filters } });
    return bodyArray(res, 'services', 'list services').map(parseService);
  }

  /** Scheduler pools with capabilities. */
  public async listPools(): Promise<Pool[]> {
    const res = await this.call('list pools', 'GET', '/scheduler-stats/pools/detail');
    return bodyArray(res, 'pools', 'list pools').map(parsePool);
  }

  /** Share networks of every project, every page. */
  public listShareNetworks(): Promise<ShareNetwork[]> {
    return this.listAll('list share networks', '/share-networks/detail', 'share_networks', { all_tenants: '1' }, parseShareNetwork);
  }

  /** Shares of every project, optionally only those on one share server; every page. */
  public listShares(filters: { share_server_id?: string; share_network_id?: string; status?: string } = {}): Promise<Share[]> {
    return this.listAll('list shares', '/shares/detail', 'shares', { all_tenants: '1', sort_key: 'created_at', sort_dir: 'asc', ...filters }, parseShare, true);
  }

  /** Snapshots of every project, optionally of one share; every page. */
  public listSnapshots(filters: { share_id?: string } = {}): Promise<Snapshot[]> {
    return this.listAll('list snapshots', '/snapshots/detail', 'snapshots', { all_tenants: '1', sort_key: 'created_at', sort_dir: 'asc', ...filters }, parseSnapshot, true);
  }

  /** Every page of a list (./body.ts, the one pager). */
  private listAll<T extends { id: string }>(
    operation: string,
    path: string,
    key: string,
    query: Record<string, string>,
    parse: (raw: unknown) => T,
    rowLimited = false,
  ): Promise<T[]> {
    return readAllPages((page) => this.call(operation, 'GET', path, { query: { ...query, ...page } }), {
      operation,
      key,
      pageSize: this.pageSize,
      parse,
      // Per list, whatever the filters: Manila caps a list the same way for every query.
      largestSeen: this.largestPages.get(path),
      onLargest: (n) => this.largestPages.set(path, Math.max(n, this.largestPages.get(path) ?? 0)),
      rowLimited,
    });
  }

  /** Share types, public and private (admin), with their `availability_zones` extra spec. */
  public async listShareTypes(): Promise<ShareType[]> {
    const res = await this.call('list share types', 'GET', '/types', { query: { is_public: 'all' } });
    return bodyArray(res, 'share_types', 'list share types').map(parseShareType);
  }

  /**
   * The projects' names, from Keystone (`GET /v3/projects`, one call), so that plans and
   * notices can name them. `undefined` when Keystone answers an error (a 403: these credentials
   * may not list projects): names are a courtesy, and every place then shows the id instead.
   */
  public async listProjectNames(): Promise<Array<{ id: string; name: string }> | undefined> {
    const operation = 'list projects (Keystone)';
    const url = `${this.config.authUrl.replace(/\/+$/, '')}/projects`;
    for (let attempt = 0; ; attempt++) {
      if (!(await this.budget.take())) throw new BudgetSkipped(operation);
      const token = await this.keystone.token();
      try {
        const res = await this.http.send({ operation, method: 'GET', url, headers: { 'x-auth-token': token.value }, idempotent: true, expect: [200] });
        const list = (res.body as { projects?: unknown } | undefined)?.projects;
        if (!Array.isArray(list)) throw new ProtocolError(operation, 'the body has no `projects` list');
        return list
          .filter((p): p is { id: string; name: string } => typeof p?.id === 'string' && typeof p?.name === 'string')
          .map((p) => ({ id: p.id, name: p.name }))
          .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      } catch (e) {
        if (e instanceof ManilaApiError && e.status === 401 && attempt === 0) {
          this.keystone.invalidate(token);
          continue;
        }
        if (e instanceof ManilaApiError) return undefined;
        throw e;
      }
    }
  }

  /** Export locations of one share: where its clients mount it. */
  public async listExportLocations(shareId: string): Promise<ExportLocation[]> {
    const res = await this.call(`list export locations of share ${shareId}`, 'GET', `/shares/${encodeURIComponent(shareId)}/export_locations`);
    return bodyArray(res, 'export_locations', `list export locations of share ${shareId}`).map(parseExportLocation);
  }

  /** One share; throws MP_MANILA_NOT_FOUND when it does not exist. */
  public async getShare(id: string): Promise<Share> {
    const res = await this.call(`get share ${id}`, 'GET', `/shares/${encodeURIComponent(id)}`);
    try {
      return parseShare(bodyObject(res, 'share', `get share ${id}`));
    } catch (e) {
      if (e instanceof ProtocolError) throw e;
      throw new ProtocolError(`get share ${id}`, `malformed share: ${(e as Error).message.slice(0, 200)}`);
    }
  }

  /**
   * The record a move of one kind follows, or `undefined` on 404: a share server, or a share
   * (./share-record.ts) with its destination instance while it migrates.
   */
  public async findMovable(kind: ResourceKind, id: string): Promise<ShareServer | undefined> {
    if (kind === 'share-server') return this.findShareServer(id);
    try {
      return shareRecord(await this.getShare(id));
    } catch (e) {
      if (e instanceof ManilaApiError && e.status === 404) return undefined;
      throw e;
    }
  }

  /** Every share instance of the cloud (admin, `GET /share_instances`): where each share migration in flight goes. */
  public async listAllShareInstances(): Promise<ShareInstance[]> {
    const res = await this.call('list share instances', 'GET', '/share_instances');
    return bodyArray(res, 'share_instances', 'list share instances').map(parseShareInstance);
  }

  /** Instances of one share (admin), with `cast_rules_to_readonly` (2.30+). */
  public async listShareInstances(shareId: string): Promise<ShareInstance[]> {
    const res = await this.call(`list instances of share ${shareId}`, 'GET', `/shares/${encodeURIComponent(shareId)}/instances`);
    return bodyArray(res, 'share_instances', `list instances of share ${shareId}`).map(parseShareInstance);
  }

  /** Manila's user messages about one resource (2.37+), every project; every page. */
  public listMessages(resourceId: string): Promise<UserMessage[]> {
    return this.listAll(`list messages about ${resourceId}`, '/messages', 'messages', { all_tenants: '1', resource_id: resourceId, sort_key: 'created_at', sort_dir: 'asc' }, parseMessage);
  }

  /** Access rules of one share (2.45+). */
  public async listAccessRules(shareId: string): Promise<AccessRule[]> {
    const res = await this.call(`list access rules of share ${shareId}`, 'GET', '/share-access-rules', { query: { share_id: shareId } });
    return bodyArray(res, 'access_list', `list access rules of share ${shareId}`).map(parseAccessRule);
  }
}
