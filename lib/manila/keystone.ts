import { z } from 'zod';
import { AuthError, ManilaApiError } from '../errors';
import type { AuthConfig, CloudConfig } from './config';
import { type Clock, systemClock } from '../util/clock';
import type { HttpTransport } from './http';

/** One endpoint of a catalog service. */
export interface CatalogEndpoint {
  readonly interface: string;
  readonly region?: string;
  readonly url: string;
}

/** One service of the token's catalog. */
export interface CatalogService {
  readonly type: string;
  readonly name?: string;
  readonly endpoints: readonly CatalogEndpoint[];
}

/** A Keystone token and what came with it. The value must never be logged. */
export interface KeystoneToken {
  readonly value: string;
  readonly expiresAt: number;
  readonly issuedAt: number;
  readonly projectId?: string;
  readonly projectName?: string;
  readonly userName?: string;
  readonly roles: readonly string[];
  readonly catalog: readonly CatalogService[];
}

const tokenBodySchema = z.object({
  token: z
    .object({
      expires_at: z.string(),
      issued_at: z.string().optional(),
      project: z.object({ id: z.string(), name: z.string().optional() }).loose().optional(),
      user: z.object({ name: z.string().optional() }).loose().optional(),
      roles: z.array(z.object({ name: z.string() }).loose()).optional(),
      catalog: z
        .array(
          z
            .object({
              type: z.string(),
              name: z.string().optional(),
              endpoints: z.array(z.object({ interface: z.string(), region: z.string().nullish(), region_id: z.string().nullish(), url: z.string() }).loose()),
            })
            .loose(),
        )
        .optional(),
    })
    .loose(),
});

function scopeOf(a: { projectId?: string; projectName?: string; projectDomainId?: string; projectDomainName?: string }): unknown {
  if (a.projectId) return { project: { id: a.projectId } };
  if (a.projectName) {
    return { project: { name: a.projectName, domain: a.projectDomainId ? { id: a.projectDomainId } : { name: a.projectDomainName } } };
  }
  return undefined;
}

function userOf(a: { username?: string; userId?: string; userDomainId?: string; userDomainName?: string }): Record<string, unknown> {
  if (a.userId) return { id: a.userId };
  return { name: a.username, domain: a.userDomainId ? { id: a.userDomainId } : { name: a.userDomainName } };
}

/** The body of `POST /v3/auth/tokens` for the configured method. */
export function authRequestBody(auth: AuthConfig): unknown {
  switch (auth.type) {
    case 'password': {
      const scope = scopeOf(auth);
      return { auth: { identity: { methods: ['password'], password: { user: { ...userOf(auth), password: auth.password } } }, ...(scope ? { scope } : {}) } };
    }
    case 'v3applicationcredential': {
      const cred: Record<string, unknown> = { secret: auth.applicationCredentialSecret };
      if (auth.applicationCredentialId) cred.id = auth.applicationCredentialId;
      else {
        cred.name = auth.applicationCredentialName;
        cred.user = userOf(auth);
      }
      // Keystone answers 401 to an application credential that asks for a scope.
      return { auth: { identity: { methods: ['application_credential'], application_credential: cred } } };
    }
    case 'token': {
      const scope = scopeOf(auth);
      return { auth: { identity: { methods: ['token'], token: { id: auth.token } }, ...(scope ? { scope } : {}) } };
    }
  }
}

/** Options of a Keystone session. */
export interface KeystoneSessionOptions {
  /** Renew the token when it has less than this left, in ms. @default 120000 (or a quarter of its lifetime, if shorter) */
  readonly renewBeforeMs?: number;
  /** @default systemClock */
  readonly clock?: Clock;
}

/**
 * Holds one token for a cloud: issues it on first use, renews it before it expires and, when a
 * service answers 401, once more on demand. Concurrent callers share one request.
 */
export class KeystoneSession {
  private current?: KeystoneToken;
  private pending?: Promise<KeystoneToken>;
  private readonly renewBeforeMs: number;
  private readonly clock: Clock;
  /** Tokens issued so far (for tests and the journal). */
  public issued = 0;

  constructor(
    private readonly config: CloudConfig,
    private readonly http: HttpTransport,
    opts: KeystoneSessionOptions = {},
  ) {
    this.renewBeforeMs = opts.renewBeforeMs ?? 120_000;
    this.clock = opts.clock ?? systemClock;
  }

  /** A valid token, issued or renewed when needed. */
  public async token(): Promise<KeystoneToken> {
    const t = this.current;
    if (t) {
      const lifetime = t.expiresAt - t.issuedAt;
      const margin = Math.min(this.renewBeforeMs, lifetime / 4);
      if (this.clock.now() < t.expiresAt - margin) return t;
    }
    return this.renew();
  }

  /** Drops the token (after a 401) so that the next call issues a new one. */
  public invalidate(stale?: KeystoneToken): void {
    if (!stale || this.current === stale) this.current = undefined;
  }

  private renew(): Promise<KeystoneToken> {
    if (!this.pending) {
      this.pending = this.issue().then(
        (t) => {
          this.current = t;
          this.pending = undefined;
          return t;
        },
        (e) => {
          this.pending = undefined;
          throw e;
        },
      );
    }
    return this.pending;
  }

  private async issue(): Promise<KeystoneToken> {
    const url = `${this.config.authUrl}/auth/tokens`;
    let res;
    try {
      res = await this.http.send({ operation: 'Keystone authentication', method: 'POST', url, body: authRequestBody(this.config.auth), idempotent: true, expect: [201, 200] });
    } catch (e) {
      if (e instanceof ManilaApiError) {
        const who = this.config.cloudName ? `cloud '${this.config.cloudName}'` : 'the OS_* credentials';
        // A deleted application credential is a 404 ("Could not find Application Credential").
        if (e.status === 401 || (e.status === 404 && this.config.auth.type === 'v3applicationcredential')) {
          throw new AuthError(
            'MP_AUTH_FAILED',
            `Keystone at ${this.config.authUrl} refused the ${this.config.auth.type} credentials of ${who}: ${e.manilaMessage}` +
              (e.requestId ? ` [request ${e.requestId}]` : ''),
            this.config.auth.type === 'v3applicationcredential'
              ? 'Check application_credential_id and secret; the credential may be expired or deleted (openstack application credential list).'
              : 'Check the user name, password, domains and project in clouds.yaml or OS_* variables.',
            { status: e.status, requestId: e.requestId, cause: e },
          );
        }
        throw new AuthError('MP_AUTH_ERROR', `Keystone at ${this.config.authUrl} answered ${e.status}: ${e.manilaMessage}` + (e.requestId ? ` [request ${e.requestId}]` : ''), 'Check auth_url and the credentials; see the Keystone log for the request id.', {
          status: e.status,
          requestId: e.requestId,
          cause: e,
        });
      }
      throw e;
    }
    const subject = res.headers['x-subject-token'];
    const value = Array.isArray(subject) ? subject[0] : subject;
    const parsed = tokenBodySchema.safeParse(res.body);
    if (!value || !parsed.success) {
      throw new AuthError('MP_AUTH_ERROR', `Keystone at ${this.config.authUrl} issued no usable token (missing X-Subject-Token or token body).`, 'Check that auth_url points at Keystone v3.');
    }
    const t = parsed.data.token;
    this.issued++;
    return {
      value,
      expiresAt: Date.parse(t.expires_at),
      issuedAt: t.issued_at ? Date.parse(t.issued_at) : this.clock.now(),
      projectId: t.project?.id,
      projectName: t.project?.name,
      userName: t.user?.name,
      roles: (t.roles ?? []).map((r) => r.name),
      catalog: (t.catalog ?? []).map((s) => ({
        type: s.type,
        name: s.name,
        endpoints: s.endpoints.map((e) => ({ interface: e.interface, region: e.region_id ?? e.region ?? undefined, url: e.url })),
      })),
    };
  }
}

/** Catalog types under which Manila's v2 API is registered, in the order `openstack` tries them. */
export const MANILA_SERVICE_TYPES = ['shared-file-system', 'sharev2'] as const;

/** Picks Manila's endpoint from a catalog by service type, interface and region. */
export function findManilaEndpoint(catalog: readonly CatalogService[], iface: string, region: string | undefined, authUrl: string): string {
  for (const type of MANILA_SERVICE_TYPES) {
    for (const svc of catalog.filter((s) => s.type === type)) {
      const ep = svc.endpoints.find((e) => e.interface === iface && (!region || e.region === region));
      if (ep) return ep.url.replace(/\/+$/, '');
    }
  }
  const seen = catalog
    .filter((s) => (MANILA_SERVICE_TYPES as readonly string[]).includes(s.type))
    .flatMap((s) => s.endpoints.map((e) => `${s.type}/${e.interface}/${e.region ?? '-'}`));
  throw new AuthError(
    'MP_ENDPOINT_NOT_FOUND',
    `No Manila endpoint (types ${MANILA_SERVICE_TYPES.join(', ')}) for interface '${iface}'${region ? ` in region '${region}'` : ''} in the catalog from ${authUrl}` +
      (seen.length ? ` (it has: ${seen.join(', ')}).` : ' (it has no Manila service).'),
    'Choose the interface and region that exist (--os-interface, --os-region-name, OS_INTERFACE, OS_REGION_NAME), or set shared_file_system_endpoint_override.',
  );
}
