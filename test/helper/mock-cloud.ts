import { MockAgent } from 'undici';
import type { CloudConfig } from '../../lib/manila/config';
import { ManilaClient, type ManilaClientOptions } from '../../lib/manila/client';
import type { Clock } from '../../lib/util/clock';

/** Loopback origins that MockAgent answers for (nothing is sent on the network). */
export const KEYSTONE = 'http://127.0.0.1:15000';
export const MANILA = 'http://127.0.0.1:18786';

export const SECRET_PASSWORD = 'pw-Sup3r-S3cret-do-not-print';
export const SECRET_TOKEN = 'gAAAAAB-token-value-that-must-never-be-logged';

/** A cloud config pointing at the mock. */
export function mockConfig(over: Partial<CloudConfig> = {}): CloudConfig {
  return {
    cloudName: 'mock',
    authUrl: `${KEYSTONE}/v3`,
    auth: { type: 'password', username: 'admin', password: SECRET_PASSWORD, userDomainId: 'default', projectName: 'admin', projectDomainId: 'default' },
    interface: 'public',
    insecure: false,
    ...over,
  };
}

/** A Keystone token body with a catalog holding both Manila service types. */
export function tokenBody(opts: { expiresAt?: string; issuedAt?: string; manila?: string } = {}): object {
  const manila = opts.manila ?? MANILA;
  return {
    token: {
      methods: ['password'],
      expires_at: opts.expiresAt ?? '2099-01-01T00:00:00.000000Z',
      issued_at: opts.issuedAt ?? '2098-12-31T23:00:00.000000Z',
      project: { id: 'p1', name: 'admin' },
      user: { name: 'admin' },
      roles: [{ name: 'admin' }],
      catalog: [
        { type: 'identity', endpoints: [{ interface: 'public', region_id: 'RegionOne', url: `${KEYSTONE}/v3` }] },
        {
          type: 'sharev2',
          endpoints: [
            { interface: 'public', region_id: 'RegionOne', url: `${manila}/v2/p1` },
            { interface: 'internal', region_id: 'RegionOne', url: `${manila}/v2/p1` },
          ],
        },
        {
          type: 'shared-file-system',
          endpoints: [
            { interface: 'public', region_id: 'RegionOne', url: `${manila}/v2` },
            { interface: 'admin', region_id: 'RegionTwo', url: `${manila}/v2` },
          ],
        },
      ],
    },
  };
}

/** Versions document as Zed answers it. */
export function versionsBody(max = "2.73"): object {
  return { versions: [{ id: 'v1.0', status: 'DEPRECATED', version: '', min_version: '' }, { id: 'v2.0', status: 'CURRENT', version: max, min_version: '2.0' }] };
}

/** A clock whose time the test moves; sleeps return at once and advance it. */
export class FakeClock implements Clock {
  public sleeps: number[] = [];
  constructor(public t = Date.parse('2098-12-31T23:00:00Z')) {}
  now(): number {
    return this.t;
  }
  async sleep(ms: number): Promise<void> {
    this.sleeps.push(ms);
    this.t += ms;
  }
}

/** A recorded request. */
export interface Seen {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: unknown;
}

/**
 * MockAgent with Keystone and Manila's discovery answered, recording each request.
 * Tests add the intercepts of the calls they exercise.
 */
export function mockCloud(opts: { maxVersion?: string; tokenStatus?: number } = {}) {
  const agent = new MockAgent();
  agent.disableNetConnect();
  const seen: Seen[] = [];
  const record = (o: { method: string; path: string; headers?: unknown; body?: unknown }): void => {
    const h: Record<string, string> = {};
    const raw = o.headers as Record<string, string> | string[] | undefined;
    if (Array.isArray(raw)) for (let i = 0; i < raw.length; i += 2) h[String(raw[i]).toLowerCase()] = String(raw[i + 1]);
    else if (raw) for (const [k, v] of Object.entries(raw)) h[k.toLowerCase()] = String(v);
    seen.push({ method: o.method, path: o.path, headers: h, body: typeof o.body === 'string' ? JSON.parse(o.body) : undefined });
  };
  const keystone = agent.get(KEYSTONE);
  const manila = agent.get(MANILA);
  keystone
    .intercept({ path: '/v3/auth/tokens', method: 'POST' })
    .reply((o) => {
      record(o);
      if (opts.tokenStatus && opts.tokenStatus !== 201) {
        return { statusCode: opts.tokenStatus, data: { error: { code: opts.tokenStatus, message: 'The request you have made requires authentication.', title: 'Unauthorized' } }, responseOptions: { headers: { 'x-openstack-request-id': 'req-ks-1' } } };
      }
      return { statusCode: 201, data: tokenBody(), responseOptions: { headers: { 'x-subject-token': SECRET_TOKEN, 'content-type': 'application/json' } } };
    })
    .persist();
  manila
    .intercept({ path: '/', method: 'GET' })
    .reply((o) => {
      record(o);
      return { statusCode: 300, data: versionsBody(opts.maxVersion) };
    })
    .persist();
  const client = (over: Partial<ManilaClientOptions> = {}): ManilaClient =>
    new ManilaClient({ config: mockConfig(), dispatcher: agent, clock: new FakeClock(), retry: { baseDelayMs: 1 }, ...over });
  return { agent, keystone, manila, seen, record, client };
}
