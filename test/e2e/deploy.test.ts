/**
 * The Terraform path: each declaration is a resource whose local-exec runs the runner for its
 * moves, and whose triggers are the declaration (so a converged stack deploys with "No
 * changes"). First the
 * synthesized command is run exactly as Terraform runs it (its command line, its environment, in
 * the stack's directory); then, where a `terraform` binary is on PATH, a real `cdktf deploy` of
 * the terraform_data variant (no provider download).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { makeApp, runCli, writeMain } from '../helper/cli';
import { REPO, clientFor, resetTestbed, serverOfNetwork, testbed, testbedEnv, testbedSecrets } from '../helper/testbed';

jest.setTimeout(420_000);

beforeAll(() => {
  resetTestbed();
});

interface LocalExec {
  command: string;
  working_dir?: string;
  environment?: Record<string, string>;
}

function movesIn(stackDir: string, type: string): Array<{ name: string; exec: LocalExec; triggers: Record<string, string> }> {
  const tf = JSON.parse(fs.readFileSync(path.join(stackDir, 'cdk.tf.json'), 'utf8'));
  return Object.entries((tf.resource?.[type] ?? {}) as Record<string, { provisioner: Array<{ 'local-exec': LocalExec }>; triggers?: Record<string, string>; triggers_replace?: Record<string, string> }>).map(
    ([name, r]) => ({ name, exec: r.provisioner[0]['local-exec'], triggers: r.triggers ?? r.triggers_replace ?? {} }),
  );
}

test('the synthesized local-exec command, run as Terraform runs it, performs the move', async () => {
  const dir = makeApp('localexec', `new ShareServerPlacement(stack, 'one', { shareNetwork: 'mp-sn-3', host: 'node1@beta' });`, `{ cloud: 'testbed' }`);
  const plan = await runCli(['plan', '--detailed-exitcode', '--no-color'], { cwd: dir });
  expect(plan.code).toBe(2);
  const stackDir = path.join(dir, 'cdktf.out', 'stacks', 'localexec');
  const [move] = movesIn(stackDir, 'null_resource');
  expect(move.exec.environment).toEqual({ OS_CLOUD: 'testbed' });
  expect(move.triggers).toMatchObject({ declaration: 'localexec/one', wants: 'share network mp-sn-3 on node1@beta' });
  // Terraform runs in the stack directory: ${path.module} is "." and ${abspath(path.module)} that
  // directory; it runs the command with /bin/sh -c in working_dir (the app directory).
  const interpolate = (t: string): string => t.replace(/\$\{abspath\(path\.module\)\}/g, stackDir).replace(/\$\{path\.module\}/g, '.');
  const command = interpolate(move.exec.command);
  const cwd = path.resolve(stackDir, interpolate(move.exec.working_dir ?? '.'));
  expect(cwd).toBe(dir);
  const env = { ...testbedEnv(), ...move.exec.environment };
  delete env.OS_CLOUD;
  Object.assign(env, move.exec.environment);
  const r = spawnSync('/bin/sh', ['-c', command], { cwd, env, encoding: 'utf8', timeout: 300_000 });
  expect(r.status).toBe(0);
  const admin = clientFor();
  expect((await serverOfNetwork(admin, 'mp-sn-3')).host).toBe('node1@beta');
  await admin.close();
  for (const s of testbedSecrets()) expect(fs.readFileSync(path.join(stackDir, 'cdk.tf.json'), 'utf8') + r.stdout + r.stderr).not.toContain(s);
});

const terraform = spawnSync('sh', ['-c', 'command -v terraform'], { encoding: 'utf8' }).stdout.trim();
// Without a terraform binary the deploy test is reported as skipped, with the reason, never passed.
const NO_TERRAFORM = 'skipped: no terraform binary on PATH (install Terraform 1.4+ to run the real cdktf deploy)';
if (!terraform) console.warn(`cdktf deploy test ${NO_TERRAFORM}`);
const withTerraform = terraform ? test : test.skip;

/** Terraform's own count line of a deploy ("Apply complete! Resources: 1 added, 0 changed, 0 destroyed."), or "No changes". */
function outcome(r: { stdout: string; stderr: string }): string {
  const text = r.stdout + r.stderr;
  if (/No changes\./.test(text)) return 'No changes';
  return /Resources: (\d+ added, \d+ changed, \d+ destroyed)/.exec(text)?.[1] ?? `no outcome in: ${text.slice(-1500)}`;
}

withTerraform(
  `a real cdktf deploy of the terraform_data variant migrates; deployed again it says "No changes"; another host replaces it and migrates; removed, it is destroyed and nothing moves${terraform ? '' : ` (${NO_TERRAFORM})`}`,
  async () => {
    const PROPS = `{ resourceType: 'terraform_data', cloud: 'testbed' }`;
    const dir = makeApp('deploy', `new ShareServerPlacement(stack, 'four', { shareNetwork: 'mp-sn-4', host: 'node1@gamma' });`, PROPS);
    // Credentials only beside cdktf.json, as an operator keeps them: no OS_CLIENT_CONFIG_FILE, no
    // ~/.config/openstack (an empty HOME), no /etc/openstack. Each local-exec must find ./clouds.yaml.
    fs.copyFileSync(testbed().clouds_yaml, path.join(dir, 'clouds.yaml'));
    expect(fs.existsSync('/etc/openstack/clouds.yaml')).toBe(false);
    const env: NodeJS.ProcessEnv = { ...testbedEnv(), HOME: fs.mkdtempSync(path.join(os.tmpdir(), 'mp-home-')), TF_IN_AUTOMATION: '1' };
    delete env.OS_CLIENT_CONFIG_FILE;
    const refresh = (): void => void execFileSync(process.execPath, [path.join(REPO, 'bin', 'manila-placement'), 'refresh'], { cwd: dir, env });
    const cdktf = path.join(REPO, 'node_modules', '.bin', 'cdktf');
    const deploy = (): { status: number | null; stdout: string; stderr: string } => spawnSync(cdktf, ['deploy', '--auto-approve'], { cwd: dir, env, encoding: 'utf8', timeout: 360_000 });
    const admin = clientFor();
    try {
      // 1. The first deploy creates the declaration's resource, and creating it migrates.
      refresh();
      const first = deploy();
      expect({ status: first.status, out: first.stdout.slice(-2000) + first.stderr.slice(-2000) }).toMatchObject({ status: 0 });
      expect(outcome(first)).toBe('1 added, 0 changed, 0 destroyed');
      const onGamma = await serverOfNetwork(admin, 'mp-sn-4');
      expect(onGamma.host).toBe('node1@gamma');
      const state = fs.readFileSync(path.join(dir, 'terraform.deploy.tfstate'), 'utf8');
      for (const s of testbedSecrets()) expect(state).not.toContain(s);

      // 2. Refresh and deploy again: the cloud matches, and Terraform says so.
      refresh();
      const plan = await runCli(['plan', '--detailed-exitcode', '--snapshot', path.join(dir, 'manila-placement.snapshot.json')], { cwd: dir });
      expect(plan.code).toBe(0);
      const again = deploy();
      expect(again.status).toBe(0);
      expect(outcome(again)).toBe('No changes');
      expect(again.stdout + again.stderr).not.toMatch(/manila-placement apply/);

      // 3. Another host: one replace, and the replacement's local-exec migrates.
      writeMain(dir, 'deploy', `new ShareServerPlacement(stack, 'four', { shareNetwork: 'mp-sn-4', host: 'node1@beta' });`, PROPS);
      const moved = deploy();
      expect({ status: moved.status, out: moved.stdout.slice(-2000) + moved.stderr.slice(-2000) }).toMatchObject({ status: 0 });
      expect(outcome(moved)).toBe('1 added, 0 changed, 1 destroyed');
      const onBeta = await serverOfNetwork(admin, 'mp-sn-4');
      expect(onBeta.host).toBe('node1@beta');
      expect(onBeta.id).not.toBe(onGamma.id);

      // 4. The declaration removed: its resource is destroyed, and nothing in the cloud moves.
      refresh();
      writeMain(dir, 'deploy', '', PROPS);
      const removed = deploy();
      expect(removed.status).toBe(0);
      expect(outcome(removed)).toBe('0 added, 0 changed, 1 destroyed');
      expect(removed.stdout + removed.stderr).not.toMatch(/manila-placement apply/);
      expect(await serverOfNetwork(admin, 'mp-sn-4')).toMatchObject({ id: onBeta.id, host: 'node1@beta', status: 'active' });
    } finally {
      await admin.close();
    }
  },
  900_000,
);
