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
 * one or two zones only; 1% of the servers in flight and 1% in error.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { plan } from '../lib/plan/plan';
import type { RebalanceDeclaration, RebalanceObjective } from '../lib/plan/types';
import type { CloudSnapshot, SnapshotShareNetwork, SnapshotShareServer } from '../lib/snapshot/model';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

const RUNS = Number(arg('--runs', '7'));
const SERVERS = Number(arg('--servers', '10000'));
const HOSTS = Number(arg('--hosts', '100'));
const OUT = path.resolve(arg('--out', path.join(__dirname, 'results', 'plan-rebalance.json')));
const ZONES = ['az1', 'az2', 'az3'];
const NETWORKS = 2000;
const POOL_GB = 100 * 1024;

/** mulberry32: a small seeded generator, so the snapshot is the same on every run. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const id = (kind: number, i: number): string => `${kind.toString(16).padStart(8, '0')}-0000-4000-8000-${i.toString(16).padStart(12, '0')}`;
const hostName = (k: number): string => `node${String(k).padStart(2, '0')}@be${String(k).padStart(2, '0')}`;

function generate(servers: number, hosts: number): CloudSnapshot {
  const r = rng(20261125);
  const project = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
  const networks: SnapshotShareNetwork[] = Array.from({ length: NETWORKS }, (_, n) => {
    const pinned = r() < 0.4;
    const zones = pinned ? [...new Set([ZONES[Math.floor(r() * 3)], ...(r() < 0.5 ? [ZONES[Math.floor(r() * 3)]] : [])])] : [null];
    return { id: id(1, n), name: `sn-${n}`, projectId: project, status: 'active', subnets: zones.map((z, k) => ({ id: id(5, n * 4 + k), availabilityZone: z })) };
  });
  const allocated = new Array<number>(hosts).fill(0);
  const list: SnapshotShareServer[] = [];
  for (let i = 0; i < servers; i++) {
    const h = Math.min(hosts - 1, Math.floor(hosts * r() * r())); // skewed toward the first hosts
    const net = networks[Math.floor(r() * NETWORKS)];
    const shares = Array.from({ length: 1 + Math.floor(r() * 3) }, (_, k) => ({
      id: id(3, i * 4 + k),
      name: `share-${i}-${k}`,
      status: 'available',
      size: 1 + Math.floor(r() * 500),
      hasReplicas: false,
      isSoftDeleted: false,
      snapshots: [],
    }));
    allocated[h] += shares.reduce((s, sh) => s + sh.size, 0);
    const roll = r();
    const base = {
      id: id(2, i),
      projectId: project,
      host: hostName(h),
      shareNetworkId: net.id,
      shareNetworkName: net.name,
      sourceShareServerId: null,
      shareNetworkSubnetIds: net.subnets.map((s) => s.id),
      shares,
    };
    if (roll < 0.01) {
      const dest = hostName((h + 1 + Math.floor(r() * (hosts - 1))) % hosts);
      list.push({ ...base, status: 'server_migrating', taskState: 'migration_driver_in_progress' });
      list.push({ ...base, id: id(6, i), host: dest, status: 'server_migrating_to', taskState: 'migration_driver_in_progress', sourceShareServerId: base.id, shares: [] });
    } else {
      list.push({ ...base, status: roll < 0.02 ? 'error' : 'active', taskState: null });
    }
  }
  return {
    kind: 'manila-placement/snapshot',
    version: 1,
    cloud: { authUrl: 'http://bench/v3', endpoint: 'http://bench/v2', region: 'RegionOne' },
    takenAt: '2026-11-25T08:00:00.000Z',
    microversion: '2.73',
    shareServers: list,
    services: Array.from({ length: hosts }, (_, h) => ({ host: hostName(h), zone: ZONES[h % 3], status: 'enabled', state: 'up' })),
    pools: Array.from({ length: hosts }, (_, h) => ({
      name: `${hostName(h)}#pool`,
      backendHost: hostName(h),
      pool: 'pool',
      dhss: true,
      totalCapacityGb: POOL_GB * 4,
      freeCapacityGb: POOL_GB * 4 - allocated[h],
      allocatedCapacityGb: allocated[h],
    })),
    shareNetworks: networks,
  };
}

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
  { name: 'server-count, drain 2 hosts, maxMoves 2000', decl: declaration('server-count', { drain: [hostName(0), hostName(1)], maxMoves: 2000 }) },
];

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}
const round = (v: number): number => Math.round(v * 10) / 10;

function main(): void {
  const loadBefore = os.loadavg()[0];
  const t0 = process.hrtime.bigint();
  const snapshot = generate(SERVERS, HOSTS);
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
