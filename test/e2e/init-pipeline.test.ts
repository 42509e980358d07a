/**
 * A new operator's path: `manila-placement init`, `npm install` of the packed package, plan
 * and apply against the test bed; then the CI pipelines that init wrote (GitLab CI and GitHub
 * Actions), read with the yaml library, each stage's script lines run as written, in order.
 * And bad declarations in apps that use the installed package (TypeScript and JavaScript):
 * the whole message reaches the user, through manila-placement and through cdktf.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { BIN, runCli } from '../helper/cli';
import { initApp, packTarball } from '../helper/packed';
import { clientFor, REPO, resetTestbed, serverOfNetwork, testbed, testbedEnv } from '../helper/testbed';

jest.setTimeout(900_000);

let app: string;
const admin = clientFor('testbed', { maxRequestRate: Infinity });
afterAll(() => admin.close());

beforeAll(() => {
  resetTestbed();
  app = initApp('init-app', packTarball());
});

let pristine: string | undefined;
/** The app's main.ts as init wrote it, with these declarations before `app.synth()`. */
function declare(body: string): void {
  const file = path.join(app, 'main.ts');
  pristine ??= fs.readFileSync(file, 'utf8');
  fs.writeFileSync(file, pristine.replace(/\napp\.synth\(\);\n$/, `\n${body}\napp.synth();\n`));
}

function env(): NodeJS.ProcessEnv {
  return { ...testbedEnv(), PATH: `${path.join(app, 'node_modules', '.bin')}:${process.env.PATH}` };
}

/** Runs shell lines as a CI runner does: one bash, -e and pipefail, in the app directory. */
function runLines(lines: readonly string[], extraEnv: NodeJS.ProcessEnv = {}): { code: number | null; out: string } {
  const r = spawnSync('bash', ['-eo', 'pipefail', '-c', lines.join('\n')], { cwd: app, env: { ...env(), ...extraEnv }, encoding: 'utf8', timeout: 600_000 });
  return { code: r.status, out: `${r.stdout}\n${r.stderr}` };
}

test('init writes the app and refuses to overwrite it; the installed app plans and applies against the test bed', async () => {
  for (const f of ['package.json', 'cdktf.json', 'main.ts', '.gitignore', 'clouds.yaml.example', '.gitlab-ci.yml', '.github/workflows/manila-placement.yml']) expect(fs.existsSync(path.join(app, f))).toBe(true);
  const pkg = JSON.parse(fs.readFileSync(path.join(app, 'package.json'), 'utf8'));
  expect(pkg.dependencies).toMatchObject({ cdktf: '0.21.0', 'manila-placement': expect.stringMatching(/^file:.*manila-placement-\d+\.\d+\.\d+\.tgz$/) });
  expect(JSON.parse(fs.readFileSync(path.join(app, 'cdktf.json'), 'utf8')).context).toEqual({ 'manila-placement:snapshot': 'manila-placement.snapshot.json' });
  expect(fs.readFileSync(path.join(app, '.gitignore'), 'utf8')).toMatch(/cdktf\.out\/[\s\S]*\.manila-placement\/[\s\S]*manila-placement\.snapshot\.json/);
  const again = spawnSync(process.execPath, [BIN, 'init', app], { encoding: 'utf8' });
  expect(again.status).toBe(1);
  expect(again.stderr).toMatch(/Error \[MP_INIT_EXISTS\]: .* already has package\.json, .*init never overwrites a file/);

  declare(`// --- declared by the test ---\nnew ShareServerPlacement(stack, 'one', { shareNetwork: 'mp-sn-1', host: 'node1@beta' });`);
  const plan = spawnSync('npx', ['manila-placement', 'plan', '--detailed-exitcode', '--no-color'], { cwd: app, env: env(), encoding: 'utf8' });
  expect({ code: plan.status, stderr: plan.stderr }).toEqual({ code: 2, stderr: '' });
  expect(plan.stdout).toMatch(/~ share server \S+ \(mp-sn-1\): node1@alpha -> node1@beta/);
  const apply = spawnSync('npx', ['manila-placement', 'apply', '--auto-approve', '--json'], { cwd: app, env: env(), encoding: 'utf8' });
  expect({ code: apply.status, stderr: apply.stderr }).toEqual({ code: 0, stderr: '' });
  expect((await serverOfNetwork(admin, 'mp-sn-1')).host).toBe('node1@beta');
});

test('GitLab CI: the plan, apply and converge jobs, their script lines run as written: exit codes and artifacts', async () => {
  declare(`// --- declared by the test ---\nnew ShareServerPlacement(stack, 'two', { shareNetwork: 'mp-sn-2', host: 'node1@gamma' });`);
  const ci = parse(fs.readFileSync(path.join(app, '.gitlab-ci.yml'), 'utf8')) as Record<string, { script?: string[]; artifacts?: { paths?: string[] } }> & { default: { before_script: string[] } };
  const job = (name: string) => [...ci.default.before_script, ...(ci[name].script ?? [])];
  const vars = { CI_PIPELINE_SOURCE: 'push', CI_COMMIT_BRANCH: 'main', CI_DEFAULT_BRANCH: 'main' };
  for (const f of ['plan.md', 'manila-placement.plan.json', 'apply.jsonl', 'report.html']) fs.rmSync(path.join(app, f), { force: true });

  const plan = runLines(job('plan'), vars);
  expect({ code: plan.code, out: plan.code === 0 ? '' : plan.out }).toEqual({ code: 0, out: '' });
  expect(plan.out).toContain('plan exit code 2');
  for (const a of ci.plan.artifacts!.paths!) expect({ artifact: a, exists: fs.existsSync(path.join(app, a)) }).toEqual({ artifact: a, exists: true });
  const md = fs.readFileSync(path.join(app, 'plan.md'), 'utf8');
  expect(md).toContain('## manila-placement plan');
  expect(md).toMatch(/\| `[0-9a-f-]{36}` \| mp-sn-2 \| node1@alpha \| node1@gamma \| as soon as phase 1 is done \| compatible \|/);

  const apply = runLines(job('apply'), vars);
  expect({ code: apply.code, out: apply.code === 0 ? '' : apply.out }).toEqual({ code: 0, out: '' });
  expect(apply.out).toContain('apply exit code 0');
  for (const a of ci.apply.artifacts!.paths!) expect({ artifact: a, exists: fs.existsSync(path.join(app, a.replace(/\/$/, ''))) }).toEqual({ artifact: a, exists: true });
  expect((await serverOfNetwork(admin, 'mp-sn-2')).host).toBe('node1@gamma');

  const converge = runLines(job('converge'), { ...vars, CI_PIPELINE_SOURCE: 'schedule' });
  expect({ code: converge.code, out: converge.code === 0 ? '' : converge.out }).toEqual({ code: 0, out: '' });
  expect(converge.out).toContain('pass exit code 0');
});

test('GitHub Actions: the plan and apply jobs\' run steps as written (uses: steps stand in for checkout and artifacts): exit codes and artifacts', async () => {
  declare(`// --- declared by the test ---\nnew ShareServerPlacement(stack, 'three', { shareNetwork: 'mp-sn-3', host: 'node1@beta' });`);
  const wf = parse(fs.readFileSync(path.join(app, '.github', 'workflows', 'manila-placement.yml'), 'utf8')) as {
    env: Record<string, string>;
    jobs: Record<string, { steps: Array<{ run?: string; uses?: string; env?: Record<string, string> }> }>;
  };
  // The expressions the workflow uses, as GitHub would fill them in.
  const expr = (v: string): string =>
    v
      .replace(/\$\{\{\s*github\.workspace\s*\}\}/g, app)
      .replace(/\$\{\{\s*secrets\.OS_CLOUD\s*\}\}/g, 'testbed')
      .replace(/\$\{\{\s*secrets\.CLOUDS_YAML\s*\}\}/g, fs.readFileSync(testbed().clouds_yaml, 'utf8'));
  const jobEnv = Object.fromEntries(Object.entries(wf.env).map(([k, v]) => [k, expr(String(v))]));
  const runJob = (name: string): string => {
    let out = '';
    for (const step of wf.jobs[name].steps) {
      if (!step.run) continue; // actions/checkout, setup-node, upload/download-artifact: the app dir stands in for them
      const stepEnv = Object.fromEntries(Object.entries(step.env ?? {}).map(([k, v]) => [k, expr(String(v))]));
      const r = runLines([step.run], { ...jobEnv, ...stepEnv, GITHUB_STEP_SUMMARY: path.join(app, 'step-summary.md') });
      expect({ job: name, step: step.run.split('\n')[0], code: r.code, out: r.code === 0 ? '' : r.out }).toEqual({ job: name, step: step.run.split('\n')[0], code: 0, out: '' });
      out += r.out;
    }
    return out;
  };
  fs.rmSync(path.join(app, 'step-summary.md'), { force: true });
  expect(runJob('plan')).toContain('plan exit code 2');
  expect(fs.readFileSync(path.join(app, 'step-summary.md'), 'utf8')).toContain('mp-sn-3');
  expect(fs.statSync(path.join(app, '.clouds.yaml')).mode & 0o777).toBe(0o600);
  expect(runJob('apply')).toContain('apply exit code 0');
  expect((await serverOfNetwork(admin, 'mp-sn-3')).host).toBe('node1@beta');
});

describe('bad declarations in apps using the installed package reach the user whole', () => {
  const POOL_WHAT = 'host "node1@beta#fake_pool" names a pool: share server migration moves a whole share server to a backend host and takes no pool (Manila answers 400).';
  const POOL_FIX = 'Write the host without "#fake_pool", e.g. "node1@beta".';

  test.each([
    ['TypeScript', 'main.ts'],
    ['JavaScript', 'main.js'],
  ])('a %s app: one clean block (path, what, fix, code) from `manila-placement plan` and from `cdktf synth`, no stack trace', (_lang, file) => {
    const dir = path.join(app, `bad-${file.replace('.', '-')}`);
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir);
    const src =
      file === 'main.ts'
        ? `import { App } from 'cdktf';\nimport { PlacementStack, ShareServerPlacement } from 'manila-placement';\nconst app = new App();\nconst stack = new PlacementStack(app, 'bad');\nnew ShareServerPlacement(stack, 'p', { shareNetwork: 'mp-sn-1', host: 'node1@beta#fake_pool' });\napp.synth();\n`
        : `const { App } = require('cdktf');\nconst { PlacementStack, ShareServerPlacement } = require('manila-placement');\nconst app = new App();\nconst stack = new PlacementStack(app, 'bad');\nnew ShareServerPlacement(stack, 'p', { shareNetwork: 'mp-sn-1', host: 'node1@beta#fake_pool' });\napp.synth();\n`;
    fs.writeFileSync(path.join(dir, file), src);
    fs.writeFileSync(
      path.join(dir, 'cdktf.json'),
      JSON.stringify({ language: file === 'main.ts' ? 'typescript' : 'javascript', app: file === 'main.ts' ? 'npx ts-node --transpile-only main.ts' : 'node main.js', context: { 'manila-placement:snapshot': path.join(app, 'manila-placement.snapshot.json') } }),
    );
    // Through manila-placement (its own synth child):
    const r = spawnSync('npx', ['manila-placement', 'plan', '--snapshot', path.join(app, 'manila-placement.snapshot.json')], { cwd: dir, env: env(), encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(
      `Error [MP_SYNTH_FAILED]: 1 problem in the declarations of the cdktf app in ${dir}; nothing was planned:\n` +
        `  [MP_HOST_FORMAT] bad/p: ${POOL_WHAT}\n    fix: ${POOL_FIX}\n  hint: Fix the declaration named above as each fix says, then plan again.\n`,
    );
    // Through cdktf synth (cdktf-cli runs the app; the library reports in the child).
    const synth = spawnSync(path.join(REPO, 'node_modules', '.bin', 'cdktf'), ['synth'], { cwd: dir, env: { ...env(), CI: '1' }, encoding: 'utf8', timeout: 300_000 });
    const out = synth.stdout + synth.stderr;
    expect(synth.status).not.toBe(0);
    expect(out).toContain(`[MP_HOST_FORMAT] bad/p: ${POOL_WHAT}`);
    expect(out).toContain(`fix: ${POOL_FIX}`);
    expect(out).not.toMatch(/\n\s+at .*\(.*:\d+:\d+\)/); // no stack trace
  });

  test('a host the snapshot does not know: the validation problem, not cdktf\'s "ignore these validations" text', () => {
    const dir = path.join(app, 'bad-unknown');
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir);
    fs.writeFileSync(
      path.join(dir, 'main.js'),
      `const { App } = require('cdktf');\nconst { PlacementStack, ShareServerPlacement } = require('manila-placement');\nconst app = new App();\nconst stack = new PlacementStack(app, 'bad');\nnew ShareServerPlacement(stack, 'p', { shareNetwork: 'mp-sn-1', host: 'node1@nope' });\napp.synth();\n`,
    );
    fs.writeFileSync(path.join(dir, 'cdktf.json'), JSON.stringify({ language: 'javascript', app: 'node main.js', context: { 'manila-placement:snapshot': path.join(app, 'manila-placement.snapshot.json') } }));
    const r = spawnSync('npx', ['manila-placement', 'plan', '--snapshot', path.join(app, 'manila-placement.snapshot.json')], { cwd: dir, env: env(), encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`[MP_DECLARATION_UNKNOWN_NAME] bad/p: no manila-share service runs on node1@nope (per the snapshot ${path.join(app, 'manila-placement.snapshot.json')}).\n    fix: Fix the name in the declaration, or run \`manila-placement refresh\` if the snapshot is older than the cloud.`);
    expect(r.stderr).not.toMatch(/ignore these validations|\n\s+at /);
  });
});

test('the repository root is a cdktf app (the demo\'s declaration, examples/evacuate-alpha): plan works there', async () => {
  const r = await runCli(['plan', '--no-color'], { cwd: REPO });
  expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
  expect(r.stdout).toMatch(/Plan file: .*\/cdktf\.out\/stacks\/evacuate-alpha\/manila-placement\.plan\.json/);
});
