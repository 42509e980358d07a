import * as http from 'node:http';
import { type AddressInfo } from 'node:net';
import { Agent } from 'undici';
import { TransportError } from '../../../lib/errors';
import { HttpTransport } from '../../../lib/manila/http';

/** A loopback server that answers after `delayMs`; counts requests. */
async function slowServer(delayMs: number): Promise<{ url: string; count: () => number; close: () => Promise<void> }> {
  let n = 0;
  const server = http.createServer((req, res) => {
    n++;
    const t = setTimeout(() => res.end('{}'), delayMs);
    req.on('close', () => clearTimeout(t));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/x`,
    count: () => n,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

describe('HttpTransport timeouts (real loopback server)', () => {
  test('a POST that gets no answer in time is an unknown outcome and is sent once', async () => {
    const srv = await slowServer(5_000);
    const agent = new Agent();
    const t = new HttpTransport({ dispatcher: agent, timeoutMs: 1_000, retry: { baseDelayMs: 1 } });
    const err = await t.send({ operation: 'migration_start on share server s', method: 'POST', url: srv.url, body: {}, idempotent: false }).catch((e) => e);
    expect(err).toBeInstanceOf(TransportError);
    expect(err.code).toBe('MP_TIMEOUT');
    expect(err.outcomeUnknown).toBe(true);
    expect(srv.count()).toBe(1);
    await agent.close();
    await srv.close();
  }, 20_000);

  test('a GET that times out is retried up to the attempt limit', async () => {
    const srv = await slowServer(5_000);
    const agent = new Agent();
    const t = new HttpTransport({ dispatcher: agent, timeoutMs: 1_000, retry: { attempts: 2, baseDelayMs: 1 } });
    const err = await t.send({ operation: 'list', method: 'GET', url: srv.url, idempotent: true }).catch((e) => e);
    expect(err.code).toBe('MP_TIMEOUT');
    expect(srv.count()).toBe(2);
    await agent.close();
    await srv.close();
  }, 20_000);

  test('a GET retried after a timeout waits twice as long, so a read slower than the timeout still gets its answer', async () => {
    // 3 s: longer than three tries of 1 s (the old rule), shorter than 1 + 2 + 4 s.
    const srv = await slowServer(3_000);
    const agent = new Agent();
    const seen: Array<string | number | undefined> = [];
    const t = new HttpTransport({
      dispatcher: agent,
      timeoutMs: 1_000,
      retry: { attempts: 3, baseDelayMs: 1 },
      onExchange: (e) => seen.push(e.error ?? e.status),
    });
    try {
      const res = await t.send({ operation: 'list', method: 'GET', url: srv.url, idempotent: true });
      expect(res.status).toBe(200);
      // undici's timers are coarse (about half a second), so the answer may come on the second or the third try.
      expect(seen[seen.length - 1]).toBe(200);
      expect(seen.slice(0, -1)).toEqual(seen.slice(0, -1).map(() => 'MP_TIMEOUT'));
      expect(seen.length).toBeGreaterThanOrEqual(2);
    } finally {
      await agent.close();
      await srv.close();
    }
  }, 20_000);

  test('the timeout grows to at most four times the configured one', async () => {
    const srv = await slowServer(9_000);
    const agent = new Agent();
    const waited: number[] = [];
    const t = new HttpTransport({ dispatcher: agent, timeoutMs: 1_000, retry: { attempts: 4, baseDelayMs: 1 }, onExchange: (e) => waited.push(e.durationMs) });
    try {
      const err = await t.send({ operation: 'list', method: 'GET', url: srv.url, idempotent: true }).catch((e) => e);
      expect(err.code).toBe('MP_TIMEOUT');
      expect(srv.count()).toBe(4);
      // 1 s, 2 s, 4 s, then the cap (4 s) again; undici's timers may fire up to about a second late.
      const want = [1_000, 2_000, 4_000, 4_000];
      expect(waited.map((ms, i) => ms >= want[i] - 50 && ms < want[i] + 1_500)).toEqual([true, true, true, true]);
    } finally {
      await agent.close();
      await srv.close();
    }
  }, 40_000);

  test('a refused connection never reached the server, so even a POST may be retried', async () => {
    const srv = await slowServer(0);
    const url = srv.url;
    await srv.close(); // nothing listens on that port now
    const agent = new Agent();
    const seen: string[] = [];
    const t2 = new HttpTransport({ dispatcher: agent, timeoutMs: 1_000, retry: { attempts: 3, baseDelayMs: 1 }, onExchange: (e) => seen.push(e.error ?? '') });
    const err = await t2.send({ operation: 'migration_start', method: 'POST', url, body: {}, idempotent: false }).catch((e) => e);
    expect(err.code).toBe('MP_CONNECTION');
    expect(err.outcomeUnknown).toBe(false);
    expect(seen).toEqual(['MP_CONNECTION', 'MP_CONNECTION', 'MP_CONNECTION']);
    await agent.close();
  }, 20_000);
});
