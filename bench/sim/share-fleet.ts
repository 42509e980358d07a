import { cloudKey, defaultLockDir, fileLocks } from '../../lib/apply/lock';
import type { MoveResult } from '../../lib/apply/result';
import { applyPlan } from '../../lib/apply/runner';
import { backendHostOf } from '../../lib/manila/resource';
import { plan } from '../../lib/plan/plan';
import type { MigrateEntry } from '../../lib/plan/types';
import { takeSnapshot } from '../../lib/snapshot/refresh';
import { lowerBound, type LowerBound } from './bounds';
import { runInVirtualTime, VirtualClock } from './clock';
import type { MigrationFate } from './context';
import { idealSchedule, type IdealSchedule } from './ideal';
import { InFlightMonitor, type LimitSpec } from './inflight';
import { SimulatedCloud } from './manila';
import { ProcessSampler } from './metrics';
import { orderedLocks } from './ordered-locks';
import { Prng } from './prng';
import { evacuations, stats, type Stats } from './production';
import { completeLags, rateByInFlight, type RateBucket } from './run-metrics';
import type { MoveFacts, ScheduleModel } from './schedule-model';
import { auditShares, shareBaseline, type ShareAuditReport } from './share-audit';
import { PRODUCTION_TIMINGS } from './timings';
import { flatFleetWorld } from './world';

/**
 * One production-scale run of share migration in the simulator (beside ./production.ts for share
 * servers): a fleet of flat shares on backends without share servers, every source host
 * evacuated to pools of new hosts by the real `plan()` and one long real `applyPlan`, at
 * production timings in virtual time; phase 1 lasts as long as the share's copy, some
 * migrations fail in phase 1. Measured from the simulator's side (its records and the requests
 * it got) and set against the ideal schedule (./ideal.ts) with the same facts.
 */

/** What to run. */
export interface ShareFleetOptions {
  readonly shares: number;
  readonly sources: number;
  readonly destinations: number;
  readonly poolsPerBackend: number;
  /** Targets per evacuation (each source spreads over this many destination hosts). */
  readonly targetsPerSource: number;
  readonly seed: number;
  readonly limits: LimitSpec;
  /** The driver copies this many ms per GiB (phase 1 = size × this, at least one continue interval). */
  readonly copyMsPerGiB: number;
  readonly failureRate: number;
  readonly tokenLifetimeMs: number;
  /** Give up past this much virtual time. */
  readonly limitMs: number;
  /** Virtual start (ms since the epoch). */
  readonly start: number;
}

/** What a run measured. */
export interface ShareFleetResult {
  readonly wallMs: number;
  /** Virtual ms from the run's start to the last migration's end in Manila. */
  readonly makespanMs: number;
  /** Virtual ms from the run's start until applyPlan returned. */
  readonly runnerEndMs: number;
  readonly outcome: Readonly<Record<string, number>>;
  readonly audit: ShareAuditReport;
  readonly inFlight: {
    readonly peak: InFlightMonitor['peak'];
    readonly violations: number;
    readonly firstViolations: readonly string[];
    readonly checks: number;
  };
  readonly requests: {
    readonly runner: {
      readonly total: number;
      readonly manila: number;
      readonly tokens: number;
      readonly byOp: Readonly<Record<string, number>>;
      readonly peakPerSecond: number;
      readonly peakPerMinute: number;
      readonly burstNeededAt2: number;
      readonly worstBurst: { readonly burst: number; readonly fromS: number; readonly toS: number };
    };
    readonly peakConcurrentRequests: number;
  };
  readonly perMigration: { readonly calls: number; readonly slotHours: number; readonly callsPerMigrationHour: number };
  readonly rateByInFlight: readonly RateBucket[];
  /** Phase 1 done → complete accepted, virtual s. */
  readonly completeLagS: Stats;
  readonly budget: { readonly waitedS: number; readonly skippedDisplay: number };
  readonly process: { readonly peakRssMiB: number; readonly cpuMsPerVirtualHour: Stats; readonly simHandlerMs: number; readonly totalCpuMs: number };
  readonly bound: { readonly strict: LowerBound; readonly gridded: LowerBound; readonly ideal: Omit<IdealSchedule, 'moves'> };
  readonly model: ScheduleModel;
  /** Phase 1 of the moves as drawn, ms. */
  readonly phase1: Stats;
}

/** The schedule model of share migration at production timings: the steps the ideal runner cannot skip. */
export function shareProductionModel(limits: LimitSpec): ScheduleModel {
  const t = PRODUCTION_TIMINGS.share;
  return {
    startupMs: t.cast + t.createInstance + t.compat + t.driverStart,
    continueIntervalMs: t.continueIntervalMs,
    continueCallMs: t.continueCall,
    gridPhaseMs: 0,
    completionMs: t.cast + t.driverComplete + t.deleteSource,
    cancelMs: t.cast + t.driverCancel,
    limits,
  };
}

/** Runs one share fleet simulation. */
export async function runShareFleet(o: ShareFleetOptions): Promise<ShareFleetResult> {
  const wall0 = Date.now();
  const clock = new VirtualClock({ start: o.start });
  const { sources, destinations, shares, poolsPerBackend } = o;
  const world = flatFleetWorld({ sources, destinations, shares, poolsPerBackend, rng: Prng.of(o.seed, 'world') });
  // Fates by share name, drawn before the run: phase 1 is the copy of the share's size.
  const specs = world.flatShares ?? [];
  const failing = new Set(Prng.of(o.seed, 'fates').sample(specs.map((s) => s.name), Math.round(o.failureRate * specs.length)));
  const fateByName = new Map<string, MigrationFate>();
  for (const s of specs) {
    const phase1Ms = Math.max(PRODUCTION_TIMINGS.share.continueIntervalMs, s.size * o.copyMsPerGiB);
    const failAfterMs = failing.has(s.name) ? Math.round(Prng.of(o.seed, `fate:${s.name}`).uniform(0, phase1Ms)) : undefined;
    fateByName.set(s.name, { phase1Ms, ...(failAfterMs !== undefined ? { failAfterMs } : {}) });
  }
  const cloud: SimulatedCloud = new SimulatedCloud({
    world,
    clock,
    timings: PRODUCTION_TIMINGS,
    seed: o.seed,
    tokenLifetimeMs: o.tokenLifetimeMs,
    users: [{ name: 'planner', password: 'planner-password', roles: ['admin'] }],
    fateOf: (m) => fateByName.get(cloud.store.shares.get(m.sourceId)?.name ?? '') ?? { phase1Ms: PRODUCTION_TIMINGS.share.continueIntervalMs },
  });
  const baseline = shareBaseline(cloud);
  const monitor = new InFlightMonitor(cloud, o.limits);
  const sampler = new ProcessSampler(clock);
  const cpu0 = process.cpuUsage();
  let t0 = 0;
  let runnerEnd = 0;
  let moves: MigrateEntry[] = [];
  let results: readonly MoveResult[] = [];
  let budget = { waitedS: 0, skippedDisplay: 0 };
  await runInVirtualTime(
    clock,
    async () => {
      // `refresh` and `plan` run before, as their own process: their requests are not the runner's.
      const refresh = cloud.client({ maxRequestRate: Infinity, config: cloud.config('planner', 'planner-password') });
      const p = plan(evacuations(o), await takeSnapshot(refresh, () => new Date(clock.now())));
      await refresh.close();
      moves = p.entries.filter((e): e is MigrateEntry => e.action === 'migrate');
      if (moves.length !== o.shares) throw new Error(`the plan has ${moves.length} moves for ${o.shares} shares: ${JSON.stringify(p.summary)}`);
      t0 = clock.now();
      const locks = orderedLocks(fileLocks(defaultLockDir(), cloudKey(cloud.config().authUrl, `${cloud.manilaOrigin}/v2`)));
      const client = cloud.client();
      const { parallel, maxPerSource, maxPerDestination } = o.limits;
      const r = await applyPlan(p, client, { clock, locks, parallel, maxPerSource, maxPerDestination });
      results = r.results;
      budget = { waitedS: client.budget.stats.waitedMs / 1000, skippedDisplay: client.budget.stats.skipped };
      await client.close();
      runnerEnd = clock.now();
      sampler.stop();
    },
    { until: o.start + o.limitMs }
  );
  const totalCpu = process.cpuUsage(cpu0);
  const model = shareProductionModel(o.limits);
  // The ideal runner's limits count per host, as the runner's do: a pool counts toward its host.
  const facts: MoveFacts[] = moves.map((e) => {
    const f = fateByName.get(e.server.shares?.[0]?.name ?? '')!;
    const kind = f.failAfterMs !== undefined ? 'failure' : 'success';
    return { key: e.key, from: backendHostOf(e.from), to: backendHostOf(e.to), kind, phase1Ms: f.phase1Ms, failAfterMs: f.failAfterMs };
  });
  const ideal = idealSchedule(facts, model, t0);
  const migrations = cloud.migrations;
  const lastEnd = Math.max(...migrations.map((m) => m.endedAt ?? clock.now()));
  const slotHours = migrations.reduce((a, m) => a + ((m.endedAt ?? clock.now()) - m.startedAt), 0) / 3_600_000;
  const runner = cloud.log.client('admin');
  const outcome: Record<string, number> = {};
  for (const r of results) outcome[r.phase] = (outcome[r.phase] ?? 0) + 1;
  const calls = runner?.manila ?? 0;
  const cpuPerHour = sampler.samples.filter((s) => s.hour > 0).map((s) => s.cpuMs);
  const wb = cloud.log.worstBurst('admin', 2);
  await cloud.close();
  return {
    wallMs: Date.now() - wall0,
    makespanMs: lastEnd - t0,
    runnerEndMs: runnerEnd - t0,
    outcome,
    audit: auditShares(
      cloud,
      moves.map((e) => ({ shareId: e.server.id, from: e.from, to: e.to, phase: results.find((r) => r.key === e.key)?.phase ?? '?' })),
      baseline
    ),
    inFlight: {
      peak: monitor.peak,
      violations: monitor.violations.length,
      firstViolations: monitor.violations.slice(0, 5).map((v) => `${new Date(v.at).toISOString()} ${v.what}`),
      checks: monitor.checks,
    },
    requests: {
      runner: {
        total: runner?.total ?? 0,
        manila: calls,
        tokens: cloud.keystone.issued.get('admin') ?? 0,
        byOp: Object.fromEntries([...(runner?.byOp ?? new Map<string, number>())].sort((a, b) => b[1] - a[1])),
        peakPerSecond: runner?.peakPerSecond ?? 0,
        peakPerMinute: runner?.peakPerMinute ?? 0,
        burstNeededAt2: wb.burst,
        worstBurst: { burst: wb.burst, fromS: (wb.from - t0) / 1000, toS: (wb.to - t0) / 1000 },
      },
      peakConcurrentRequests: cloud.log.peakInFlight,
    },
    perMigration: { calls: calls / o.shares, slotHours, callsPerMigrationHour: calls / slotHours },
    rateByInFlight: rateByInFlight(monitor.series.get('*') ?? [], runner?.perMinute, t0, runnerEnd),
    completeLagS: stats(completeLags(migrations)),
    budget,
    process: {
      peakRssMiB: sampler.peakRssMiB,
      cpuMsPerVirtualHour: stats(cpuPerHour),
      simHandlerMs: cloud.handlerMs,
      totalCpuMs: (totalCpu.user + totalCpu.system) / 1000,
    },
    bound: {
      strict: lowerBound(facts, model, t0),
      gridded: lowerBound(facts, model, t0, true),
      ideal: { makespanMs: ideal.makespanMs, windowWaitMs: ideal.windowWaitMs },
    },
    model,
    phase1: stats(facts.map((f) => f.phase1Ms)),
  };
}
