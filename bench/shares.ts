/**
 * Share migration at production scale in the Manila simulator (bench/sim/), in virtual time:
 * 1,000 flat shares on the pools of 10 source hosts (driver_handles_share_servers = False)
 * evacuated to the pools of 10 new hosts by the real plan() and one long real applyPlan,
 * parallel 50, 5 per source host, 5 per destination host, phase 1 as long as each share's copy,
 * 2 % failing in phase 1. Writes bench/results/shares.json and shares.md: the makespan against
 * the ideal schedule and the lower bound, the requests and their rates (as bench/simulate.ts
 * reports for share servers).
 *
 *   npx ts-node --transpile-only bench/shares.ts [--shares 1000] [--sources 10] [--destinations 10]
 *     [--pools 2] [--targets 2] [--seed 7] [--parallel 50] [--max-per-source 5] [--max-per-destination 5]
 *     [--copy-s-per-gib 8] [--out bench/results]
 *
 * One process, no network: the simulator answers through an undici MockAgent in-process.
 * --render <shares.json> writes the markdown again from an earlier run's data.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { arg } from './lib/args';
import { libVersion } from './lib/lib-version';
import { runShareFleet, type ShareFleetOptions } from './sim/share-fleet';
import { renderShareReport, type ShareReport } from './sim/share-report';

const REPO = path.resolve(__dirname, '..');
const H = 3_600_000;

const num = (name: string, fallback: number): number => {
  const v = Number(arg(name, String(fallback)));
  if (!Number.isFinite(v) || v <= 0) throw new RangeError(`${name} must be a positive number`);
  return v;
};

/** The run's options from the command line. */
function options(): ShareFleetOptions {
  return {
    shares: num('--shares', 1000),
    sources: num('--sources', 10),
    destinations: num('--destinations', 10),
    poolsPerBackend: num('--pools', 2),
    targetsPerSource: num('--targets', 2),
    seed: num('--seed', 7),
    limits: { parallel: num('--parallel', 50), maxPerSource: num('--max-per-source', 5), maxPerDestination: num('--max-per-destination', 5) },
    // 8 s/GiB (~128 MiB/s): phase 1 from 80 s (10 GiB) to about 66 min (499 GiB).
    copyMsPerGiB: num('--copy-s-per-gib', 8) * 1000,
    failureRate: 0.02,
    tokenLifetimeMs: 60 * 60_000,
    limitMs: 10 * 24 * H,
    start: Date.parse('2026-12-07T00:00:00Z'),
  };
}

function write(report: ShareReport, outDir: string): void {
  fs.mkdirSync(outDir, { recursive: true });
  fs.writeFileSync(path.join(outDir, 'shares.json'), JSON.stringify(report, null, 1) + '\n');
  fs.writeFileSync(path.join(outDir, 'shares.md'), renderShareReport(report));
}

async function main(): Promise<void> {
  const render = arg('--render');
  if (render) {
    const report = JSON.parse(fs.readFileSync(path.resolve(render), 'utf8')) as ShareReport;
    write(report, path.resolve(arg('--out', path.dirname(path.resolve(render)))!));
    return;
  }
  // The runner's file locks, in a directory of our own.
  process.env.MANILA_PLACEMENT_LOCK_DIR = fs.mkdtempSync(path.join(os.tmpdir(), 'mp-sim-locks-'));
  const t0 = Date.now();
  const o = options();
  const outDir = path.resolve(arg('--out', path.join(REPO, 'bench/results'))!);
  process.stderr.write(`== shares: ${o.shares} flat shares, ${o.sources} sources → ${o.destinations} destinations (${o.poolsPerBackend} pools each), limits ${JSON.stringify(o.limits)}\n`);
  const run = await runShareFleet(o);
  process.stderr.write(
    `   makespan ${(run.makespanMs / H).toFixed(2)} h (ideal ${(run.bound.ideal.makespanMs / H).toFixed(2)} h), ${run.requests.runner.manila} requests, lost ${run.audit.lost.length}, stuck ${run.audit.stuck.length}; wall ${(run.wallMs / 1000).toFixed(1)} s\n`
  );
  const report: ShareReport = { generatedAt: new Date().toISOString(), options: o, run, wallMs: Date.now() - t0, node: process.version, lib: libVersion(REPO) };
  write(report, outDir);
  process.stderr.write(`== wrote ${path.relative(REPO, outDir)}/shares.{json,md}\n`);
}

main().catch((e) => {
  process.stderr.write(`shares: ${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
