/**
 * Every failure manila-placement reports is one of these classes. Each has a stable `code`
 * (match on it, never on the message), a message that says what happened and why, and a `hint`
 * that says how to fix it. Messages never carry a password, token or secret.
 */

/** Base of every error this package throws on purpose. */
export class ManilaPlacementError extends Error {
  /** Stable identifier of the failure, e.g. `MP_MANILA_CONFLICT`. */
  public readonly code: string;
  /** What to do about it, in one or two sentences. */
  public readonly hint: string;

  constructor(code: string, message: string, hint: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
    this.hint = hint;
  }

  /** A plain object for JSON output: code, message, hint and the subclass's own fields. */
  public toJSON(): Record<string, unknown> {
    const out: Record<string, unknown> = { name: this.name, code: this.code, message: this.message, hint: this.hint };
    for (const [k, v] of Object.entries(this)) {
      if (!(k in out) && k !== 'cause' && v !== undefined) out[k] = v;
    }
    return out;
  }
}

/** A configuration problem: clouds.yaml, OS_* variables, CLI flags. Found before any request. */
export class ConfigError extends ManilaPlacementError {
  constructor(code: string, message: string, hint: string, options?: { cause?: unknown }) {
    super(code, message, hint, options);
  }
}

/** Input that cannot be acted on (a declaration, a snapshot or plan file, a flag value). */
export class InputError extends ManilaPlacementError {
  constructor(code: string, message: string, hint: string, options?: { cause?: unknown }) {
    super(code, message, hint, options);
  }
}

/** Keystone refused to issue a token, or the catalog lacks what we need. */
export class AuthError extends ManilaPlacementError {
  /** HTTP status Keystone answered, when it answered. */
  public readonly status?: number;
  /** Keystone's `x-openstack-request-id`, when it answered. */
  public readonly requestId?: string;
  constructor(code: string, message: string, hint: string, extra: { status?: number; requestId?: string; cause?: unknown } = {}) {
    super(code, message, hint, { cause: extra.cause });
    this.status = extra.status;
    this.requestId = extra.requestId;
  }
}

/** Manila's error code for each HTTP status it uses; anything else is MP_MANILA_ERROR. */
const MANILA_CODES: Record<number, { code: string; hint: string }> = {
  400: { code: 'MP_MANILA_BAD_REQUEST', hint: 'Manila refused the request as invalid; its message says which value or state is wrong.' },
  401: { code: 'MP_MANILA_UNAUTHORIZED', hint: 'The token was refused. Check the credentials of the cloud you selected (OS_CLOUD or --os-cloud).' },
  403: {
    code: 'MP_MANILA_FORBIDDEN',
    hint: 'Share server APIs are admin-only in Manila by default: use credentials with the admin role (e.g. an admin cloud in clouds.yaml).',
  },
  404: { code: 'MP_MANILA_NOT_FOUND', hint: 'The server, host or network does not exist (or is disabled). Run `manila-placement refresh` and plan again.' },
  406: { code: 'MP_MANILA_NOT_ACCEPTABLE', hint: 'The requested microversion is outside what this Manila supports.' },
  409: { code: 'MP_MANILA_CONFLICT', hint: 'The server or one of its shares is not in a state that allows this; its message names the state.' },
};

/**
 * Manila answered with an error status. Carries the status, Manila's own message and the
 * request id, so the operator can find the request in Manila's logs.
 */
export class ManilaApiError extends ManilaPlacementError {
  /** HTTP status. */
  public readonly status: number;
  /** Manila's message (from `{"<fault>": {"message": ...}}`), or the raw body when it is not JSON. */
  public readonly manilaMessage: string;
  /** Manila's fault name, e.g. `conflictingRequest`. */
  public readonly fault?: string;
  /** `X-Compute-Request-Id` / `x-openstack-request-id` of the failed request. */
  public readonly requestId?: string;
  /** What we were doing, e.g. `migration_start on share server 1234`. */
  public readonly operation: string;
  /** HTTP method and path (no query secrets, no host credentials). */
  public readonly request: string;

  constructor(args: { status: number; manilaMessage: string; fault?: string; requestId?: string; operation: string; request: string }) {
    const known = MANILA_CODES[args.status];
    const code = known?.code ?? (args.status >= 500 ? 'MP_MANILA_SERVER_ERROR' : 'MP_MANILA_ERROR');
    const hint =
      known?.hint ??
      (args.status >= 500
        ? 'Manila failed internally; look up the request id in manila-api.log. Reads are retried; state-changing calls are not.'
        : 'See Manila\'s message.');
    const rid = args.requestId ? ` [request ${args.requestId}]` : '';
    super(code, `${args.operation}: Manila answered ${args.status}: ${args.manilaMessage}${rid}`, hint);
    this.status = args.status;
    this.manilaMessage = args.manilaMessage;
    this.fault = args.fault;
    this.requestId = args.requestId;
    this.operation = args.operation;
    this.request = args.request;
  }
}

/**
 * The request may or may not have reached the server: the connection broke or timed out.
 * For reads this is retried; for `start`, `complete` and `cancel` the caller must observe the
 * state before doing anything else (never resend blindly).
 */
export class TransportError extends ManilaPlacementError {
  /** What we were doing. */
  public readonly operation: string;
  /** HTTP method and path. */
  public readonly request: string;
  /** True when the request was sent and the outcome is unknown. */
  public readonly outcomeUnknown: boolean;
  constructor(code: 'MP_TIMEOUT' | 'MP_CONNECTION', args: { operation: string; request: string; detail: string; outcomeUnknown: boolean; cause?: unknown }) {
    super(
      code,
      `${args.operation}: ${code === 'MP_TIMEOUT' ? 'no answer in time' : 'connection failed'} (${args.detail})`,
      args.outcomeUnknown
        ? 'The request may have been applied. Run `manila-placement status` to see what Manila shows, then apply again: the runner reads the state before acting.'
        : 'Check that the endpoint is reachable (auth_url, region, interface) and try again.',
      { cause: args.cause },
    );
    this.operation = args.operation;
    this.request = args.request;
    this.outcomeUnknown = args.outcomeUnknown;
  }
}

/** The server's TLS certificate could not be verified. Nothing was sent. */
export class TlsError extends ManilaPlacementError {
  constructor(operation: string, origin: string, detail: string, cause?: unknown) {
    super(
      'MP_TLS',
      `${operation}: the TLS certificate of ${origin} could not be verified (${detail})`,
      "Give the CA that signed it with 'cacert' in clouds.yaml, OS_CACERT or --os-cacert. (insecure: true / --insecure skips verification, with a warning: not for production.)",
      { cause },
    );
  }
}

/** Manila answered 2xx with a body we cannot understand. */
export class ProtocolError extends ManilaPlacementError {
  constructor(operation: string, detail: string) {
    super('MP_PROTOCOL', `${operation}: unexpected answer from Manila: ${detail}`, 'This Manila answers differently from the documented API; please report it with the request above.');
  }
}

/** The endpoint's Manila is too old for share server migration. */
export class MicroversionError extends ManilaPlacementError {
  constructor(endpoint: string, max: string) {
    super(
      'MP_MICROVERSION_UNSUPPORTED',
      `The Manila at ${endpoint} supports API microversions up to ${max}; share server migration needs 2.57 (Victoria) or later.`,
      'Upgrade Manila to Victoria (11.0.0) or later, or point manila-placement at another cloud.',
    );
  }
}

/** A wait ran past its deadline. */
export class DeadlineError extends ManilaPlacementError {
  constructor(what: string, seconds: number, hint: string) {
    super('MP_DEADLINE', `${what}: still not done after ${seconds} s`, hint);
  }
}
