/**
 * Scale of planning (no test bed needed):
 * - `plan()` over generated snapshots of 1,000, 10,000 and 50,000 share servers, for two
 *   declaration shapes (one placement per share network; two host evacuations), each in a
 *   child process of its own under /usr/bin/time -v (peak RSS per size);
 * - synth of generated cdktf apps with 100 and 1,000 ShareServerPlacement constructs:
 *   `app.synth()` timed in a child process, and the same app synthesized the way
 *   `manila-placement plan/apply` does it (`npx ts-node --transpile-only main.ts`).
 *
 *   npx ts-node --transpile-only bench/scale.ts [--out FILE] [--sizes 1000,10000,50000] [--synth 100,1000]
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { arg } from './lib/args';
import { generateDeclarations, generateSnapshot } from './lib/generate';
import { lastJsonLine, measure, REPO, round, TMP, transpileBenchLib, writeJson } from './lib/proc';

const OUT = path.resolve(arg('--out', path.join(TMP, 'scale.json')));
const SIZES = arg('--sizes', '1000,10000,50000').split(',').map(Number);
const SYNTH = arg('--synth', '100,1000').split(',').map(Number);
/** Longest a single planning child may run: bounded, even where planning is quadratic. */
const PLAN_TIMEOUT_MS = Number(arg('--plan-timeout', '600')) * 1000;

function log(m: string): void {
  process.stderr.write(`[scale ${new Date().toISOString().slice(11, 19)}] ${m}\n`);
}

/** A cdktf app as an operator writes it (importing the built package), for the CLI-style synth. */
function writeCliApp(n: number): { dir: string; env: NodeJS.ProcessEnv } {
  // Outside bench/ (whose .ts files are type-checked), as test/e2e/.work is for the e2e apps.
  const dir = path.join(REPO, '.manila-placement', 'bench', 'apps', `synth-cli-${n}`);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const pairs = generateDeclarations('placements', n).map((d) => (d.kind === 'placement' ? [d.select.shareNetwork, d.host] : []));
  fs.writeFileSync(
    path.join(dir, 'main.ts'),
    `import { App } from 'cdktf';\nimport { PlacementStack, ShareServerPlacement } from ${JSON.stringify(path.join(REPO, 'dist', 'lib'))};\n` +
      `const placements: Array<[string, string]> = ${JSON.stringify(pairs)};\n` +
      `const app = new App();\nconst stack = new PlacementStack(app, 'fleet');\n` +
      `for (const [net, host] of placements) new ShareServerPlacement(stack, net, { shareNetwork: net, host });\napp.synth();\n`,
  );
  const snapshot = path.join(dir, 'manila-placement.snapshot.json');
  fs.writeFileSync(snapshot, JSON.stringify(generateSnapshot(n)));
  fs.writeFileSync(path.join(dir, 'cdktf.json'), JSON.stringify({ language: 'typescript', app: 'npx ts-node --transpile-only main.ts', context: { 'manila-placement:snapshot': 'manila-placement.snapshot.json' } }, null, 2));
  // What lib/cli/synth.ts synthApp passes to the app command.
  const env = {
    ...process.env,
    CDKTF_OUTDIR: path.join(dir, 'cdktf.out'),
    CDKTF_CONTEXT_JSON: JSON.stringify({ 'manila-placement:snapshot': snapshot }),
    CHECKPOINT_DISABLE: '1',
  };
  return { dir, env };
}

async function main(): Promise<void> {
  const js = transpileBenchLib();
  const env = { ...process.env, MP_BENCH_REPO: REPO };
  const plans: unknown[] = [];
  for (const shape of ['placements', 'evacuation'] as const) {
    for (const n of SIZES) {
      log(`plan: ${shape}, ${n} share servers`);
      const r = await measure(process.execPath, [path.join(js, 'plan-child.js'), shape, String(n)], { env, timeoutMs: PLAN_TIMEOUT_MS });
      const out = lastJsonLine<Record<string, unknown>>(r.stdout);
      if (r.code !== 0 || !out) {
        log(`  failed (exit ${r.code}${r.timedOut ? `, killed after ${PLAN_TIMEOUT_MS / 1000} s` : ''}): ${r.stderr.slice(-400)}`);
        plans.push({ shape, servers: n, ok: false, timedOut: r.timedOut, wallMs: round(r.wallMs, 0), maxRssMb: r.maxRssMb });
        continue;
      }
      log(`  plan ${round(out.planMs as number, 0)} ms, parse ${round(out.parseMs as number, 0)} ms, peak RSS ${r.maxRssMb} MiB`);
      plans.push({ ok: true, ...out, processWallMs: round(r.wallMs, 0), maxRssMb: r.maxRssMb });
    }
  }

  const synths: unknown[] = [];
  for (const n of SYNTH) {
    log(`synth: ${n} placements (app.synth() in a child)`);
    const work = path.join(TMP, 'apps', `synth-${n}`);
    const r = await measure(process.execPath, [path.join(js, 'synth-child.js'), String(n), work], { env, timeoutMs: PLAN_TIMEOUT_MS });
    const out = lastJsonLine<Record<string, unknown>>(r.stdout);
    log(`  ${out ? `synth ${round(out.synthMs as number, 0)} ms, peak RSS ${r.maxRssMb} MiB` : `failed: ${r.stderr.slice(-400)}`}`);

    log(`synth: ${n} placements as plan/apply run it (npx ts-node --transpile-only main.ts)`);
    const app = writeCliApp(n);
    const c = await measure('bash', ['-c', 'npx ts-node --transpile-only main.ts'], { cwd: app.dir, env: app.env, timeoutMs: PLAN_TIMEOUT_MS });
    log(`  ${c.code === 0 ? `${round(c.wallMs, 0)} ms, peak RSS ${c.maxRssMb} MiB` : `failed: ${c.stderr.slice(-400)}`}`);
    synths.push({
      placements: n,
      ok: r.code === 0 && Boolean(out),
      ...(out ?? {}),
      processWallMs: round(r.wallMs, 0),
      maxRssMb: r.maxRssMb,
      cli: { ok: c.code === 0, command: 'npx ts-node --transpile-only main.ts', wallMs: round(c.wallMs, 0), maxRssMb: c.maxRssMb },
    });
  }
  writeJson(OUT, { kind: 'scale', at: new Date().toISOString(), node: process.version, plans, synths });
  log(`wrote ${OUT}`);
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
