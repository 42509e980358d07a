import { SimUnauthorized } from './faults';
import type { Prng } from './prng';

/**
 * The simulated Keystone v3: `POST /v3/auth/tokens` with a password or an application
 * credential, tokens that expire in virtual time, and the validation Manila's auth middleware
 * does (401 for an unknown, expired or revoked token). Application credentials never take a
 * scope (Keystone answers 401, as ks-209 shows).
 */

/** A user of the simulated cloud. */
export interface SimUser {
  readonly name: string;
  readonly password: string;
  /** Role names on the project; `admin` opens the share server APIs. */
  readonly roles: readonly string[];
}

/** An application credential. */
export interface SimAppCredential {
  readonly id: string;
  readonly name: string;
  readonly secret: string;
  /** Owner's user name. */
  readonly user: string;
}

/** A token Keystone issued. */
export interface SimToken {
  readonly value: string;
  readonly user: string;
  readonly roles: readonly string[];
  readonly issuedAt: number;
  readonly expiresAt: number;
  /** Exact virtual time of issue (revocation compares with it). */
  readonly issuedAtExact: number;
  readonly method: 'password' | 'application_credential';
}

/** Options of the simulated Keystone. */
export interface KeystoneOptions {
  readonly users: readonly SimUser[];
  readonly appCredentials?: readonly SimAppCredential[];
  /** Token lifetime in virtual ms. @default 3600000 */
  readonly tokenLifetimeMs?: number;
  readonly projectId: string;
  readonly projectName: string;
}

/** Keystone's token times: `2026-11-25T09:08:18.000000Z` (whole seconds, as fernet tokens have). */
function keystoneTime(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, '.000000Z');
}

/** The simulated Keystone. */
export class SimKeystone {
  private readonly tokens = new Map<string, SimToken>();
  private revokedBefore = -Infinity;
  /** Tokens issued, per user. */
  public readonly issued = new Map<string, number>();
  public readonly tokenLifetimeMs: number;

  constructor(private readonly opts: KeystoneOptions, private readonly rng: Prng) {
    this.tokenLifetimeMs = opts.tokenLifetimeMs ?? 3_600_000;
  }

  /** The user a request body authenticates, or a 401. */
  private authenticate(body: unknown): { user: SimUser; method: SimToken['method']; scoped: boolean } {
    const auth = (body as { auth?: { identity?: Record<string, unknown>; scope?: unknown } } | undefined)?.auth;
    const identity = auth?.identity as
      | {
          methods?: string[];
          password?: { user?: { name?: string; password?: string } };
          application_credential?: { id?: string; name?: string; secret?: string; user?: { name?: string } };
        }
      | undefined;
    const methods = identity?.methods ?? [];
    if (methods.includes('password')) {
      const u = identity?.password?.user;
      const user = this.opts.users.find((x) => x.name === u?.name && x.password === u?.password);
      if (!user) throw new SimUnauthorized('The request you have made requires authentication.');
      return { user, method: 'password', scoped: auth?.scope !== undefined };
    }
    if (methods.includes('application_credential')) {
      if (auth?.scope !== undefined) throw new SimUnauthorized('Application credentials cannot request a scope.');
      const c = identity?.application_credential;
      const cred = (this.opts.appCredentials ?? []).find(
        (x) => (c?.id ? x.id === c.id : x.name === c?.name && x.user === c?.user?.name) && x.secret === c?.secret
      );
      const user = cred && this.opts.users.find((x) => x.name === cred.user);
      if (!user) throw new SimUnauthorized('The request you have made requires authentication.');
      return { user, method: 'application_credential', scoped: true };
    }
    throw new SimUnauthorized('The request you have made requires authentication.');
  }

  /** Issues a token; returns the X-Subject-Token value and the body (with the catalog). */
  public issue(body: unknown, now: number, catalog: unknown[]): { token: SimToken; body: unknown } {
    const { user, method } = this.authenticate(body);
    const value = `gAAAAAB${this.rng.uuid().replace(/-/g, '')}${this.rng.uuid().replace(/-/g, '')}`;
    const issuedAt = Math.floor(now / 1000) * 1000;
    const token: SimToken = { value, user: user.name, roles: user.roles, issuedAt, expiresAt: issuedAt + this.tokenLifetimeMs, issuedAtExact: now, method };
    this.tokens.set(value, token);
    this.issued.set(user.name, (this.issued.get(user.name) ?? 0) + 1);
    return {
      token,
      body: {
        token: {
          methods: [method],
          user: { domain: { id: 'default', name: 'Default' }, id: `u-${user.name}`, name: user.name, password_expires_at: null },
          audit_ids: [this.rng.uuid().slice(0, 22)],
          expires_at: keystoneTime(token.expiresAt),
          issued_at: keystoneTime(issuedAt),
          project: { domain: { id: 'default', name: 'Default' }, id: this.opts.projectId, name: this.opts.projectName },
          is_domain: false,
          roles: user.roles.map((r) => ({ id: `r-${r}`, name: r })),
          catalog,
        },
      },
    };
  }

  /** The token of a request, or a 401 (unknown, expired in virtual time, or revoked). */
  public validate(value: string | undefined, now: number): SimToken {
    const t = value ? this.tokens.get(value) : undefined;
    if (!t || now >= t.expiresAt || t.issuedAtExact < this.revokedBefore) throw new SimUnauthorized();
    return t;
  }

  /** Whose token this is (also when expired or revoked), for counting. */
  public ownerOf(value: string | undefined): string | undefined {
    return value ? this.tokens.get(value)?.user : undefined;
  }

  /** Revokes every token issued before `now` (as a revocation event would). */
  public revokeAll(now: number): void {
    this.revokedBefore = now;
  }

  /** Drops expired tokens (memory stays bounded in long runs). */
  public prune(now: number): void {
    for (const [k, t] of this.tokens) if (now >= t.expiresAt) this.tokens.delete(k);
  }
}
