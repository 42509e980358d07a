import * as fs from 'node:fs';
import * as path from 'node:path';
import { resolveCloudConfig } from '../../lib/manila/config';
import { ManilaClient } from '../../lib/manila/client';
import type { ShareServer } from '../../lib/manila/types';
import { REPO, TMP } from './proc';

/** What the benchmark reads of testbed.json. */
export interface Testbed {
  readonly clouds_yaml: string;
  readonly continue_interval: number;
  readonly logs: Record<string, string>;
  readonly state_dir: string;
}

/** testbed.json of the running test bed (MP_TESTBED_JSON, else the default state dir). */
export function testbed(): Testbed {
  const file = process.env.MP_TESTBED_JSON ?? '/var/tmp/manila-placement-testbed/testbed.json';
  if (!fs.existsSync(file)) throw new Error(`no ${file}: start the test bed first (bash scripts/testbed/testbed.sh start), or run npm run bench`);
  return JSON.parse(fs.readFileSync(file, 'utf8')) as Testbed;
}

/** Environment for manila-placement (and `openstack --os-cloud`): clouds.yaml, OS_CLOUD=testbed, no other OS_* variables. */
export function cloudEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, OS_CLIENT_CONFIG_FILE: testbed().clouds_yaml, OS_CLOUD: 'testbed', CHECKPOINT_DISABLE: '1' };
  for (const k of Object.keys(env)) if (k.startsWith('OS_') && k !== 'OS_CLIENT_CONFIG_FILE' && k !== 'OS_CLOUD') delete env[k];
  return { ...env, ...extra };
}

/** Environment for the legacy `manila` CLI: the admin OS_* variables of `testbed.sh env --os`. */
export function legacyEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  if (!process.env.OS_AUTH_URL || !process.env.OS_PASSWORD) {
    throw new Error('the legacy manila CLI needs the admin OS_* variables: eval "$(bash scripts/testbed/testbed.sh env --os)" first (bench/run.sh does)');
  }
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  delete env.OS_CLOUD;
  return env;
}

/** An admin client of the test bed, for reading records outside the measured windows. */
export function adminClient(): ManilaClient {
  return new ManilaClient({ config: resolveCloudConfig({ cloud: 'testbed' }, { env: { OS_CLIENT_CONFIG_FILE: testbed().clouds_yaml } }) });
}

/** Fixture share servers (share networks mp-sn-*), any status. */
export async function fixtureServers(client: ManilaClient): Promise<ShareServer[]> {
  return (await client.listShareServers()).filter((s) => /^mp-sn-\d+$/.test(s.shareNetworkName ?? ''));
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Waits until the six fixture servers are active on `host` and nothing else is in flight or
 * being deleted (sources of completed migrations are deleted asynchronously). Returns false
 * after `timeoutMs`.
 */
export async function settledOn(client: ManilaClient, host: string, timeoutMs = 120_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const all = await client.listShareServers();
    const fixtures = all.filter((s) => /^mp-sn-\d+$/.test(s.shareNetworkName ?? ''));
    const live = fixtures.filter((s) => s.status === 'active');
    const busy = all.filter((s) => !['active', 'error'].includes(s.status) || (s.taskState !== null && /progress|starting|completing|phase1/.test(s.taskState)));
    if (live.length === 6 && live.every((s) => s.host === host) && busy.length === 0) return true;
    if (Date.now() > deadline) return false;
    await sleep(1_000);
  }
}

/** A cdktf app (as test/helper/cli.ts makeApp writes one, but importing the built package) placing mp-sn-1..6 on `host`. */
export function writeFleetApp(host: string): string {
  const dir = path.join(REPO, '.manila-placement', 'bench', 'apps', `fleet-to-${host.replace(/[^A-Za-z0-9]/g, '-')}`);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(
    path.join(dir, 'main.ts'),
    `import { App } from 'cdktf';\nimport { PlacementStack, ShareServerPlacement } from ${JSON.stringify(path.join(REPO, 'dist', 'lib'))};\n\n` +
      `const app = new App();\nconst stack = new PlacementStack(app, 'fleet');\n` +
      `for (let i = 1; i <= 6; i++) new ShareServerPlacement(stack, \`mp-sn-\${i}\`, { shareNetwork: \`mp-sn-\${i}\`, host: ${JSON.stringify(host)} });\n` +
      `app.synth();\n`,
  );
  fs.writeFileSync(
    path.join(dir, 'cdktf.json'),
    JSON.stringify({ language: 'typescript', app: 'npx ts-node --transpile-only main.ts', context: { 'manila-placement:snapshot': 'manila-placement.snapshot.json' } }, null, 2) + '\n',
  );
  return dir;
}

/** Scratch file under bench/results/tmp. */
export function scratch(name: string): string {
  fs.mkdirSync(TMP, { recursive: true });
  const f = path.join(TMP, name);
  fs.rmSync(f, { force: true });
  return f;
}
