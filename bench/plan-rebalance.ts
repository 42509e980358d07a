/**
 * Benchmark of rebalance planning (pure, no test bed): `plan()` with one Rebalance over a
 * generated snapshot of 10,000 share servers on 100 backends, for each objective, timed over
 * several runs after a warm-up. Writes bench/results/plan-rebalance.json (median, min and max
 * ms per scenario, moves planned, spread before and after, peak RSS of the process).
 *
 *   npx ts-node --transpile-only bench/plan-rebalance.ts [--runs 7] [--servers 10000] [--hosts 100] [--out FILE]
 *
 * The snapshot is deterministic (a seeded generator, no clock): hosts `nodeNN@beNN` in three
 * zones, each with one DHSS pool of 100 TiB; servers spread unevenly (the first hosts hold
 * most), 1 to 3 shares of 1 to 500 GiB each; 2,000 share networks, 40% of them with subnets in
 * one or two zones only; 1% of the servers in flight and 1% in error (bench/lib/generate.ts).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { plan } from '../lib/plan/plan';
import type { RebalanceDeclaration, RebalanceObjective } from '../lib/plan/types';
import { arg } from './lib/args';
import { generateRebalanceSnapshot, nodeName } from './lib/generate';

const RUNS = Number(arg('--runs', '7'));
const SERVERS = Number(arg('--servers', '10000'));
const HOSTS = Number(arg('--hosts', '100'));
const OUT = path.resolve(arg('--out', path.join(__dirname, 'results', 'plan-rebalance.json')));

function declaration(objective: RebalanceObjective, extra: Partial<RebalanceDeclaration> = {}): RebalanceDeclaration {
  const defaults = { 'server-count': [1, 1], 'allocated-gb': [500, 50], 'free-ratio': [0.01, 0.0005] }[objective];
  return {
    kind: 'rebalance',
    path: `bench/${objective}`,
    hostPattern: 'node*@be*',
    objective,
    drain: [],
    exclude: [],
    tolerance: defaults[0],
    minGain: defaults[1],
    reserveGb: 0,
    reserveRatio: 0,
    flags: { writable: false, nondisruptive: false, preserveSnapshots: false },
    completion: 'auto',
    ...extra,
  };
}

const SCENARIOS: Array<{ name: string; decl: RebalanceDeclaration }> = [
  { name: 'server-count', decl: declaration('server-count') },
  { name: 'allocated-gb', decl: declaration('allocated-gb') },
  { name: 'free-ratio', decl: declaration('free-ratio', { reserveRatio: 0.1 }) },
  { name: 'server-count, drain 2 hosts, maxMoves 2000', decl: declaration('server-count', { drain: [nodeName(0), nodeName(1)], maxMoves: 2000 }) },
];

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}
const round = (v: number): number => Math.round(v * 10) / 10;

function main(): void {
  const loadBefore = os.loadavg()[0];
  const t0 = process.hrtime.bigint();
  const snapshot = generateRebalanceSnapshot(SERVERS, HOSTS);
  const generateMs = Number(process.hrtime.bigint() - t0) / 1e6;
  const results = SCENARIOS.map(({ name, decl }) => {
    plan([decl], snapshot); // warm-up
    const times: number[] = [];
    let last: ReturnType<typeof plan> | undefined;
    for (let i = 0; i < RUNS; i++) {
      const t = process.hrtime.bigint();
      last = plan([decl], snapshot);
      times.push(Number(process.hrtime.bigint() - t) / 1e6);
    }
    const r = last?.rebalance?.[0];
    const row = {
      scenario: name,
      runs: RUNS,
      medianMs: round(median(times)),
      minMs: round(Math.min(...times)),
      maxMs: round(Math.max(...times)),
      moves: r?.moves ?? 0,
      spreadBefore: r?.spread.before,
      spreadAfter: r?.spread.after,
      stop: r?.stop,
    };
    process.stderr.write(`${name}: median ${row.medianMs} ms (min ${row.minMs}, max ${row.maxMs}); ${row.moves} moves, spread ${row.spreadBefore} -> ${row.spreadAfter} (${row.stop})\n`);
    return row;
  });
  const doc = {
    benchmark: 'plan-rebalance',
    what: 'plan() with one Rebalance declaration over a generated snapshot (pure; includes normalising, lineages, overlap checks and the snapshot digest)',
    servers: SERVERS,
    backends: HOSTS,
    snapshotRecords: snapshot.shareServers.length,
    generateMs: round(generateMs),
    node: process.version,
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    /** 1-minute load average before and after: the machine is shared, so figures vary with it. */
    loadAverage: { before: round(loadBefore), after: round(os.loadavg()[0]) },
    peakRssMb: round(process.resourceUsage().maxRSS / 1024),
    results,
  };
  fs.mkdirSync(path.dirname(OUT), { recursive: true });
  fs.writeFileSync(OUT, JSON.stringify(doc, null, 2) + '\n');
  process.stderr.write(`peak RSS ${doc.peakRssMb} MiB; written ${OUT}\n`);
}

main();
