import { h, n0, n1, st } from './report-format';
import type { ShareFleetOptions, ShareFleetResult } from './share-fleet';

/**
 * bench/results/shares.md: the share migration run in the simulator, in words and tables, with
 * the same figures bench/results/simulation.md gives for share servers: the makespan against the
 * ideal schedule and the lower bound, the requests and their rates, the limits held, nothing lost.
 */

/** Everything the report is made of. */
export interface ShareReport {
  readonly generatedAt: string;
  readonly options: ShareFleetOptions;
  readonly run: ShareFleetResult;
  readonly wallMs: number;
  readonly node: string;
  /** The lib/ the run ran (another engineer edits it: the figures hold for this tree). */
  readonly lib?: { readonly commit: string; readonly dirtyFiles: number };
}


/** The headline rows: what was measured against what it is held to. */
function headline(rep: ShareReport): string[] {
  const { run: r, options: o } = rep;
  const ideal = r.bound.ideal.makespanMs;
  const lost = r.audit.lost.length + r.audit.stuck.length + r.audit.misplaced.length;
  const rows: Array<[string, string, boolean]> = [
    [
      'makespan ≤ 1.05 × ideal',
      `${(r.makespanMs / ideal).toFixed(3)} × ideal (${h(r.makespanMs)} h vs ${h(ideal)} h; ${(r.makespanMs / r.bound.strict.ms).toFixed(3)} × the lower bound of ${h(r.bound.strict.ms)} h, binding: ${r.bound.strict.binding})`,
      r.makespanMs <= 1.05 * ideal,
    ],
    [
      'API calls per migration-hour ≤ 120',
      `${n1(r.perMigration.callsPerMigrationHour)} (${n0(r.requests.runner.manila)} Manila requests over ${n0(r.perMigration.slotHours)} migration-hours; ${n1(r.perMigration.calls)} per migration)`,
      r.perMigration.callsPerMigrationHour <= 120,
    ],
    [
      'request budget held (2/s, burst 10)',
      `token-bucket burst needed ${n1(r.requests.runner.burstNeededAt2)}; peak ${r.requests.runner.peakPerMinute}/min, ${r.requests.runner.peakPerSecond}/s`,
      r.requests.runner.burstNeededAt2 <= 10.5 && r.requests.runner.peakPerMinute <= 2 * 60 + 10,
    ],
    [
      'in flight never above a limit',
      `peak ${r.inFlight.peak.total} / ${o.limits.parallel} total, ${r.inFlight.peak.perSource} / ${o.limits.maxPerSource} per source, ${r.inFlight.peak.perDestination} / ${o.limits.maxPerDestination} per destination host; ${n0(r.inFlight.checks)} state changes checked`,
      r.inFlight.violations === 0,
    ],
    [
      '0 lost or stuck',
      `${r.audit.onTarget} on the target pool, ${r.audit.onSource} on the source pool (failed), ${r.audit.lost.length} lost, ${r.audit.stuck.length} stuck, ${r.audit.misplaced.length} misplaced`,
      lost === 0,
    ],
  ];
  return ['| target | value | met |', '|---|---|---|', ...rows.map(([t, v, met]) => `| ${t} | ${v} | ${met ? 'yes' : '**no**'} |`)];
}

/** What the figures say about the runner, in words, with the numbers. */
function findings(rep: ShareReport): string[] {
  const { run: r, options: o } = rep;
  const out: string[] = [];
  const byId = r.requests.runner.byOp['GET shares/{id}'] ?? 0;
  const busy = r.rateByInFlight.filter((b) => b.inFlight !== '0-9');
  const saturated = busy.length > 0 && busy.every((b) => b.meanPerMinute >= 0.95 * 120);
  if (saturated) {
    const minutes = busy.reduce((a, b) => a + b.minutes, 0);
    out.push(
      `**The request budget is the bottleneck.** From 10 migrations in flight on, the runner sends 120 requests a minute (the 2/s budget) in every minute (${n0(minutes)} of them). ` +
        `${n0(byId)} of its ${n0(r.requests.runner.manila)} requests (${n1(byId / o.shares)} per share) are \`GET /shares/{id}\`: share moves are read one by one ` +
        `(lib/apply/observe-due.ts), each at an interval that grows with a twentieth of its quiet time, so a phase 1 of ${n1(r.phase1.p50 / 60_000)} min (median) ` +
        `is read about every ${n0((r.perMigration.slotHours * 3600) / Math.max(1, byId))} s on average; with ${r.inFlight.peak.total} in flight that is more than 2/s. ` +
        `The budget then makes requests wait ${n0(r.budget.waitedS / 3600)} h in all, and the read that would see phase 1 done waits its turn: complete follows phase 1 by ${st(r.completeLagS, ' s')}. ` +
        `Slot time lost between phase 1 done and complete alone: ${h(r.completeLagS.mean * r.completeLagS.n * 1000)} h, about ${h(
          (r.completeLagS.mean * r.completeLagS.n * 1000) / o.limits.parallel
        )} h of makespan at parallel ${o.limits.parallel}, of the ${h(r.makespanMs - r.bound.ideal.makespanMs)} h over the ideal; the reads that see a switchover end (and so free a slot) wait the same way.`
    );
  }
  return out;
}

/** The markdown report. */
export function renderShareReport(rep: ShareReport): string {
  const { run: r, options: o } = rep;
  const m = r.model;
  const L: string[] = [];
  L.push('# Share migration at production scale in the Manila simulator');
  L.push('');
  L.push(
    `Generated ${rep.generatedAt} by \`bench/shares.ts\` (${rep.node}); wall time ${n1(rep.wallMs / 1000)} s. Data: \`shares.json\`.${
      rep.lib ? ` lib/ at ${rep.lib.commit.slice(0, 7)}${rep.lib.dirtyFiles ? ` with ${rep.lib.dirtyFiles} uncommitted file(s)` : ''}.` : ''
    }`
  );
  L.push('');
  L.push(
    "The real `plan()` and one long real `applyPlan` (lib/, unchanged) drive the simulated Keystone and Manila Zed of `bench/sim/` through an undici MockAgent, in virtual time. The shares move by themselves (share migration: no share servers, driver_handles_share_servers = False). Everything below is measured on the simulator's side: Manila's records and the requests it received."
  );
  L.push('');
  L.push('## Setup');
  L.push('');
  L.push(
    `- ${n0(o.shares)} flat shares (10-499 GiB; a snapshot and an access rule on every sixth) on the ${o.poolsPerBackend} pools of each of ${o.sources} source hosts, moved to the pools of ${o.destinations} new hosts: one HostEvacuation per source, each spreading its shares over ${o.targetsPerSource} destination hosts (the plan picks the least loaded target and its pool with the most free space).`
  );
  L.push(`- Limits: parallel ${o.limits.parallel}, ${o.limits.maxPerSource} per source host, ${o.limits.maxPerDestination} per destination host (a pool counts toward its host). Auto completion. Request budget: the default 2/s, burst 10.`);
  L.push(
    `- Production timings (\`PRODUCTION_TIMINGS.share\`): start accepted → migration_driver_in_progress ${n1(m.startupMs / 1000)} s; phase 1 = the share's copy at ${n1(o.copyMsPerGiB / 1000)} s/GiB (${st(r.phase1, ' min', 60_000)}), done at the first migration_driver_continue call after it (every ${n0(m.continueIntervalMs / 1000)} s on the source host, ${n1(m.continueCallMs / 1000)} s per call); complete → migration_success ${n1(m.completionMs / 1000)} s. ${Math.round(o.failureRate * 100)} % of the migrations fail in phase 1 (the driver raises in continue).`
  );
  L.push(`- Keystone tokens live ${n0(o.tokenLifetimeMs / 60_000)} min. Seed ${o.seed}.`);
  L.push('');
  L.push('## Results');
  L.push('');
  L.push(...headline(rep));
  L.push('');
  L.push(
    'The targets are those bench/results/simulation.md holds share servers to. The calls per migration-hour depend on how long phase 1 lasts: a share copies for minutes, a share server for hours, so the same polls count more per hour here.'
  );
  L.push('');
  L.push('| | value |');
  L.push('|---|---|');
  L.push(`| outcome | ${Object.entries(r.outcome).map(([k, v]) => `${k} ${v}`).join(', ')} |`);
  L.push(`| makespan (start of the run → last migration's end in Manila) | ${h(r.makespanMs)} h |`);
  L.push(`| runner end (applyPlan returned) | ${h(r.runnerEndMs)} h |`);
  L.push(`| ideal schedule (same limits, fair order, durations and continue grid; no polling, no budget, no latency) | ${h(r.bound.ideal.makespanMs)} h |`);
  L.push(`| lower bound (any schedule) / gridded | ${h(r.bound.strict.ms)} h (${r.bound.strict.binding}) / ${h(r.bound.gridded.ms)} h |`);
  L.push(`| complete after phase 1 done | ${st(r.completeLagS, ' s')} |`);
  L.push(`| Manila requests (runner) / all incl. Keystone / tokens | ${n0(r.requests.runner.manila)} / ${n0(r.requests.runner.total)} / ${r.requests.runner.tokens} |`);
  L.push(`| requests per migration / per migration-hour | ${n1(r.perMigration.calls)} / ${n1(r.perMigration.callsPerMigrationHour)} |`);
  L.push(`| peak per second / per minute / concurrent | ${r.requests.runner.peakPerSecond} / ${r.requests.runner.peakPerMinute} / ${r.requests.peakConcurrentRequests} |`);
  L.push(`| budget: waited / display reads skipped | ${n0(r.budget.waitedS)} s / ${n0(r.budget.skippedDisplay)} |`);
  L.push(`| peak RSS (runner, simulator and driver in one process) / CPU | ${n0(r.process.peakRssMiB)} MiB / ${n1(r.process.totalCpuMs / 1000)} s (simulator's handlers ${n1(r.process.simHandlerMs / 1000)} s) |`);
  L.push('');
  L.push('### Runner requests per minute by migrations in flight');
  L.push('');
  L.push('| in flight | minutes | mean / min | max / min |');
  L.push('|---|---|---|---|');
  for (const b of r.rateByInFlight) L.push(`| ${b.inFlight} | ${b.minutes} | ${n1(b.meanPerMinute)} | ${b.maxPerMinute} |`);
  L.push('');
  L.push('### Runner requests by operation');
  L.push('');
  L.push('| operation | requests | per migration |');
  L.push('|---|---|---|');
  for (const [op, n] of Object.entries(r.requests.runner.byOp)) L.push(`| \`${op}\` | ${n0(n)} | ${n1(n / o.shares)} |`);
  L.push('');
  const f = findings(rep);
  if (f.length) {
    L.push('## Findings');
    L.push('');
    for (const x of f) L.push(`- ${x}`);
    L.push('');
  }
  if (r.inFlight.violations || r.audit.lost.length || r.audit.stuck.length || r.audit.misplaced.length) {
    L.push('### Problems');
    L.push('');
    for (const x of [...r.inFlight.firstViolations, ...r.audit.lost, ...r.audit.stuck, ...r.audit.misplaced].slice(0, 20)) L.push(`- ${x}`);
    L.push('');
  }
  return L.join('\n');
}
