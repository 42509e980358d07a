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
