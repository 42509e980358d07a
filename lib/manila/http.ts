import { type Dispatcher, errors as undiciErrors } from 'undici';
import { ManilaApiError, ProtocolError, TlsError, TransportError } from '../errors';
import { type Clock, systemClock } from '../util/clock';

/** One HTTP exchange as the journal records it: never headers, never bodies of auth calls. */
export interface Exchange {
  readonly operation: string;
  readonly method: string;
  /** Path and query only. */
  readonly path: string;
  readonly status?: number;
  readonly requestId?: string;
  readonly attempt: number;
  readonly durationMs: number;
  /** Error code when there was no HTTP answer. */
  readonly error?: string;
}

/** Retry policy for requests that are safe to repeat. */
export interface RetryOptions {
  /** Total attempts for a read, the first included. @default 4 */
  readonly attempts?: number;
  /** First backoff delay in ms; doubles each time. @default 500 */
  readonly baseDelayMs?: number;
  /** Longest backoff delay in ms. @default 8000 */
  readonly maxDelayMs?: number;
}

/** How much longer than `timeoutMs` a retry after a timeout may wait (see HttpTransport.send). */
export const TIMEOUT_GROWTH_CAP = 4;

/** Transport options. */
export interface HttpTransportOptions {
  /** The undici dispatcher that carries every request (an Agent, a MockAgent, a ProxyAgent...). */
  readonly dispatcher: Dispatcher;
  /** Time to wait for response headers and between body chunks, in ms. @default 120000 */
  readonly timeoutMs?: number;
  /** Read retries. */
  readonly retry?: RetryOptions;
  /** Clock for backoff. @default systemClock */
  readonly clock?: Clock;
  /** Called after every exchange (for the journal and --debug). */
  readonly onExchange?: (e: Exchange) => void;
}

/** A request. */
export interface HttpRequest {
  /** What we are doing, for messages: e.g. `migration_start on share server 1234`. */
  readonly operation: string;
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  readonly url: string;
  readonly headers?: Record<string, string>;
  /** JSON body; `undefined` sends none. */
  readonly body?: unknown;
  /** Safe to resend after a failure (reads, and POSTs that only read, like migration_check). */
  readonly idempotent: boolean;
  /** Statuses that count as success. @default any 2xx */
  readonly expect?: readonly number[];
  /** Statuses returned to the caller instead of thrown (e.g. 300 from version discovery). */
  readonly accept?: readonly number[];
}

/** A successful answer. */
export interface HttpResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON, or `undefined` for an empty body. */
  readonly body: unknown;
  readonly requestId?: string;
}

const RETRY_STATUSES = new Set([500, 502, 503, 504]);

function requestIdOf(headers: Record<string, string | string[] | undefined>): string | undefined {
  const v = headers['x-openstack-request-id'] ?? headers['x-compute-request-id'];
  return Array.isArray(v) ? v[0] : v;
}

/** Turns Manila's `{"<fault>": {"code", "message"}}` (or Keystone's `{"error": {...}}`) into parts. */
export function parseFault(text: string): { fault?: string; message: string } {
  try {
    const doc = JSON.parse(text) as unknown;
    if (doc && typeof doc === 'object' && !Array.isArray(doc)) {
      const entries = Object.entries(doc as Record<string, unknown>);
      if (entries.length === 1) {
        const [fault, inner] = entries[0];
        if (inner && typeof inner === 'object' && typeof (inner as { message?: unknown }).message === 'string') {
          return { fault, message: (inner as { message: string }).message };
        }
      }
    }
  } catch {
    // not JSON: fall through to the text
  }
  const plain = text.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim();
  return { message: plain.slice(0, 500) || '(empty body)' };
}

/** Node's codes for a TLS peer that could not be verified. */
const TLS_CODES = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_GET_ISSUER_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_UNTRUSTED',
]);

/** True for a certificate verification failure: never retried, never an unknown outcome. */
export function isTlsVerificationError(err: unknown): boolean {
  const e = err as { code?: string; cause?: { code?: string } };
  return TLS_CODES.has(e?.code ?? '') || TLS_CODES.has(e?.cause?.code ?? '');
}

function transportCode(err: unknown): { code: 'MP_TIMEOUT' | 'MP_CONNECTION'; sent: boolean; detail: string } {
  const e = err as { code?: string; message?: string };
  const detail = e.code ?? e.message ?? String(err);
  if (err instanceof undiciErrors.HeadersTimeoutError || err instanceof undiciErrors.BodyTimeoutError) {
    return { code: 'MP_TIMEOUT', sent: true, detail };
  }
  if (err instanceof undiciErrors.ConnectTimeoutError) return { code: 'MP_TIMEOUT', sent: false, detail };
  if (e.code === 'ECONNREFUSED' || e.code === 'ENOTFOUND' || e.code === 'EAI_AGAIN') return { code: 'MP_CONNECTION', sent: false, detail };
  return { code: 'MP_CONNECTION', sent: true, detail };
}

/**
 * JSON over undici with the one retry rule that matters here: idempotent requests are retried
 * with backoff on 5xx and broken connections; others fail at once with an error that says
 * whether the request may have been applied.
 */
export class HttpTransport {
  private readonly dispatcher: Dispatcher;
  private readonly timeoutMs: number;
  private readonly attempts: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly clock: Clock;
  private readonly onExchange?: (e: Exchange) => void;

  constructor(opts: HttpTransportOptions) {
    this.dispatcher = opts.dispatcher;
    this.timeoutMs = opts.timeoutMs ?? 120_000;
    this.attempts = Math.max(1, opts.retry?.attempts ?? 4);
    this.baseDelayMs = opts.retry?.baseDelayMs ?? 500;
    this.maxDelayMs = opts.retry?.maxDelayMs ?? 8_000;
    this.clock = opts.clock ?? systemClock;
    this.onExchange = opts.onExchange;
  }

  /**
   * Sends the request; throws ManilaApiError, TransportError or ProtocolError. A retry after a
   * timeout waits twice as long as the attempt before (at most TIMEOUT_GROWTH_CAP times the
   * timeout): Manila goes on working on a request whose client gave up, so resending a slow read
   * (a list of every share server) with the same deadline only queues more of them.
   */
  public async send(req: HttpRequest): Promise<HttpResponse> {
    const max = req.idempotent ? this.attempts : 1;
    let timeoutMs = this.timeoutMs;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.once(req, attempt, timeoutMs);
      } catch (err) {
        if (err instanceof TransportError && err.code === 'MP_TIMEOUT') timeoutMs = Math.min(timeoutMs * 2, this.timeoutMs * TIMEOUT_GROWTH_CAP);
        const retriable =
          (err instanceof TransportError && (req.idempotent || !err.outcomeUnknown)) ||
          (err instanceof ManilaApiError && RETRY_STATUSES.has(err.status) && req.idempotent);
        // A non-idempotent request that surely never left (connection refused) may be sent again.
        const limit = err instanceof TransportError && !err.outcomeUnknown ? this.attempts : max;
        if (!retriable || attempt >= limit) throw err;
        const delay = Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** (attempt - 1));
        await this.clock.sleep(delay);
      }
    }
  }

  private async once(req: HttpRequest, attempt: number, timeoutMs: number): Promise<HttpResponse> {
    const url = new URL(req.url);
    const pathAndQuery = url.pathname + url.search;
    const started = this.clock.now();
    const headers: Record<string, string> = { accept: 'application/json', ...(req.headers ?? {}) };
    let body: string | undefined;
    if (req.body !== undefined) {
      body = JSON.stringify(req.body);
      headers['content-type'] = 'application/json';
    }
    let res: Dispatcher.ResponseData;
    try {
      res = await this.dispatcher.request({
        origin: url.origin,
        path: pathAndQuery,
        method: req.method,
        headers,
        body,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      });
    } catch (err) {
      if (isTlsVerificationError(err)) {
        this.onExchange?.({ operation: req.operation, method: req.method, path: pathAndQuery, attempt, durationMs: this.clock.now() - started, error: 'MP_TLS' });
        throw new TlsError(req.operation, url.origin, (err as { code?: string }).code ?? 'certificate verification failed', err);
      }
      const t = transportCode(err);
      this.onExchange?.({ operation: req.operation, method: req.method, path: pathAndQuery, attempt, durationMs: this.clock.now() - started, error: t.code });
      throw new TransportError(t.code, {
        operation: req.operation,
        request: `${req.method} ${url.pathname}`,
        detail: `${req.method} ${url.origin}${url.pathname}: ${t.detail}`,
        outcomeUnknown: t.sent && req.method !== 'GET',
        cause: err,
      });
    }
    let text: string;
    try {
      text = await res.body.text();
    } catch (err) {
      const t = transportCode(err);
      this.onExchange?.({
        operation: req.operation,
        method: req.method,
        path: pathAndQuery,
        status: res.statusCode,
        attempt,
        durationMs: this.clock.now() - started,
        error: t.code,
      });
      throw new TransportError(t.code, {
        operation: req.operation,
        request: `${req.method} ${url.pathname}`,
        detail: `${req.method} ${url.origin}${url.pathname}: ${t.detail}`,
        outcomeUnknown: req.method !== 'GET',
        cause: err,
      });
    }
    const requestId = requestIdOf(res.headers);
    this.onExchange?.({
      operation: req.operation,
      method: req.method,
      path: pathAndQuery,
      status: res.statusCode,
      requestId,
      attempt,
      durationMs: this.clock.now() - started,
    });
    const ok = req.expect ? req.expect.includes(res.statusCode) : res.statusCode >= 200 && res.statusCode < 300;
    if (!ok && !req.accept?.includes(res.statusCode)) {
      if (res.statusCode >= 200 && res.statusCode < 300) {
        throw new ProtocolError(req.operation, `status ${res.statusCode}, expected ${req.expect?.join(' or ')}`);
      }
      const f = parseFault(text);
      throw new ManilaApiError({
        status: res.statusCode,
        manilaMessage: f.message,
        fault: f.fault,
        requestId,
        operation: req.operation,
        request: `${req.method} ${url.pathname}`,
      });
    }
    let parsed: unknown;
    if (text.length > 0) {
      try {
        parsed = JSON.parse(text);
      } catch {
        throw new ProtocolError(req.operation, `status ${res.statusCode} with a body that is not JSON`);
      }
    }
    return { status: res.statusCode, headers: res.headers, body: parsed, requestId };
  }
}
