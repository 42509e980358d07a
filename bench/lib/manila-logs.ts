import * as fs from 'node:fs';

/**
 * Reading what the test bed's services logged during a measured window: byte offsets before
 * and after, then parse the appended text. Manila logs with oslo.log (local time, ms), one
 * request line (`manila.api.openstack.wsgi ... POST http://...`) and one response line
 * (`eventlet.wsgi.server ... "POST /v2/... HTTP/1.1" status: 202`) per HTTP call; Keystone
 * (wsgiref) writes one `access 127.0.0.1 "METHOD path HTTP/1.1" status` line per call.
 */

/** Byte sizes of log files at one instant. */
export type Offsets = Record<string, number>;

/** Current sizes of `files` (missing files count as 0). */
export function offsets(files: Record<string, string>): Offsets {
  const out: Offsets = {};
  for (const [k, f] of Object.entries(files)) {
    try {
      out[k] = fs.statSync(f).size;
    } catch {
      out[k] = 0;
    }
  }
  return out;
}

/** Text appended to `file` between two offsets. */
export function appended(file: string, from: number, to: number): string {
  if (to <= from) return '';
  const fd = fs.openSync(file, 'r');
  try {
    const buf = Buffer.alloc(to - from);
    fs.readSync(fd, buf, 0, buf.length, from);
    return buf.toString('utf8');
  } finally {
    fs.closeSync(fd);
  }
}

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/g;
const STAMP = /^(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)\.(\d{3})/;

/** Epoch ms of an oslo.log line's time stamp (local time), or undefined. */
export function stampOf(line: string): number | undefined {
  const m = STAMP.exec(line);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s, ms] = m.slice(1).map(Number);
  return new Date(y, mo - 1, d, h, mi, s, ms).getTime();
}

/** Epoch ms of a Manila API time (UTC, no zone, microseconds). */
export function manilaTime(s: string | undefined): number | undefined {
  if (!s) return undefined;
  const iso = /[zZ]|[+-]\d\d:?\d\d$/.test(s) ? s : `${s}Z`;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? undefined : t + Number((/\.\d{3}(\d{3})/.exec(s)?.[1] ?? '0')) / 1000;
}

/** One HTTP call as manila-api logged it. */
export interface ApiCall {
  /** Request received (request line), epoch ms. */
  readonly received?: number;
  /** Response sent (eventlet line), epoch ms. */
  readonly answered?: number;
  readonly requestId?: string;
  readonly method: string;
  /** Path without the scheme, host and query. */
  readonly path: string;
  readonly status?: number;
}

/** Every HTTP call in manila-api log text (one per eventlet response line), with the time its request line was logged. */
export function apiCalls(text: string): ApiCall[] {
  const received = new Map<string, number>();
  const out: ApiCall[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(ANSI, '');
    const ts = stampOf(line);
    const req = /\[(?:None )?(req-[0-9a-f-]+)[^\]]*\]/.exec(line)?.[1];
    const r = / manila\.api\.openstack\.wsgi \[[^\]]*\] (GET|POST|PUT|DELETE) https?:\/\/[^/]+(\/\S*)$/.exec(line);
    if (r && req && ts !== undefined) {
      received.set(req, ts);
      continue;
    }
    const w = / eventlet\.wsgi\.server \[[^\]]*\] \S+ "(GET|POST|PUT|DELETE|HEAD) (\S+) HTTP\/[\d.]+" status: (\d+)/.exec(line);
    if (w) {
      out.push({ received: req ? received.get(req) : undefined, answered: ts, requestId: req, method: w[1], path: w[2].split('?')[0], status: Number(w[3]) });
    }
  }
  return out;
}

/** The request line times by request id (to find when a given request arrived). */
export function requestTimes(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const raw of text.split('\n')) {
    const line = raw.replace(ANSI, '');
    const r = /manila\.api\.openstack\.wsgi \[(?:None )?(req-[0-9a-f-]+)[^\]]*\] (?:GET|POST|PUT|DELETE) http/.exec(line);
    const ts = stampOf(line);
    if (r && ts !== undefined && !out.has(r[1])) out.set(r[1], ts);
  }
  return out;
}

/** What manila-share logged about share server migrations. */
export interface ShareEvents {
  /** Source server id -> when the manager recorded `migration_driver_phase1_done` (logged right after the DB update). */
  readonly phase1Done: Map<string, number>;
  /**
   * Source server id -> when completion finished (logged right after the destination became
   * active/migration_success) and the request id of the `complete` call.
   */
  readonly completed: Map<string, { at: number; requestId?: string }>;
}

/** Parses manila-share log text. */
export function shareEvents(text: string): ShareEvents {
  const phase1Done = new Map<string, number>();
  const completed = new Map<string, { at: number; requestId?: string }>();
  for (const raw of text.split('\n')) {
    const line = raw.replace(ANSI, '');
    const ts = stampOf(line);
    if (ts === undefined) continue;
    const p = /Share server migration for share (\S+) completed first phase successfully/.exec(line);
    if (p) {
      if (!phase1Done.has(p[1])) phase1Done.set(p[1], ts);
      continue;
    }
    const c = /Share Server Migration for share server (\S+) was completed with success/.exec(line);
    if (c) completed.set(c[1], { at: ts, requestId: /\[(?:None )?(req-[0-9a-f-]+)/.exec(line)?.[1] });
  }
  return { phase1Done, completed };
}

/** Keystone calls a client made (token issue, discovery), leaving out Manila's token validations (GET /v3/auth/tokens). */
export function keystoneClientCalls(text: string): number {
  let n = 0;
  for (const line of text.split('\n')) {
    const m = /^access \S+ "(\w+) (\S+) HTTP/.exec(line);
    if (!m) continue;
    if (m[1] === 'GET' && m[2].split('?')[0] === '/v3/auth/tokens') continue;
    n++;
  }
  return n;
}
