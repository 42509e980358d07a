/**
 * TLS: verification is on by default; `cacert` (clouds.yaml, OS_CACERT, --os-cacert) is honoured;
 * `insecure` works only when set, with a warning. A loopback HTTPS proxy with a self-made CA sits
 * in front of the real Manila.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as https from 'node:https';
import { type AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { request } from 'undici';
import { TlsError } from '../../../lib/errors';
import { ManilaClient } from '../../../lib/manila/client';
import { resolveCloudConfig } from '../../../lib/manila/config';
import { runCli } from '../../helper/cli';
import { addFigure } from '../../helper/figures';
import { manilaUrl, testbed } from '../../helper/testbed';

jest.setTimeout(120_000);

let dir: string;
let server: https.Server;
let url: string;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mp-tls-'));
  const ssl = (...args: string[]): void => {
    execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
  };
  ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=manila-placement test CA');
  ssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1');
  fs.writeFileSync(path.join(dir, 'ext.cnf'), 'subjectAltName=IP:127.0.0.1\n');
  ssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '2', '-extfile', 'ext.cnf');
  server = https.createServer({ key: fs.readFileSync(path.join(dir, 'server.key')), cert: fs.readFileSync(path.join(dir, 'server.pem')) }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', async () => {
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string' && !['host', 'connection', 'content-length'].includes(k)) headers[k] = v;
      const up = await request(`${manilaUrl()}${req.url}`, { method: req.method as 'GET', headers, body: chunks.length ? Buffer.concat(chunks) : undefined });
      const body = Buffer.from(await up.body.arrayBuffer());
      res.writeHead(up.statusCode, { 'content-type': String(up.headers['content-type'] ?? 'application/json') });
      res.end(body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/v2`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

function client(over: { cacert?: string; insecure?: boolean }, warnings: string[] = []): ManilaClient {
  const config = resolveCloudConfig({ cloud: 'testbed', endpointOverride: url, cacert: over.cacert, insecure: over.insecure }, { env: { OS_CLIENT_CONFIG_FILE: testbed().clouds_yaml } });
  return new ManilaClient({ config, onInsecure: (m) => warnings.push(m) });
}

test('by default an unknown CA is refused with MP_TLS and a hint about cacert, and nothing is retried', async () => {
  const c = client({});
  const err = await c.listShareServers().catch((e) => e);
  await c.close();
  expect(err).toBeInstanceOf(TlsError);
  expect(err.code).toBe('MP_TLS');
  expect(err.hint).toMatch(/cacert/);
  addFigure('TLS checks');
});

test('cacert makes the same endpoint work', async () => {
  const c = client({ cacert: path.join(dir, 'ca.pem') });
  const servers = await c.listShareServers();
  await c.close();
  expect(servers.length).toBeGreaterThanOrEqual(6);
  addFigure('TLS checks');
});

test('insecure works only when set, and warns', async () => {
  const warnings: string[] = [];
  const c = client({ insecure: true }, warnings);
  const servers = await c.listShareServers();
  await c.close();
  expect(servers.length).toBeGreaterThan(0);
  expect(warnings.join('\n')).toMatch(/TLS certificate verification is disabled/);
  addFigure('TLS checks');
});

test('the CLI honours --os-cacert and OS_CACERT, and warns on --insecure', async () => {
  const plain = await runCli(['status', '--os-endpoint-override', url]);
  expect(plain.code).toBe(1);
  expect(plain.stderr).toContain('Error [MP_TLS]');
  const withCa = await runCli(['status', '--os-endpoint-override', url], { env: { OS_CACERT: path.join(dir, 'ca.pem') } });
  expect(withCa.code).toBe(0);
  const insecure = await runCli(['status', '--os-endpoint-override', url, '--insecure']);
  expect(insecure.code).toBe(0);
  expect(insecure.stderr).toMatch(/WARNING: TLS certificate verification is disabled/);
});
