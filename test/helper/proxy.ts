import * as http from 'node:http';
import { type AddressInfo } from 'node:net';
import { request } from 'undici';

/** One request the proxy passed on (or answered itself). */
export interface Recorded {
  readonly method: string;
  readonly path: string;
  /** The migration action name for `/action` POSTs (`migration_start`, ...). */
  readonly action?: string;
  readonly status: number;
  readonly injected?: string;
  /** When the proxy received it (ms since the epoch). */
  readonly at: number;
}

/** What to do to one request, decided per request. */
export type Fault =
  | { readonly kind: 'status'; readonly status: number } // answer this status without forwarding
  | { readonly kind: 'reset-before' } // drop the connection without forwarding
  | { readonly kind: 'reset-after' } // forward, then drop the connection instead of answering
  | { readonly kind: 'delay'; readonly ms: number } // forward, then answer late
  | { readonly kind: 'hold'; readonly ms: number }; // wait before forwarding; drop it if the client went away meanwhile

/** Picks a fault for a request, or none. */
export type FaultRule = (r: { method: string; path: string; action?: string; nth: number }) => Fault | undefined;

/**
 * A loopback HTTP proxy in front of manila-api (or Keystone) that records every request and can
 * inject faults: for counting what Manila really received and for fault tests. 127.0.0.1 only.
 */
export class RecordingProxy {
  public readonly seen: Recorded[] = [];
  private server?: http.Server;
  private rule?: FaultRule;
  private readonly counts = new Map<string, number>();
  public url = '';

  constructor(private readonly target: string) {}

  /** Starts listening on an ephemeral loopback port. */
  public async start(): Promise<this> {
    this.server = http.createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  /** Sets (or clears) the fault rule. */
  public faults(rule?: FaultRule): void {
    this.rule = rule;
  }

  /** How many times an action reached Manila (faults that did not forward are not counted). */
  public actionCount(action: string, serverId?: string): number {
    return this.seen.filter((r) => r.action === action && !r.injected?.startsWith('status') && r.injected !== 'reset-before' && r.injected !== 'refused-upstream' && (!serverId || r.path.includes(serverId))).length;
  }

  public async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server!.close(() => r()));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    const path = req.url ?? '/';
    let action: string | undefined;
    if (req.method === 'POST' && path.endsWith('/action') && body.length) {
      try {
        action = Object.keys(JSON.parse(body.toString()))[0];
      } catch {
        // not JSON: no action name
      }
    }
    const k = `${req.method} ${action ?? path}`;
    const nth = (this.counts.get(k) ?? 0) + 1;
    this.counts.set(k, nth);
    const fault = this.rule?.({ method: req.method ?? 'GET', path, action, nth });
    const at = Date.now();
    const record = (status: number, injected?: string): void => {
      this.seen.push({ method: req.method ?? 'GET', path, action, status, injected, at });
    };
    if (fault?.kind === 'status') {
      record(fault.status, `status ${fault.status}`);
      res.writeHead(fault.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ computeFault: { code: fault.status, message: 'injected by the test proxy' } }));
      return;
    }
    if (fault?.kind === 'reset-before') {
      record(0, 'reset-before');
      req.socket.destroy();
      return;
    }
    if (fault?.kind === 'hold') {
      await new Promise((r) => setTimeout(r, fault.ms));
      if (req.socket.destroyed || res.destroyed) {
        record(0, 'reset-before'); // the client died while we held it: Manila never sees it
        return;
      }
    }
    const headers: Record<string, string> = {};
    for (const [name, v] of Object.entries(req.headers)) {
      if (v === undefined || ['host', 'connection', 'content-length', 'transfer-encoding'].includes(name)) continue;
      headers[name] = Array.isArray(v) ? v.join(', ') : v;
    }
    // Recorded as it is forwarded: what Manila received, even if the answer comes late or never.
    const entry = { method: req.method ?? 'GET', path, action, status: 0, injected: fault?.kind as string | undefined, at };
    this.seen.push(entry);
    try {
      const up = await request(this.target + path, { method: (req.method ?? 'GET') as 'GET', headers, body: body.length ? body : undefined });
      const text = await up.body.arrayBuffer();
      entry.status = up.statusCode;
      if (fault?.kind === 'reset-after') {
        req.socket.destroy();
        return;
      }
      if (fault?.kind === 'delay') await new Promise((r) => setTimeout(r, fault.ms));
      const out: Record<string, string | string[]> = {};
      for (const [name, v] of Object.entries(up.headers)) if (v !== undefined && !['connection', 'transfer-encoding', 'content-length'].includes(name)) out[name] = v as string | string[];
      res.writeHead(up.statusCode, out);
      res.end(Buffer.from(text));
    } catch (e) {
      entry.status = 502;
      // Refused: manila-api was down and never saw the request (not counted as reaching Manila).
      entry.injected = (e as { code?: string }).code === 'ECONNREFUSED' ? 'refused-upstream' : 'upstream-error';
      res.writeHead(502);
      res.end(String(e));
    }
  }
}
