import { MockAgent } from 'undici';
import type { CloudConfig } from '../../lib/manila/config';
import { ManilaClient, type ManilaClientOptions } from '../../lib/manila/client';
import type { BackendSpec } from './backends';
import { VirtualClock } from './clock';
import type { FateOf, MigrationFate, SimContext, SimMigration } from './context';
import { SimKeystone, type SimAppCredential, type SimUser } from './keystone';
import { SimManager } from './manager';
import { MigrationApi } from './migration-api';
import { SimStore } from './model';
import { Prng } from './prng';
import { RequestLog } from './request-log';
import { Router, type SimAnswer, type SimRequest } from './router';
import { SimShareManager } from './share-manager';
import { ShareMigrationApi } from './share-migration-api';
import { TESTBED_TIMINGS, type TimingProfile } from './timings';
import { parseVersion } from './views';
import { populate, type WorldSpec } from './world';

/**
 * A simulated Keystone and Manila (Zed: share server migration and share migration) on an
 * undici MockAgent, in virtual time: the dispatcher and clock to hand to the real ManilaClient
 * (and through it to the real runner). Nothing listens on the origins; every request is
 * answered by the MockAgent in-process.
 */

/** Options of a simulated cloud. */
export interface SimulatedCloudOptions {
  readonly world: WorldSpec;
  /** @default a new VirtualClock */
  readonly clock?: VirtualClock;
  /** @default TESTBED_TIMINGS */
  readonly timings?: TimingProfile;
  /** Seeds ids and tokens. @default 1 */
  readonly seed?: number;
  /** Durations and failures of each migration. @default phase 1 done at the first continue call the driver allows */
  readonly fateOf?: FateOf;
  /** @default 'zed' */
  readonly release?: 'zed' | '2024.1';
  /** osapi_max_limit. @default 1000 */
  readonly osapiMaxLimit?: number;
  /** @default '2.73' (Zed) */
  readonly maxMicroversion?: string;
  /** Keystone token lifetime, virtual ms. @default 3600000 */
  readonly tokenLifetimeMs?: number;
  /** @default http://127.0.0.1:25000 */
  readonly keystoneOrigin?: string;
  /** @default http://127.0.0.1:28786 */
  readonly manilaOrigin?: string;
  /** Keep every request record (tests). @default false */
  readonly keepRequests?: boolean;
  /** Deliver answers after the profile's latencies (in virtual time). @default true */
  readonly latency?: boolean;
  /** Extra users (`admin` with the admin role always exists). */
  readonly users?: readonly SimUser[];
  readonly appCredentials?: readonly SimAppCredential[];
}

/** Password of the simulated `admin` user. */
export const SIM_ADMIN_PASSWORD = 'sim-admin-password';

function headerMap(raw: unknown): Record<string, string> {
  const h: Record<string, string> = {};
  if (Array.isArray(raw)) for (let i = 0; i < raw.length; i += 2) h[String(raw[i]).toLowerCase()] = String(raw[i + 1]);
  else if (raw && typeof raw === 'object') for (const [k, v] of Object.entries(raw as Record<string, unknown>)) h[k.toLowerCase()] = String(v);
  return h;
}

/** A simulated cloud. */
/**
 * A FateOf that gives each migration the fate of its source server's share network, by name
 * (`fallback` for any other); `cloud` is read at each start, so the cloud can be built with it.
 */
export function fatesByNetwork(cloud: () => SimulatedCloud, fates: ReadonlyMap<string, MigrationFate>, fallback: MigrationFate): FateOf {
  return (m) => {
    const c = cloud();
    const s = c.store.servers.get(m.sourceId);
    return fates.get(c.store.networks.get(s?.shareNetworkId ?? '')?.name ?? '') ?? fallback;
  };
}

export class SimulatedCloud {
  public readonly clock: VirtualClock;
  /** The dispatcher to give ManilaClient. */
  public readonly agent: MockAgent;
  /** Manila's records. */
  public readonly store: SimStore;
  public readonly log: RequestLog;
  public readonly keystone: SimKeystone;
  public readonly keystoneOrigin: string;
  public readonly manilaOrigin: string;
  private readonly ctx: SimContext;
  private readonly router: Router;
  private readonly latency: boolean;
  private readonly world: WorldSpec;
  /** Wall ms spent handling requests (the simulator's own CPU, to tell it from the runner's). */
  public handlerMs = 0;
  /** Services taken down (setDown): answered 503. */
  private readonly down = new Set<'manila' | 'keystone'>();
  /** Requests answered 503 because their service was down. */
  public outageAnswers = 0;

  constructor(opts: SimulatedCloudOptions) {
    this.clock = opts.clock ?? new VirtualClock();
    this.world = opts.world;
    this.keystoneOrigin = opts.keystoneOrigin ?? 'http://127.0.0.1:25000';
    this.manilaOrigin = opts.manilaOrigin ?? 'http://127.0.0.1:28786';
    this.latency = opts.latency ?? true;
    const seed = opts.seed ?? 1;
    const idRng = Prng.of(seed, 'ids');
    let ipSeq = 10;
    const newIp = (): string => {
      const n = ipSeq++;
      return `10.${Math.floor(n / 62500) % 256}.${Math.floor(n / 250) % 250}.${(n % 250) + 1}`;
    };
    this.store = new SimStore(() => this.clock.now());
    const timings = opts.timings ?? TESTBED_TIMINGS;
    const backends = new Map<string, BackendSpec>(opts.world.backends.map((b) => [b.host, b] as const));
    this.ctx = {
      store: this.store,
      clock: this.clock,
      backends,
      timings,
      rng: Prng.of(seed, 'manager'),
      fateOf: opts.fateOf ?? (() => ({ phase1Ms: 0 })),
      release: opts.release ?? 'zed',
      active: new Map(),
      history: [],
      newId: () => idRng.uuid(),
      newIp,
    };
    populate(this.store, opts.world, this.ctx.newId, newIp, this.clock.now());
    const users: SimUser[] = [{ name: 'admin', password: SIM_ADMIN_PASSWORD, roles: ['admin', 'member', 'reader'] }, ...(opts.users ?? [])];
    this.keystone = new SimKeystone(
      {
        users,
        appCredentials: opts.appCredentials,
        tokenLifetimeMs: opts.tokenLifetimeMs,
        projectId: opts.world.project.id,
        projectName: opts.world.project.name,
      },
      Prng.of(seed, 'tokens')
    );
    const manager = new SimManager(this.ctx);
    const shareManager = new SimShareManager(this.ctx);
    const max = parseVersion(opts.maxMicroversion ?? '2.73');
    if (!max) throw new RangeError(`maxMicroversion ${opts.maxMicroversion} is not a microversion`);
    this.router = new Router(this.ctx, this.keystone, new MigrationApi(this.ctx, manager), new ShareMigrationApi(this.ctx, shareManager), {
      keystoneOrigin: this.keystoneOrigin,
      manilaOrigin: this.manilaOrigin,
      maxVersion: max,
      osapiMaxLimit: opts.osapiMaxLimit ?? 1000,
      projectId: opts.world.project.id,
    });
    this.log = new RequestLog(opts.keepRequests ?? false);
    this.agent = new MockAgent();
    this.agent.disableNetConnect();
    this.intercept(this.keystoneOrigin, (r) => this.router.keystoneRequest(r), true);
    this.intercept(this.manilaOrigin, (r) => this.router.manilaRequest(r), false);
  }

  private intercept(origin: string, handle: (r: SimRequest) => SimAnswer, keystone: boolean): void {
    this.agent
      .get(origin)
      .intercept({ path: () => true, method: () => true })
      .reply((o) => {
        const url = new URL(o.path, origin);
        let body: unknown;
        if (typeof o.body === 'string' && o.body.length > 0) {
          try {
            body = JSON.parse(o.body);
          } catch {
            body = o.body;
          }
        }
        // A service that is down: what the load balancer in front of it answers (haproxy's 503).
        if (this.down.has(keystone ? 'keystone' : 'manila')) {
          this.outageAnswers++;
          return { statusCode: 503, data: '<html><body><h1>503 Service Unavailable</h1>\nNo server is available to handle this request.\n</body></html>', responseOptions: { headers: { 'content-type': 'text/html' } } };
        }
        const req: SimRequest = { method: o.method, pathname: url.pathname, query: new Map(url.searchParams), headers: headerMap(o.headers), body };
        this.clock.touch();
        const at = this.clock.now();
        const t0 = performance.now();
        const a = handle(req);
        this.handlerMs += performance.now() - t0;
        this.log.arrive(at, a.user, a.op, keystone);
        const record = { at, user: a.user, op: a.op, method: o.method, path: url.pathname + url.search, status: a.status, action: a.action };
        const delay = this.latency ? a.latencyMs : 0;
        if (delay <= 0) {
          this.log.done({ ...record, doneAt: at });
          return { statusCode: a.status, data: a.body, responseOptions: { headers: a.headers } };
        }
        // The answer is computed at arrival and delivered after the latency, in virtual time.
        const data = (): Promise<string> =>
          new Promise((resolve) =>
            this.clock.after(delay, () => {
              this.log.done({ ...record, doneAt: this.clock.now() });
              resolve(a.body);
            })
          );
        return { statusCode: a.status, data, responseOptions: { headers: a.headers } };
      })
      .persist();
  }

  /** A cloud config for the real client (password auth, the catalog's shared-file-system endpoint). */
  public config(user = 'admin', password = SIM_ADMIN_PASSWORD): CloudConfig {
    return {
      cloudName: 'sim',
      authUrl: `${this.keystoneOrigin}/v3`,
      auth: { type: 'password', username: user, password, userDomainName: 'Default', projectName: this.world.project.name, projectDomainName: 'Default' },
      regionName: 'RegionOne',
      interface: 'public',
      insecure: false,
    };
  }

  /** A real ManilaClient on this cloud's dispatcher and clock. */
  public client(over: Partial<ManilaClientOptions> = {}): ManilaClient {
    return new ManilaClient({ config: this.config(), dispatcher: this.agent, clock: this.clock, ...over });
  }

  /** Migrations in progress (share servers' and shares'), by source id. */
  public get activeMigrations(): ReadonlyMap<string, SimMigration> {
    return this.ctx.active;
  }

  /** Every migration started (share servers' and shares'), in start order. */
  public get migrations(): readonly SimMigration[] {
    return this.ctx.history;
  }

  /** Revokes every token issued so far: the next request of each client gets 401. */
  public revokeTokens(): void {
    this.keystone.revokeAll(this.clock.now());
  }

  /** The backends. */
  public get backends(): readonly BackendSpec[] {
    return this.world.backends;
  }

  /** Sets a service's status or state (disable a backend, take it down). */
  public setService(host: string, patch: { status?: 'enabled' | 'disabled'; state?: 'up' | 'down' }): void {
    const s = this.store.shareService(host);
    if (s) Object.assign(s, patch);
  }

  /** Takes Manila's API or Keystone down (every request answered 503 by the load balancer), or brings it back. */
  public setDown(service: 'manila' | 'keystone', down: boolean): void {
    if (down) this.down.add(service);
    else this.down.delete(service);
  }

  /** Restarts manila-share for `forMs`: the continue calls and casts of that time wait (Manila's state is in its database). */
  public restartShare(forMs: number): void {
    this.ctx.shareDownUntil = this.clock.now() + forMs;
  }

  /** Closes the MockAgent. */
  public close(): Promise<void> {
    return this.agent.close();
  }
}
