import { spawn } from 'node:child_process';
import { request } from 'undici';
import { InputError } from '../errors';
import { type Clock, systemClock } from '../util/clock';
import { bodyOf, type NotifyFormat } from './format';
import type { Notification } from './notification';

/**
 * Delivery of notifications: to webhooks (POST) and to commands (the JSON on stdin). Each is
 * retried with backoff, runs beside the moves and never holds them up or fails them; what could
 * not be delivered is reported (`onResult`) and the run goes on.
 */

/** Where notifications go. */
export interface NotifyTargets {
  /** Webhook URLs (http or https). @default none */
  readonly urls?: readonly string[];
  /** Shell commands that get the JSON body on stdin. @default none */
  readonly commands?: readonly string[];
  /** Body format for the URLs (commands always get JSON). @default 'json' */
  readonly format?: NotifyFormat;
}

/** How one delivery ended. */
export interface DeliveryResult {
  readonly event: Notification['event'];
  /** The URL without its query (webhook URLs carry their secret there and in the path: only the origin is kept), or `command`. */
  readonly target: string;
  readonly ok: boolean;
  readonly attempts: number;
  /** HTTP status, or the command's exit code. */
  readonly status?: number;
  readonly error?: string;
}

/** Delivery options. */
export interface NotifierOptions {
  /** Attempts per notification and target, the first included. @default 4 */
  readonly attempts?: number;
  /** First backoff in ms; doubles. @default 1000 */
  readonly baseDelayMs?: number;
  /** Per attempt. @default 10000 */
  readonly timeoutMs?: number;
  readonly clock?: Clock;
  readonly onResult?: (r: DeliveryResult) => void;
}

/** Variables a notify command never inherits: the credentials of the run. */
const SECRET_ENV = /^(OS_PASSWORD|OS_TOKEN|OS_APPLICATION_CREDENTIAL_SECRET|OS_AUTH_TOKEN)$|SECRET|PASSWORD|TOKEN/i;

/** Checks the flags before anything is sent to the cloud. */
export function checkTargets(t: NotifyTargets): void {
  for (const u of t.urls ?? []) {
    let url: URL;
    try {
      url = new URL(u);
    } catch {
      throw new InputError('MP_FLAG_INVALID', `--notify '${u}' is not a URL.`, 'Give an http(s) webhook URL, e.g. --notify https://hooks.slack.com/services/...');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new InputError('MP_FLAG_INVALID', `--notify '${url.origin}' is not http or https.`, 'Give an http(s) webhook URL; for anything else use --notify-command.');
  }
  for (const c of t.commands ?? []) if (!c.trim()) throw new InputError('MP_FLAG_INVALID', '--notify-command is empty.', "Give a shell command that reads JSON on stdin, e.g. --notify-command 'logger -t manila-placement'");
}

/** Where to say a delivery went, without the secret part of a webhook URL. */
export function targetName(u: string): string {
  try {
    return new URL(u).origin;
  } catch {
    return 'url';
  }
}

export class Notifier {
  private readonly pending = new Set<Promise<void>>();
  /** The last delivery queued per target: the next waits for it. */
  private readonly chains = new Map<string, Promise<void>>();
  private readonly attempts: number;
  private readonly baseDelayMs: number;
  private readonly timeoutMs: number;
  private readonly clock: Clock;

  constructor(
    private readonly targets: NotifyTargets,
    private readonly opts: NotifierOptions = {},
  ) {
    this.attempts = Math.max(1, opts.attempts ?? 4);
    this.baseDelayMs = opts.baseDelayMs ?? 1_000;
    this.timeoutMs = opts.timeoutMs ?? 10_000;
    this.clock = opts.clock ?? systemClock;
  }

  /** Nothing to send to. */
  public get empty(): boolean {
    return !this.targets.urls?.length && !this.targets.commands?.length;
  }

  /** Sends to every target, beside the caller: returns at once. Each target gets the notifications one at a time, in order. */
  public send(n: Notification): void {
    (this.targets.urls ?? []).forEach((u, i) => this.queue(`url${i}`, () => this.retried(n, targetName(u), () => this.post(u, bodyOf(n, this.targets.format ?? 'json')))));
    const json = bodyOf(n, 'json');
    (this.targets.commands ?? []).forEach((c, i) => this.queue(`command${i}`, () => this.retried(n, 'command', () => this.run(c, json))));
  }

  /** Waits for the deliveries under way, at most `ms` (the run's end must not hang on a dead webhook). */
  public async flush(ms = 30_000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const limit = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
    await Promise.race([Promise.allSettled([...this.pending]), limit]);
    clearTimeout(timer);
  }

  private queue(target: string, deliver: () => Promise<void>): void {
    const p = (this.chains.get(target) ?? Promise.resolve()).then(deliver);
    this.chains.set(target, p);
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p));
  }

  private async retried(n: Notification, target: string, once: () => Promise<{ ok: boolean; status?: number; error?: string }>): Promise<void> {
    let last: { ok: boolean; status?: number; error?: string } = { ok: false };
    let attempt = 1;
    for (; attempt <= this.attempts; attempt++) {
      last = await once().catch((e: Error) => ({ ok: false, error: e.message }));
      // A 4xx other than 408/429 will not change by sending again.
      if (last.ok || (last.status && last.status >= 400 && last.status < 500 && last.status !== 408 && last.status !== 429)) break;
      if (attempt < this.attempts) await this.clock.sleep(this.baseDelayMs * 2 ** (attempt - 1));
    }
    const extra = { ...(last.status !== undefined ? { status: last.status } : {}), ...(last.error ? { error: last.error } : {}) };
    this.opts.onResult?.({ event: n.event, target, ok: last.ok, attempts: Math.min(attempt, this.attempts), ...extra });
  }

  private async post(url: string, body: string): Promise<{ ok: boolean; status: number }> {
    const res = await request(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body, headersTimeout: this.timeoutMs, bodyTimeout: this.timeoutMs });
    await res.body.dump();
    return { ok: res.statusCode >= 200 && res.statusCode < 300, status: res.statusCode };
  }

  private run(command: string, stdin: string): Promise<{ ok: boolean; status?: number; error?: string }> {
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !SECRET_ENV.test(k)));
    return new Promise((resolve) => {
      const child = spawn('/bin/sh', ['-c', command], { env, stdio: ['pipe', 'ignore', 'pipe'], timeout: this.timeoutMs * 3 });
      let err = '';
      child.stderr.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-300)));
      child.on('error', (e) => resolve({ ok: false, error: e.message }));
      child.on('close', (code) => resolve({ ok: code === 0, status: code ?? undefined, ...(code === 0 ? {} : { error: err.trim() || `exit ${code}` }) }));
      child.stdin.on('error', () => undefined); // a command that does not read its stdin
      child.stdin.end(stdin);
    });
  }
}
