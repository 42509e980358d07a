import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ManilaClient, type ManilaClientOptions } from '../../lib/manila/client';
import { resolveCloudConfig } from '../../lib/manila/config';
import type { ShareServer } from '../../lib/manila/types';

/** Facts the test bed writes to testbed.json (the parts tests use). */
export interface TestbedFacts {
  readonly clouds_yaml: string;
  readonly continue_interval: number;
  readonly application_credentials: Record<string, { id: string; secret: string }>;
  readonly database: Record<string, string>;
  readonly fixtures: ReadonlyArray<{
    index: number;
    share: { id: string; name: string };
    share_network: { id: string; name: string };
    share_server: { id: string; host: string };
    snapshot?: { id: string };
    access_rule?: { id: string };
  }>;
  /** The DHSS share type of the fixtures. */
  readonly share_type: { id: string; name: string };
  readonly [k: string]: unknown;
}

export const REPO = path.resolve(__dirname, '..', '..');
/** The test bed's script; it finds this worker's test bed from MP_TESTBED_* in the environment. */
export const TESTBED_SH = path.join(REPO, 'scripts', 'testbed', 'testbed.sh');
const DEFAULT_JSON = '/var/tmp/manila-placement-testbed/testbed.json';

/** Reads testbed.json (MP_TESTBED_JSON, else the default state dir). */
export function testbed(): TestbedFacts {
  const file = process.env.MP_TESTBED_JSON ?? DEFAULT_JSON;
  if (!fs.existsSync(file)) {
    throw new Error(`The test bed is not running (no ${file}). Start it: bash scripts/testbed/testbed.sh start (npm test does this).`);
  }
  return JSON.parse(fs.readFileSync(file, 'utf8')) as TestbedFacts;
}

/** manila-api of this worker's test bed, without a path: `http://127.0.0.1:<port>`. */
export function manilaUrl(): string {
  return (testbed().manila as { url: string }).url;
}

/** Keystone of this worker's test bed, without a path: `http://127.0.0.1:<port>`. */
export function keystoneUrl(): string {
  return new URL((testbed().keystone as { url: string }).url).origin;
}

/** Environment for the tool as a user would run it against the test bed. */
export function testbedEnv(cloud = 'testbed'): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, OS_CLIENT_CONFIG_FILE: testbed().clouds_yaml, OS_CLOUD: cloud, CHECKPOINT_DISABLE: '1' };
  for (const k of Object.keys(env)) if (k.startsWith('OS_') && !['OS_CLIENT_CONFIG_FILE', 'OS_CLOUD'].includes(k)) delete env[k];
  return env;
}

/** A client for one of the test bed's clouds, resolved through its clouds.yaml. */
export function clientFor(cloud = 'testbed', opts: Partial<ManilaClientOptions> = {}): ManilaClient {
  const config = resolveCloudConfig({ cloud }, { env: { OS_CLIENT_CONFIG_FILE: testbed().clouds_yaml } });
  return new ManilaClient({ config, ...opts });
}

/** Returns the fixtures to their initial placement (every server active on node1@alpha). */
export function resetTestbed(): TestbedFacts {
  execFileSync('bash', [TESTBED_SH, 'reset'], { stdio: ['ignore', 'ignore', 'inherit'], timeout: 300_000 });
  return testbed();
}

/** Every secret of the test bed: passwords and application credential secrets. */
export function testbedSecrets(): string[] {
  const t = testbed();
  const out = new Set<string>();
  const walk = (v: unknown, key = ''): void => {
    if (typeof v === 'string' && /password|secret/i.test(key) && v.length >= 6) out.add(v);
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, k);
  };
  walk(t);
  const clouds = fs.readFileSync(t.clouds_yaml, 'utf8');
  for (const m of clouds.matchAll(/(?:password|secret):\s*"?([^"\n]+)"?/g)) out.add(m[1].trim());
  return [...out];
}

/** Polls `fn` every `intervalMs` until it returns a value, or fails after `timeoutMs`. */
export async function waitFor<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 120_000, intervalMs = 1_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** The current share server of a fixture share network (the id changes on every migration). */
export async function serverOfNetwork(client: ManilaClient, networkName: string): Promise<ShareServer> {
  const list = await client.listShareServers({ share_network: networkName });
  const live = list.filter((s) => s.status === 'active' || s.status === 'server_migrating');
  if (live.length !== 1) throw new Error(`expected one live server for ${networkName}, got ${list.map((s) => `${s.id}:${s.status}`).join(', ')}`);
  return live[0];
}
