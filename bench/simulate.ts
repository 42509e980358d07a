/**
 * Production-scale runs of the real runner in the Manila simulator (bench/sim/), in virtual time:
 * 1,000 share servers on 40 source hosts evacuated to 10 new hosts, parallel 50, 2 per source,
 * 5 per destination, phase 1 of 30 min to 6 h, failures, cancels, a completion window, short
 * tokens. Once as one long `applyPlan`, once as `--no-wait` passes every 5 minutes. Writes
 * bench/results/simulation.json, simulation.md and simulation-inflight.svg.
 *
 *   npx ts-node --transpile-only bench/simulate.ts [--servers 1000] [--sources 40] [--destinations 10]
 *     [--seed 7] [--modes long,no-wait] [--control] [--heap-probe MiB] [--no-window] [--out bench/results] [--no-probes] [--ts-node]
 *
 * --render <simulation.json> writes the markdown and the chart again from an earlier run's data.
 * --control adds a long run without the window (the runner's own overhead, which the window's
 * 6 h cycles hide); --heap-probe N adds the long run with V8's old space capped at N MiB.
 *
 * Each mode runs in its own Node process (compiled to JavaScript first, as the CLI runs from
 * dist/; `--ts-node` skips that), started with --expose-gc, so memory and CPU figures are that
 * run's alone. No network: the simulator answers through an undici MockAgent in-process.
 */
import { execFileSync, fork } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { APPLY_DEFAULTS } from '../lib/apply/options';
import { arg, flag } from './lib/args';
import { libVersion } from './lib/lib-version';
import { inflightSvg } from './sim/chart';
import { probeExitCodeWithFailure, probeFreshPlanAfterCancel, probePhase1Deadline, type ProbeResult } from './sim/probes';
import { runProduction, type ProductionOptions, type ProductionResult } from './sim/production';
import { renderReport, type SimulationReport } from './sim/report';

const REPO = path.resolve(__dirname, '..');
const H = 3_600_000;
const M = 60_000;

const num = (name: string, fallback: number): number => {
  const v = Number(arg(name, String(fallback)));
  if (!Number.isFinite(v) || v <= 0) throw new RangeError(`${name} must be a positive number`);
  return v;
};

/** The run's options from the command line (the brief's defaults). */
function options(): Omit<ProductionOptions, 'mode'> {
  return {
    servers: num('--servers', 1000),
    sources: num('--sources', 40),
    destinations: num('--destinations', 10),
    targetsPerSource: num('--targets', 5),
    seed: num('--seed', 7),
    limits: { parallel: num('--parallel', 50), maxPerSource: num('--max-per-source', 2), maxPerDestination: num('--max-per-destination', 5) },
    phase1Ms: [30 * M, 6 * H],
    failureRate: 0.02,
    cancelRate: 0.01,
    ...(flag('--no-window') ? {} : { window: { cron: '0 */6 * * *', durationMinutes: 120 } }),
    tokenLifetimeMs: num('--token-minutes', 20) * M,
    revokeAtMs: 10 * H,
    passEveryMs: num('--pass-minutes', 5) * M,
    phase1TimeoutMs: num('--phase1-timeout-hours', APPLY_DEFAULTS.phase1TimeoutMs / H) * H,
    limitMs: 30 * 24 * H,
    start: Date.parse('2026-12-07T00:00:00Z'),
  };
}

/** A child: one mode, result to a file. */
async function child(): Promise<void> {
  process.env.MANILA_PLACEMENT_LOCK_DIR = fs.mkdtempSync(path.join(os.tmpdir(), 'mp-sim-locks-'));
  const mode = arg('--child') as ProductionOptions['mode'];
  const o: ProductionOptions = { ...(JSON.parse(arg('--options')!) as Omit<ProductionOptions, 'mode'>), mode };
  const r = await runProduction(o);
  fs.writeFileSync(arg('--result')!, JSON.stringify(r));
}

/** Compiles lib/ and bench/ to JavaScript under bench/results/tmp (node_modules resolve from there). */
function compile(): string {
  const out = path.join(REPO, 'bench/results/tmp/simjs');
  fs.rmSync(out, { recursive: true, force: true });
  const cfg = path.join(REPO, 'bench/results/tmp/tsconfig.simjs.json');
  fs.mkdirSync(path.dirname(cfg), { recursive: true });
  fs.writeFileSync(
    cfg,
    JSON.stringify({
      extends: path.join(REPO, 'tsconfig.json'),
      compilerOptions: { outDir: out, rootDir: REPO, noEmit: false, declaration: false, sourceMap: false, noUnusedLocals: false, noUnusedParameters: false },
      include: [path.join(REPO, 'lib/**/*.ts'), path.join(REPO, 'bench/sim/**/*.ts'), path.join(REPO, 'bench/simulate.ts')],
    })
  );
  const script = path.join(out, 'bench/simulate.js');
  try {
    execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', cfg], { stdio: 'inherit', cwd: REPO });
  } catch (e) {
    // Type errors elsewhere in lib/ (work in progress) still emit JavaScript: run that.
    if (!fs.existsSync(script)) throw e;
    process.stderr.write('simulate: tsc reported errors (above); running the JavaScript it emitted\n');
  }
  return script;
}

/** One run of the bench: a mode, with or without the window. */
interface Variant {
  readonly label: string;
  readonly mode: ProductionOptions['mode'];
  readonly window: boolean;
  /** V8's old-space limit for the run's process, MiB. @default 2048 */
  readonly heapMiB?: number;
}

function runChild(script: string, v: Variant, base: Omit<ProductionOptions, 'mode'>, tsNode: boolean): Promise<ProductionResult> {
  const { window: _w, ...noWindow } = base;
  const o = { ...(v.window ? base : noWindow), label: v.label };
  const mode = v.mode;
  const result = path.join(REPO, `bench/results/tmp/simulation-${v.label}.json`);
  fs.rmSync(result, { force: true });
  const execArgv = ['--expose-gc', `--max-old-space-size=${v.heapMiB ?? 2048}`, ...(tsNode ? ['-r', 'ts-node/register/transpile-only'] : [])];
  return new Promise((resolve, reject) => {
    const c = fork(script, ['--child', mode, '--options', JSON.stringify(o), '--result', result], { execArgv, stdio: 'inherit' });
    c.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`the ${mode} run exited ${code}`));
      resolve(JSON.parse(fs.readFileSync(result, 'utf8')) as ProductionResult);
    });
    c.on('error', reject);
  });
}

/** Writes simulation.json, simulation.md and simulation-inflight.svg. */
function write(report: SimulationReport, outDir: string): void {
  const o = report.options;
  const runs = report.runs;
  fs.mkdirSync(outDir, { recursive: true });
  fs.writeFileSync(path.join(outDir, 'simulation.json'), JSON.stringify(report, null, 1) + '\n');
  fs.writeFileSync(path.join(outDir, 'simulation.md'), renderReport(report));
  fs.writeFileSync(
    path.join(outDir, 'simulation-inflight.svg'),
    inflightSvg(
      `Migrations in flight: ${o.servers.toLocaleString('en-US')} share servers, ${o.sources} sources → ${o.destinations} destinations (simulated Manila)`,
      `parallel ${o.limits.parallel}, ${o.limits.maxPerSource} per source, ${
        o.limits.maxPerDestination
      } per destination; phase 1 0.5–6 h, continue every 900 s; window ${o.window ? `${o.window.cron} for ${o.window.durationMinutes} min` : 'none'}`,
      runs
        .filter((r) => !r.label.startsWith('long-heap'))
        .map((r) => ({
          title: `${r.mode === 'long' ? 'one long applyPlan' : `--no-wait passes every ${o.passEveryMs / M} min`}${r.window ? '' : ', no completion window'}`,
          total: r.series.total,
          totalLimit: o.limits.parallel,
          perHost: r.series.perHost,
          hostLimit: o.limits.maxPerDestination ?? o.limits.parallel,
          windows: r.window ? r.series.windows : [],
          endMs: r.makespanMs,
        }))
    )
  );
}

async function main(): Promise<void> {
  if (arg('--child')) return child();
  const render = arg('--render');
  if (render) {
    // Re-render the report of an earlier run (after a change to the report's text).
    const report = JSON.parse(fs.readFileSync(path.resolve(render), 'utf8')) as SimulationReport;
    write(report, path.resolve(arg('--out', path.dirname(path.resolve(render)))!));
    return;
  }
  const t0 = Date.now();
  const o = options();
  const modes = (arg('--modes', 'long,no-wait') ?? '').split(',') as Array<ProductionOptions['mode']>;
  // The runs: each mode with the window; with --control, one long run without it as well (its
  // makespan against the ideal shows the runner's own overhead, which the window's 6 h cycles hide).
  const variants: Variant[] = modes.map((m) => ({ label: m, mode: m, window: o.window !== undefined }));
  if (flag('--control') && o.window) variants.push({ label: 'long-no-window', mode: 'long', window: false });
  // With --heap-probe, the long run again with V8's heap capped: what the runner needs, not what V8 takes when it may.
  const heapProbe = arg('--heap-probe');
  if (heapProbe) variants.push({ label: `long-heap-${heapProbe}MiB`, mode: 'long', window: o.window !== undefined, heapMiB: Number(heapProbe) });
  const outDir = path.resolve(arg('--out', path.join(REPO, 'bench/results'))!);
  const tsNode = flag('--ts-node');
  process.stderr.write(
    `== simulate: ${o.servers} servers, ${o.sources} sources → ${o.destinations} destinations, limits ${JSON.stringify(o.limits)}, modes ${modes.join(', ')}\n`
  );
  const script = tsNode ? __filename : compile();
  const runs: ProductionResult[] = [];
  for (const v of variants) {
    const t = Date.now();
    process.stderr.write(`== ${v.label}\n`);
    const r = await runChild(script, v, o, tsNode);
    process.stderr.write(
      `   makespan ${(r.makespanMs / H).toFixed(2)} h (ideal ${(r.bound.ideal.makespanMs / H).toFixed(2)} h), ${r.requests.runner.manila} requests, lost ${
        r.audit.lost.length
      }, stuck ${r.audit.stuck.length}; wall ${((Date.now() - t) / 1000).toFixed(1)} s\n`
    );
    runs.push(r);
  }
  let probes: ProbeResult[] = [];
  if (!flag('--no-probes')) {
    process.env.MANILA_PLACEMENT_LOCK_DIR = fs.mkdtempSync(path.join(os.tmpdir(), 'mp-sim-locks-'));
    process.stderr.write('== probes\n');
    probes = [await probePhase1Deadline(), await probeExitCodeWithFailure(), await probeFreshPlanAfterCancel()];
  }
  const report: SimulationReport = {
    generatedAt: new Date().toISOString(),
    options: o,
    runs,
    probes,
    wallMs: Date.now() - t0,
    node: process.version,
    lib: libVersion(REPO),
  };
  write(report, outDir);
  fs.rmSync(path.join(REPO, 'bench/results/tmp/simjs'), { recursive: true, force: true });
  process.stderr.write(
    `== wrote ${path.relative(REPO, outDir)}/simulation.{json,md} and simulation-inflight.svg in ${((Date.now() - t0) / 60_000).toFixed(1)} min\n`
  );
}

main().catch((e) => {
  process.stderr.write(`simulate: ${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
