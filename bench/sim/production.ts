import { APPLY_DEFAULTS } from '../../lib/apply/options';
import { cloudKey, defaultLockDir, fileLocks } from '../../lib/apply/lock';
import { applyPlan } from '../../lib/apply/runner';
import type { RunnerEvent } from '../../lib/apply/events';
import type { MoveResult } from '../../lib/apply/result';
import { plan } from '../../lib/plan/plan';
import type { EvacuationDeclaration, MigrateEntry, Plan } from '../../lib/plan/types';
import { windowAt, type CompletionWindow } from '../../lib/plan/window';
import { takeSnapshot } from '../../lib/snapshot/refresh';
import { audit, type AuditReport } from './audit';
import { lowerBound, type LowerBound } from './bounds';
import { runInVirtualTime, VirtualClock } from './clock';
import type { MigrationFate } from './context';
import { idealSchedule, type IdealSchedule } from './ideal';
import { InFlightMonitor, type LimitSpec } from './inflight';
import { SimulatedCloud } from './manila';
import { ProcessSampler, type ProcessSample } from './metrics';
import { orderedLocks } from './ordered-locks';
import { runOperator, type CancelOrder, type OperatorReport } from './operator';
import { Prng } from './prng';
import type { MoveFacts, ScheduleModel } from './schedule-model';
import { completeLags, rateByInFlight, type RateBucket } from './run-metrics';
import { PRODUCTION_TIMINGS } from './timings';
import { destinationHost, fleetWorld, sourceHost } from './world';

/**
 * One production-scale run in the simulator: a fleet of share servers evacuated from many
 * source hosts to a few new ones by the real `plan()` and the real `applyPlan`, either as one
 * long run or as `--no-wait` passes every few minutes (each a new client, as a new process would
 * be), with phase 1 durations drawn per server, some migrations failing in phase 1, an operator
 * cancelling a few, a completion window, tokens shorter-lived than the run and one revocation.
 * Everything is measured from the simulator's side: Manila's records and the requests it got.
 */

/** What to run. */
export interface ProductionOptions {
  readonly mode: 'long' | 'no-wait';
  /** Name of the run in reports. @default the mode */
  readonly label?: string;
  readonly servers: number;
  readonly sources: number;
  readonly destinations: number;
  /** Targets per evacuation (each source spreads over this many destinations). */
  readonly targetsPerSource: number;
  readonly seed: number;
  readonly limits: LimitSpec;
  /** Phase 1 (data copy) drawn uniformly in [min, max] ms. */
  readonly phase1Ms: readonly [number, number];
  readonly failureRate: number;
  readonly cancelRate: number;
  readonly window?: CompletionWindow;
  readonly tokenLifetimeMs: number;
  /** Revoke every token at this virtual offset from the start (a Keystone revocation event). */
  readonly revokeAtMs?: number;
  /** Between the starts of two `--no-wait` passes. */
  readonly passEveryMs: number;
  readonly phase1TimeoutMs: number;
  /** Give up past this much virtual time. */
  readonly limitMs: number;
  /** Virtual start (ms since the epoch). */
  readonly start: number;
}

/** Summary statistics of a list of numbers. */
export interface Stats {
  readonly n: number;
  readonly min: number;
  readonly p50: number;
  readonly p95: number;
  readonly max: number;
  readonly mean: number;
}

/** Statistics of `xs`. */
export function stats(xs: readonly number[]): Stats {
  if (!xs.length) return { n: 0, min: 0, p50: 0, p95: 0, max: 0, mean: 0 };
  const s = [...xs].sort((a, b) => a - b);
  const at = (q: number): number => s[Math.min(s.length - 1, Math.floor(q * s.length))];
  return { n: s.length, min: s[0], p50: at(0.5), p95: at(0.95), max: s[s.length - 1], mean: s.reduce((a, b) => a + b, 0) / s.length };
}

/** What a run measured. */
export interface ProductionResult {
  readonly mode: ProductionOptions['mode'];
  readonly label: string;
  /** The completion window of this run (none: auto). */
  readonly window?: CompletionWindow;
  readonly wallMs: number;
  /** Virtual ms from the run's start to the last migration's end in Manila. */
  readonly makespanMs: number;
  /** Virtual ms from the run's start until the runner reported everything (last pass / applyPlan's return). */
  readonly runnerEndMs: number;
  readonly outcome: Readonly<Record<string, number>>;
  readonly audit: AuditReport;
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
      readonly burstNeededAt2OutsideRevocation: number;
    };
    readonly operator: { readonly total: number; readonly tokens: number };
    readonly peakConcurrentRequests: number;
  };
  readonly perMigration: { readonly calls: number; readonly slotHours: number; readonly callsPerMigrationHour: number };
  /** Runner requests per virtual minute, by migrations in flight at that minute (buckets of 10). */
  readonly rateByInFlight: readonly RateBucket[];
  /** Phase 1 done (window open) → complete accepted, virtual s. */
  readonly completeLagS: Stats;
  readonly budget?: { readonly waitedS: number; readonly skippedDisplay: number };
  readonly passes?: { readonly count: number; readonly durationS: Stats; readonly requests: Stats; readonly burstNeededAt2: Stats };
  readonly process: {
    readonly samples: readonly ProcessSample[];
    readonly peakRssMiB: number;
    readonly cpuMsPerVirtualHour: Stats;
    readonly simHandlerMs: number;
    readonly totalCpuMs: number;
  };
  readonly operator: OperatorReport;
  readonly bound: {
    readonly strict: LowerBound;
    readonly gridded: LowerBound;
    readonly ideal: Omit<IdealSchedule, 'moves'>;
    /** no-wait: the ideal runner acting only at the passes (ScheduleModel.passEveryMs). */
    readonly idealPasses?: Omit<IdealSchedule, 'moves'>;
  };
  readonly series: {
    readonly total: Array<[number, number]>;
    readonly perHost: Array<{ host: string; points: Array<[number, number]> }>;
    readonly windows: Array<[number, number]>;
  };
  readonly model: ScheduleModel;
  readonly runnerEvents: number;
  /** Migrations whose phase 1 (start accepted → phase1_done) took longer than the runner's default phase-1 deadline. */
  readonly overDefaultPhase1Deadline: number;
}

/** The evacuations: source i spreads its servers over `k` consecutive destinations (rotating), so each destination gets the same share. */
export function evacuations(o: Pick<ProductionOptions, 'sources' | 'destinations' | 'targetsPerSource' | 'window'>): EvacuationDeclaration[] {
  return Array.from({ length: o.sources }, (_, i) => ({
    kind: 'evacuation' as const,
    path: `fleet/evacuate-${String(i + 1).padStart(2, '0')}`,
    sourceHost: sourceHost(i + 1),
    targets: Array.from({ length: o.targetsPerSource }, (_, j) => destinationHost(((i + j) % o.destinations) + 1)),
    flags: { writable: false, nondisruptive: false, preserveSnapshots: true },
    completion: o.window ? { window: o.window } : ('auto' as const),
  }));
}

/** The schedule model of the production timing profile. */
export function productionModel(o: ProductionOptions): ScheduleModel {
  const t = PRODUCTION_TIMINGS.manager;
  return {
    startupMs: t.cast + t.compat + t.setupServer + t.link + t.driverStart,
    continueIntervalMs: PRODUCTION_TIMINGS.continueIntervalMs,
    continueCallMs: t.continueCall,
    gridPhaseMs: 0,
    completionMs: t.cast + t.driverComplete,
    cancelMs: t.cast + t.driverCancel + t.cancelFinish,
    window: o.window,
    limits: o.limits,
  };
}

const FINISHED = new Set(['done', 'failed', 'cancelled', 'blocked', 'stale', 'conflict']);

/** Runs one production simulation. */
export async function runProduction(o: ProductionOptions): Promise<ProductionResult> {
  const wall0 = Date.now();
  const clock = new VirtualClock({ start: o.start });
  const world = fleetWorld({ sources: o.sources, destinations: o.destinations, servers: o.servers, rng: Prng.of(o.seed, 'world') });
  // Fates by share network, drawn before the run: both modes see the same durations.
  const networks = world.servers.map((s) => s.network);
  const pick = Prng.of(o.seed, 'fates');
  const failing = new Set(pick.sample(networks, Math.round(o.failureRate * networks.length)));
  const cancelling = new Set(
    pick.sample(
      networks.filter((n) => !failing.has(n)),
      Math.round(o.cancelRate * networks.length)
    )
  );
  const fateByNet = new Map<string, MigrationFate & { cancelAfterMs?: number }>();
  for (const n of networks) {
    const r = Prng.of(o.seed, `fate:${n}`);
    const phase1Ms = Math.round(r.uniform(o.phase1Ms[0], o.phase1Ms[1]));
    const failAfterMs = failing.has(n) ? Math.round(r.uniform(0, phase1Ms)) : undefined;
    const cancelAfterMs = cancelling.has(n) ? Math.round(r.uniform(15 * 60_000, Math.max(20 * 60_000, 0.8 * phase1Ms))) : undefined;
    fateByNet.set(n, { phase1Ms, ...(failAfterMs !== undefined ? { failAfterMs } : {}), ...(cancelAfterMs !== undefined ? { cancelAfterMs } : {}) });
  }
  const netOfServer = (id: string): string | undefined => {
    const s = cloud.store.servers.get(id);
    return s ? cloud.store.networks.get(s.shareNetworkId)?.name : undefined;
  };
  const cloud: SimulatedCloud = new SimulatedCloud({
    world,
    clock,
    timings: PRODUCTION_TIMINGS,
    seed: o.seed,
    tokenLifetimeMs: o.tokenLifetimeMs,
    users: [
      { name: 'operator', password: 'operator-password', roles: ['admin'] },
      { name: 'planner', password: 'planner-password', roles: ['admin'] },
    ],
    fateOf: (m) => {
      const f = fateByNet.get(netOfServer(m.sourceId) ?? '') ?? { phase1Ms: o.phase1Ms[0] };
      return { phase1Ms: f.phase1Ms, ...(f.failAfterMs !== undefined ? { failAfterMs: f.failAfterMs } : {}) };
    },
  });
  const monitor = new InFlightMonitor(cloud, o.limits);
  const sampler = new ProcessSampler(clock);
  let events = 0;
  let runnerEnd = 0;
  let t0 = 0;
  let p: Plan | undefined;
  const passDurations: number[] = [];
  const passRequests: number[] = [];
  const passBursts: number[] = [];
  let budget: ProductionResult['budget'];
  let results: readonly MoveResult[] = [];
  let operator: OperatorReport = { cancelled: [], tooLate: [], notStarted: [], refused: [] };
  const cpu0 = process.cpuUsage();
  const count = (e: RunnerEvent): void => {
    if (e.type === 'move') events++;
  };
  await runInVirtualTime(
    clock,
    async () => {
      // `refresh` and `plan` run before, as their own process: their requests are not the runner's.
      const refresh = cloud.client({ maxRequestRate: Infinity, config: cloud.config('planner', 'planner-password') });
      const snapshot = await takeSnapshot(refresh, () => new Date(clock.now()));
      await refresh.close();
      p = plan(evacuations(o), snapshot);
      const moves = p.entries.filter((e): e is MigrateEntry => e.action === 'migrate');
      if (moves.length !== o.servers) throw new Error(`the plan has ${moves.length} moves for ${o.servers} servers: ${JSON.stringify(p.summary)}`);
      t0 = clock.now();
      const progress = (hour: number): void => {
        clock.at(t0 + hour * 3_600_000, () => {
          if (runnerEnd) return;
          const done = cloud.migrations.filter((x) => x.outcome !== undefined).length;
          process.stderr.write(
            `   [${o.label ?? o.mode}] ${hour} h: ${done} migrations ended, ${monitor.now().total} in flight, ${
              cloud.log.client('admin')?.manila ?? 0
            } runner requests, wall ${((Date.now() - wall0) / 1000).toFixed(0)} s\n`
          );
          progress(hour + 6);
        });
      };
      progress(6);
      if (o.revokeAtMs !== undefined) clock.at(t0 + o.revokeAtMs, () => cloud.revokeTokens());
      let finished = false;
      const orders: CancelOrder[] = moves
        .filter((m) => fateByNet.get(m.server.shareNetworkName ?? '')?.cancelAfterMs !== undefined)
        .map((m) => ({ serverId: m.server.id, afterMs: fateByNet.get(m.server.shareNetworkName ?? '')!.cancelAfterMs! }));
      const opClient = cloud.client({ config: cloud.config('operator', 'operator-password') });
      const op = runOperator(opClient, clock, orders, { pollMs: 300_000, stop: () => finished });
      // The runner's default file locks, with their file-system steps in call order (ordered-locks.ts: reproducible runs).
      const locks = orderedLocks(fileLocks(defaultLockDir(), cloudKey(cloud.config().authUrl, `${cloud.manilaOrigin}/v2`)));
      const opts = {
        clock,
        locks,
        parallel: o.limits.parallel,
        maxPerSource: o.limits.maxPerSource,
        maxPerDestination: o.limits.maxPerDestination,
        phase1TimeoutMs: o.phase1TimeoutMs,
        onEvent: count,
      };
      if (o.mode === 'long') {
        const client = cloud.client();
        const r = await applyPlan(p, client, opts);
        results = r.results;
        budget = { waitedS: client.budget.stats.waitedMs / 1000, skippedDisplay: client.budget.stats.skipped };
        await client.close();
      } else {
        for (;;) {
          const passStart = clock.now();
          const before = cloud.log.client('admin')?.manila ?? 0;
          const client = cloud.client();
          const r = await applyPlan(p, client, { ...opts, noWait: true });
          await client.close();
          results = r.results;
          passDurations.push((clock.now() - passStart) / 1000);
          passRequests.push((cloud.log.client('admin')?.manila ?? 0) - before);
          // Each pass is its own process with its own request budget: check each against it.
          passBursts.push(cloud.log.burstNeeded('admin', 2, passStart, clock.now() + 1));
          if (r.results.every((x) => FINISHED.has(x.phase))) break;
          if (clock.now() - t0 > o.limitMs) throw new Error('no-wait passes did not finish within the limit');
          // The next pass at the next slot of the schedule (a pass that overran skips the slots it missed).
          const next = t0 + Math.ceil((clock.now() - t0 + 1) / o.passEveryMs) * o.passEveryMs;
          await clock.sleep(next - clock.now());
        }
      }
      runnerEnd = clock.now();
      finished = true;
      operator = await op;
      await opClient.close();
      sampler.stop();
    },
    { until: o.start + o.limitMs + 86_400_000 }
  );
  const totalCpu = process.cpuUsage(cpu0);
  sampler.sample(Math.ceil((clock.now() - o.start) / 3_600_000));
  const plan_ = p!;
  // Facts for the bound and the ideal schedule.
  const model = productionModel(o);
  const facts: MoveFacts[] = plan_.entries
    .filter((e): e is MigrateEntry => e.action === 'migrate')
    .map((e) => {
      const f = fateByNet.get(e.server.shareNetworkName ?? '')!;
      const kind = f.failAfterMs !== undefined ? 'failure' : f.cancelAfterMs !== undefined ? 'cancel' : 'success';
      return { key: e.key, from: e.from, to: e.to, kind, phase1Ms: f.phase1Ms, failAfterMs: f.failAfterMs, cancelAfterMs: f.cancelAfterMs };
    });
  const ideal = idealSchedule(facts, model, t0);
  const idealPasses = o.mode === 'no-wait' ? idealSchedule(facts, { ...model, passEveryMs: o.passEveryMs }, t0) : undefined;
  const migrations = cloud.migrations;
  const lastEnd = Math.max(...migrations.map((m) => m.endedAt ?? clock.now()));
  const slotHours = migrations.reduce((a, m) => a + ((m.endedAt ?? clock.now()) - m.startedAt), 0) / 3_600_000;
  const runner = cloud.log.client('admin');
  const opLog = cloud.log.client('operator');
  const outcome: Record<string, number> = {};
  for (const r of results) outcome[r.phase] = (outcome[r.phase] ?? 0) + 1;
  // Runner requests per minute against the migrations in flight then, and the reaction to phase 1 done.
  const total = monitor.series.get('*') ?? [];
  const rates = rateByInFlight(total, runner?.perMinute, t0, runnerEnd);
  const lags = completeLags(migrations, o.window);
  const windows: Array<[number, number]> = [];
  if (o.window) {
    for (let t = o.start; t < lastEnd + 3_600_000; ) {
      const w = windowAt(o.window, t);
      windows.push([w.opensAt - t0, w.closesAt - t0]);
      t = w.closesAt + 1;
    }
  }
  const rel = (pts: Array<[number, number]>): Array<[number, number]> => pts.map(([t, n]) => [t - t0, n]);
  const perHost = [...monitor.series.entries()]
    .filter(([h]) => h !== '*')
    .sort((a, b) => (a[0] < b[0] ? -1 : 1))
    .map(([host, points]) => ({ host, points: rel(points) }));
  const cpuPerHour = sampler.samples.filter((s) => s.hour > 0).map((s) => s.cpuMs);
  const calls = runner?.manila ?? 0;
  await cloud.close();
  return {
    mode: o.mode,
    label: o.label ?? o.mode,
    ...(o.window ? { window: o.window } : {}),
    wallMs: Date.now() - wall0,
    makespanMs: lastEnd - t0,
    runnerEndMs: runnerEnd - t0,
    outcome,
    audit: audit(
      cloud,
      plan_.entries
        .filter((e): e is MigrateEntry => e.action === 'migrate')
        .map((e) => ({ network: e.server.shareNetworkName ?? '', from: e.from, to: e.to, phase: results.find((r) => r.key === e.key)?.phase ?? '?' }))
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
        burstNeededAt2: cloud.log.burstNeeded('admin', 2),
        worstBurst: ((w) => ({ burst: w.burst, fromS: (w.from - t0) / 1000, toS: (w.to - t0) / 1000 }))(cloud.log.worstBurst('admin', 2)),
        burstNeededAt2OutsideRevocation:
          o.revokeAtMs === undefined
            ? cloud.log.burstNeeded('admin', 2)
            : Math.max(cloud.log.burstNeeded('admin', 2, -Infinity, t0 + o.revokeAtMs - 1), cloud.log.burstNeeded('admin', 2, t0 + o.revokeAtMs + 600_000)),
      },
      operator: { total: opLog?.total ?? 0, tokens: cloud.keystone.issued.get('operator') ?? 0 },
      peakConcurrentRequests: cloud.log.peakInFlight,
    },
    perMigration: { calls: calls / o.servers, slotHours, callsPerMigrationHour: calls / slotHours },
    rateByInFlight: rates,
    completeLagS: stats(lags),
    ...(budget ? { budget } : {}),
    ...(o.mode === 'no-wait'
      ? { passes: { count: passDurations.length, durationS: stats(passDurations), requests: stats(passRequests), burstNeededAt2: stats(passBursts) } }
      : {}),
    process: {
      samples: sampler.samples,
      peakRssMiB: sampler.peakRssMiB,
      cpuMsPerVirtualHour: stats(cpuPerHour),
      simHandlerMs: cloud.handlerMs,
      totalCpuMs: (totalCpu.user + totalCpu.system) / 1000,
    },
    operator,
    bound: {
      strict: lowerBound(facts, model, t0),
      gridded: lowerBound(facts, model, t0, true),
      ideal: { makespanMs: ideal.makespanMs, windowWaitMs: ideal.windowWaitMs },
      ...(idealPasses ? { idealPasses: { makespanMs: idealPasses.makespanMs, windowWaitMs: idealPasses.windowWaitMs } } : {}),
    },
    series: { total: rel(total), perHost, windows },
    model,
    runnerEvents: events,
    overDefaultPhase1Deadline: migrations.filter((x) => x.phase1DoneAt !== undefined && x.phase1DoneAt - x.startedAt > APPLY_DEFAULTS.phase1TimeoutMs).length,
  };
}
