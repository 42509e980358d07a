import type { ProbeResult } from './probes';
import { h, n0, n1, st } from './report-format';
import type { ProductionOptions, ProductionResult } from './production';
import { APPLY_DEFAULTS } from '../../lib/apply/options';

/**
 * bench/results/simulation.md: the production runs in the simulator, in words and tables, with
 * each target met or missed and why.
 */

/** Everything the report is made of. */
export interface SimulationReport {
  readonly generatedAt: string;
  readonly options: Omit<ProductionOptions, 'mode'>;
  readonly runs: readonly ProductionResult[];
  readonly probes: readonly ProbeResult[];
  readonly wallMs: number;
  readonly node: string;
  /** The lib/ the runs ran (another engineer edits it: the figures hold for this tree). */
  readonly lib?: { readonly commit: string; readonly dirtyFiles: number };
}


/** What the heap-capped twin of a run shows, if the bench ran one. */
function cappedNote(r: ProductionResult, all: readonly ProductionResult[]): string {
  const twin = all.find((x) => x !== r && x.label.startsWith('long-heap') && x.mode === r.mode && (x.window === undefined) === (r.window === undefined));
  if (!twin || twin.requests.runner.manila !== r.requests.runner.manila) return '';
  return `; with V8's old space capped (${twin.label}) the same run, to the request, peaks at ${n0(twin.process.peakRssMiB)} MiB`;
}

/** One target's verdict. */
interface Verdict {
  readonly target: string;
  readonly run: string;
  readonly value: string;
  readonly met: boolean;
  readonly why: string;
}

function verdicts(r: ProductionResult, o: SimulationReport['options'], all: readonly ProductionResult[]): Verdict[] {
  const v: Verdict[] = [];
  const ideal = r.bound.ideal.makespanMs;
  const ratio = r.makespanMs / ideal;
  v.push({
    target: 'makespan ≤ 1.05 × ideal',
    run: r.label,
    value: `${ratio.toFixed(3)} × ideal (${h(r.makespanMs)} h vs ${h(ideal)} h; ${(r.makespanMs / r.bound.strict.ms).toFixed(3)} × the lower bound)`,
    met: ratio <= 1.05,
    why:
      ratio <= 1.05
        ? `${
            r.makespanMs >= ideal
              ? `the runner loses ${h(r.makespanMs - ideal)} h to polling and the request budget over the ideal runner`
              : `the runner beats the greedy ideal by ${h(
                  ideal - r.makespanMs
                )} h (its admission among the moves due reorders starts, which packed better here)`
          }; complete reacts in ${st(r.completeLagS, ' s')} after phase 1 (or the window)`
        : `the runner reacts late: complete ${st(r.completeLagS, ' s')} after phase 1 was done (or the window opened)${
            r.passes ? `, passes take ${st(r.passes.durationS, ' s')} (scheduled every ${o.passEveryMs / 60_000} min)` : ''
          }${
            r.bound.idealPasses
              ? `; a perfect runner that acts only at passes every ${o.passEveryMs / 60_000} min needs ${h(r.bound.idealPasses.makespanMs)} h (the runner: ${(
                  r.makespanMs / r.bound.idealPasses.makespanMs
                ).toFixed(3)} × that), so the ${h(Math.max(0, r.bound.idealPasses.makespanMs - ideal))} h over the ideal are the cadence's`
              : ''
          }`,
  });
  const cph = r.perMigration.callsPerMigrationHour;
  const progress = r.requests.runner.byOp['POST action:migration_get_progress'] ?? 0;
  v.push({
    target: 'API calls per migration-hour ≤ 120',
    run: r.label,
    value: `${n1(cph)} (${n0(r.requests.runner.manila)} Manila requests over ${n0(r.perMigration.slotHours)} migration-hours)`,
    met: cph <= 120,
    why:
      cph <= 120
        ? `polls back off to the 60 s cap, and the budget skips migration_get_progress when it runs low (${n0(progress)} sent, ${
            r.budget ? n0(r.budget.skippedDisplay) : '?'
          } skipped)`
        : r.mode === 'no-wait'
        ? `each pass verifies every move already done again (${n0(
            (r.requests.runner.byOp['GET shares/{id}/export_locations'] ?? 0) +
              (r.requests.runner.byOp['GET shares/detail'] ?? 0) +
              (r.requests.runner.byOp['GET snapshots/detail'] ?? 0) +
              (r.requests.runner.byOp['GET share-access-rules'] ?? 0) +
              (r.requests.runner.byOp['GET shares/{id}/instances'] ?? 0)
          )} verification reads)`
        : `migration_get_progress (display only) every ${60} s per migration in phase 1 (${n0(progress)} calls) on top of the polls`,
  });
  const top = r.rateByInFlight.length ? Math.max(...r.rateByInFlight.map((b) => b.meanPerMinute)) : 0;
  const cap = 2 * 60 + 10;
  // The bucket holds when a request takes its token; arrivals can bunch by one Keystone renewal (150 ms: 0.3 request at 2/s).
  const burst = r.passes ? r.passes.burstNeededAt2.max : r.requests.runner.burstNeededAt2OutsideRevocation;
  const budgetOk = burst <= 10.5;
  const wb = r.requests.runner.worstBurst;
  const revocation = o.revokeAtMs !== undefined && !r.passes && wb.toS >= o.revokeAtMs / 1000 && wb.toS <= o.revokeAtMs / 1000 + 600 && wb.burst > 10.5;
  v.push({
    target: 'reads per poll cycle stay within the request budget whatever the number in flight',
    run: r.label,
    value: `mean ≤ ${n1(top)} req/min in every in-flight bucket; peak ${r.requests.runner.peakPerMinute}/min, ${
      r.requests.runner.peakPerSecond
    }/s; token-bucket burst needed ${n1(burst)}${r.passes ? ' per pass' : ' outside the revocation'} (budget: 2/s, burst 10)${
      revocation ? `; ${n1(wb.burst)} at the revocation` : ''
    }`,
    met: budgetOk && r.requests.runner.peakPerMinute <= cap,
    why:
      (budgetOk
        ? `no interval held more than 10 + 2/s × its length of one client's requests (+0.3: arrivals bunch behind a token renewal)${
            r.passes ? ', each pass being a new process with its own budget' : ''
          }; the rate grows with the number in flight until the budget caps it${
            r.budget
              ? ` (the budget made requests wait ${n0(r.budget.waitedS / 3600)} h in all, mostly when a window opens and ~50 moves complete at once)`
              : ''
          }`
        : 'a client sent more than its budget allows') +
      (revocation
        ? `; at the revocation ${n1(wb.burst)} requests arrived within ${n1(wb.toS - wb.fromS)} s: each 401 is resent without a new token from the budget`
        : ''),
  });
  const live = r.process.samples.map((s) => s.rssAfterGcMiB ?? s.rssMiB);
  const liveMax = Math.max(...live);
  v.push({
    target: 'RSS ≤ 200 MiB at 1,000 servers',
    run: r.label,
    value: `peak ${n0(r.process.peakRssMiB)} MiB as sampled, ${n0(liveMax)} MiB right after a full GC (runner, simulator and driver in one process)`,
    met: r.process.peakRssMiB <= 200,
    why:
      (r.process.peakRssMiB <= 200
        ? 'memory stays flat over the run'
        : `V8 keeps up to ${n0(Math.max(...r.process.samples.map((s) => s.heapTotalMiB ?? 0)))} MiB of heap committed for a live set of ≤ ${n0(
            Math.max(...r.process.samples.map((s) => s.liveHeapMiB ?? 0))
          )} MiB: allocation churn (${
            r.mode === 'long' ? 'a full share server list of ~1,000 records parsed about once a minute' : 'each pass reads the plan of 1,000 moves and lists the fleet again'
          })`) +
      '; the process also holds the simulator (its records and request log) and the virtual-time driver' +
      cappedNote(r, all),
  });
  const lost = r.audit.lost.length + r.audit.stuck.length + r.audit.misplaced.length;
  v.push({
    target: '0 lost or stuck',
    run: r.label,
    value: `${r.audit.onTarget} on target, ${r.audit.onSource} on source (failed or cancelled), ${r.audit.lost.length} lost, ${r.audit.stuck.length} stuck, ${r.audit.misplaced.length} misplaced`,
    met: lost === 0,
    why:
      lost === 0
        ? `every network has one active server holding its shares, available, where the outcome says; Manila leaves ${r.audit.leftovers.failedDestinations} failed and ${r.audit.leftovers.cancelledDestinations} cancelled destination records behind by design`
        : [...r.audit.lost, ...r.audit.stuck, ...r.audit.misplaced].slice(0, 3).join('; '),
  });
  v.push({
    target: 'in flight never above a limit',
    run: r.label,
    value: `peak ${r.inFlight.peak.total} / ${o.limits.parallel} total, ${r.inFlight.peak.perSource} / ${o.limits.maxPerSource} per source, ${
      r.inFlight.peak.perDestination
    } / ${o.limits.maxPerDestination} per destination; ${n0(r.inFlight.checks)} state changes checked`,
    met: r.inFlight.violations === 0,
    why:
      r.inFlight.violations === 0 ? 'admission counts what Manila shows in flight, under the lock, before each start' : r.inFlight.firstViolations.join('; '),
  });
  return v;
}

/** The runner's problems the data shows, in words, with the numbers. */
function findings(rep: SimulationReport): string[] {
  const out: string[] = [];
  const long = rep.runs.find((r) => r.label === 'long');
  const nw = rep.runs.find((r) => r.label === 'no-wait');
  const probe = (name: string): ProbeResult | undefined => rep.probes.find((p) => p.name.startsWith(name));
  if (long && long.overDefaultPhase1Deadline > 0) {
    const p = probe('phase-1');
    const evidence = p ? ` (probe: ${p.runner}; ${p.manila})` : '';
    out.push(
      `**The default phase-1 deadline (${h(APPLY_DEFAULTS.phase1TimeoutMs)} h) is shorter than phase 1 here.** ${long.overDefaultPhase1Deadline} of ${n0(rep.options.servers)} migrations ` +
        'took longer than that from the accepted start to phase1_done. With the default, ' +
        "each would end the run's watch as `timed-out` while Manila keeps it in flight at phase1_done, holding a slot of every limit until another " +
        `apply completes it${evidence}. These runs use ${h(rep.options.phase1TimeoutMs)} h.`
    );
  }
  const b = nw?.requests.runner.byOp ?? {};
  const verifyKeys = ['GET shares/{id}/export_locations', 'GET shares/detail', 'GET snapshots/detail', 'GET share-access-rules', 'GET shares/{id}/instances'];
  const verifyReads = verifyKeys.reduce((acc, k) => acc + (b[k] ?? 0), 0);
  // Reported when the share reads dominate a no-wait run (each move needs about six once).
  if (nw && verifyReads > 0.3 * nw.requests.runner.manila) {
    const checks = b['POST action:migration_check'] ?? 0;
    const starts = b['POST action:migration_start'] ?? 0;
    const wasted =
      checks > starts
        ? ` migration_check was sent ${n0(checks)} times for ${n0(
            starts
          )} starts: by the time the budget let a start go, its check answer was older than checkMaxAgeMs (10 min).`
        : '';
    const probe = b['GET shares/{id}/instances'] ?? 0;
    const verification = (b['GET shares/detail'] ?? 0) + (b['GET snapshots/detail'] ?? 0) + (b['GET share-access-rules'] ?? 0);
    const exportReads = b['GET shares/{id}/export_locations'] ?? 0;
    out.push(
      '**In --no-wait passes, reads about the shares are most of the requests.** ' +
        `${n0(verifyReads)} of the ${n0(nw.requests.runner.manila)} requests of the no-wait run read shares: ` +
        `${n0(probe)} ask whether Manila cast the rules read-only (early in phase 1, before the switchover, and in the verification), ` +
        `${n0(verification)} verify finished moves (shares, rules, snapshots), ${n0(exportReads)} read export locations; ` +
        `a pass lasts ${st(nw.passes!.durationS, ' s')} (scheduled every ${rep.options.passEveryMs / 60_000} min), so a phase 1 that ends waits for the next pass ` +
        `(complete ${st(nw.completeLagS, ' s')} after phase 1 or the window), and the makespan is ${(nw.makespanMs / nw.bound.ideal.makespanMs).toFixed(
          2
        )} × the ideal${
          nw.bound.idealPasses ? ` (${(nw.makespanMs / nw.bound.idealPasses.makespanMs).toFixed(2)} × that of a perfect runner acting only at the passes)` : ''
        }.${wasted}`
    );
  }
  const ex = probe('exit code');
  if (ex?.finding) {
    out.push(
      `**A --no-wait pass exits 3 as soon as one move failed, even while others still run** (${ex.runner}; ${ex.manila}): ` +
        'a schedule that repeats while the exit code is 4 stops early; one that waits for 0 never stops.'
    );
  }
  const fresh = probe('a fresh plan');
  if (fresh?.finding) {
    out.push(
      `**A fresh plan starts again what an operator cancelled** (${fresh.runner}; ${fresh.manila}): \`apply --no-wait\` without --plan re-plans each pass, ` +
        'and a server at active/migration_cancelled (or migration_error) plans as migrate, so a cancel lasts one pass and a persistently failing server restarts every pass.'
    );
  }
  const revokeS = rep.options.revokeAtMs === undefined ? undefined : rep.options.revokeAtMs / 1000;
  const at401 = rep.runs.find((r) => {
    const w = r.requests.runner.worstBurst;
    return !r.passes && revokeS !== undefined && w.burst > 10.5 && w.toS >= revokeS && w.toS <= revokeS + 600;
  });
  if (at401) {
    const w = at401.requests.runner.worstBurst;
    const n401 = Object.entries(at401.requests.runner.byOp)
      .filter(([k]) => k.endsWith('(unauthorized)'))
      .reduce((acc, [, v]) => acc + v, 0);
    out.push(
      `**A 401 resend is not budgeted.** In the ${at401.label} run the token bucket needed a burst of ${n1(w.burst)} between ${n1(w.fromS)} s and ${n1(
        w.toS
      )} s, ` +
        `right after the revocation at ${n1(
          revokeS ?? 0
        )} s (${n401} requests answered 401): ManilaClient takes one budget token per call, then resends once after a 401 ` +
        `on the same token. Outside that moment the bucket held (${n1(at401.requests.runner.burstNeededAt2OutsideRevocation)}).`
    );
  }
  if (long) {
    const lists = long.requests.runner.byOp['GET share-servers'] ?? 0;
    const perMin = lists / (long.runnerEndMs / 60_000);
    out.push(
      `**Counting in flight reads the whole fleet.** The long run listed every share server ${n0(lists)} times (about ${n1(
        perMin
      )} per minute: while anything is queued, ` +
        'a pass that reads a queued move lists the fleet, and admission lists it again under the lock). Zed loads every server and its share network for each list ' +
        `(reference §9): ~${n0((lists * rep.options.servers) / 1e6)} M share-server rows read by Manila, and ${n0(lists)} answers of ~0.55 MB (${n0(
          rep.options.servers
        )} records at 2.73) ` +
        'parsed and validated by the runner, for counts that change only when a migration starts or ends.'
    );
    const prog = long.requests.runner.byOp['POST action:migration_get_progress'] ?? 0;
    const share = (100 * prog) / Math.max(1, long.requests.runner.manila);
    out.push(
      `**get_progress (display only) every 60 s per migration** is ${n0(share)} % of the long run's requests (${n0(
        prog
      )} sent) and almost all of what the budget drops ` +
        `(${
          long.budget ? n0(long.budget.skippedDisplay) : '?'
        } skipped): each one a synchronous RPC to the destination's driver, for a display that a --json run never shows.`
    );
  }
  return out;
}

/** The markdown report. */
export function renderReport(rep: SimulationReport): string {
  const o = rep.options;
  const L: string[] = [];
  const first = rep.runs[0];
  L.push('# Production-scale runs in the Manila simulator');
  L.push('');
  L.push(
    `Generated ${rep.generatedAt} by \`bench/simulate.ts\` (${rep.node}); wall time of the whole bench ${n1(
      rep.wallMs / 60_000
    )} min. Data: \`simulation.json\`; chart: \`simulation-inflight.svg\`.${
      rep.lib ? ` lib/ at ${rep.lib.commit.slice(0, 7)}${rep.lib.dirtyFiles ? ` with ${rep.lib.dirtyFiles} uncommitted file(s)` : ''}.` : ''
    }`
  );
  L.push('');
  L.push(
    "The real `plan()` and the real `applyPlan` (lib/, unchanged) drive the simulated Keystone and Manila Zed of `bench/sim/` through an undici MockAgent, in virtual time. Everything below is measured on the simulator's side: Manila's records and the requests it received."
  );
  L.push('');
  L.push('## Setup');
  L.push('');
  L.push(
    `- ${n0(o.servers)} share servers (one share each, a snapshot and an access rule on every sixth) on ${o.sources} source hosts, moved to ${
      o.destinations
    } new hosts: one HostEvacuation per source, each spreading its servers over ${
      o.targetsPerSource
    } destinations (rotating), so every destination receives ${n0(
      o.servers / o.destinations
    )}. Plan from a snapshot of the simulated cloud taken with the real \`takeSnapshot\`.`
  );
  L.push(
    `- Limits: parallel ${o.limits.parallel}, maxPerSource ${o.limits.maxPerSource}, maxPerDestination ${
      o.limits.maxPerDestination
    }. Runner defaults otherwise: poll 2 s growing by ${APPLY_DEFAULTS.pollGrowth} × the quiet time to the 60 s cap, request budget 2/s with a burst of 10 served by priority, ` +
      `get_progress every 60 s for display, phase-1 deadline \`phase1TimeoutMs\` = ${h(o.phase1TimeoutMs)} h` +
      (o.phase1TimeoutMs === APPLY_DEFAULTS.phase1TimeoutMs ? ' (the default).' : ` (the default is ${h(APPLY_DEFAULTS.phase1TimeoutMs)} h).`)
  );
  L.push(
    `- Manila: continue interval 900 s (every host on one grid), phase 1 drawn uniformly between ${h(o.phase1Ms[0])} h and ${h(
      o.phase1Ms[1]
    )} h per server (seed ${o.seed}), ${n0(o.failureRate * 100)} % of migrations fail in phase 1 (the driver raises in continue at a drawn point), ${n0(
      o.cancelRate * 100
    )} % are cancelled by an operator through the client (\`manila-placement cancel\`'s code) a drawn 15 min to 0.8 × phase 1 after they start. Production timing profile (\`bench/sim/timings.ts\`): 30 s to set up a destination server, 10 s driver start, 60 s switchover, 20 s to delete the old server, 30 s driver cancel; API latencies 80 ms (GET), 0.3 s + 1 ms per server (share server list), 1.5 s (check), 1 s (get_progress).`
  );
  L.push(
    `- Completion window \`${JSON.stringify(
      o.window
    )}\` (UTC): four two-hour switchover windows a day. Why: a 1,000-server evacuation runs for days, so a nightly-only window would hold every finished phase 1 in its slot for up to 22 h (a slot could then do about one migration a day); a cloud serving several time zones gives short, frequent low-traffic windows. The run starts on Monday 00:00 UTC, inside a window.`
  );
  L.push(
    `- Keystone tokens live ${o.tokenLifetimeMs / 60_000} min (the run lasts days: the client renews ~${Math.round(
      ((first?.makespanMs ?? 0) / o.tokenLifetimeMs) * 1.1
    )} times); every token is revoked once, ${h(o.revokeAtMs ?? 0)} h into the run (Manila answers 401, the client renews and resends).`
  );
  L.push(
    `- Modes: **long** = one \`applyPlan\`; **no-wait** = \`applyPlan({ noWait: true })\` with the same plan file every ${
      o.passEveryMs / 60_000
    } simulated minutes, each pass a fresh ManilaClient (a new process: new token, new request budget); a pass that overruns its slot makes the next one start at the following slot.`
  );
  L.push(
    "- Locks: the runner's own file locks (`fileLocks` of lib/apply/lock.ts, proper-lockfile, in a temporary MANILA_PLACEMENT_LOCK_DIR), with their file-system steps taken in call order by `bench/sim/ordered-locks.ts`: two locks asked for at one virtual instant otherwise finish in the thread pool's order and the run diverges (runs of the same seed then differ by ~0.1 % in requests and up to hours in makespan)."
  );
  L.push('');
  L.push('## The ideal and the lower bound');
  L.push('');
  const m = first?.model;
  if (m && first) {
    L.push(
      `Each move occupies a slot (the global one, its source's, its destination's) from the start Manila accepts until it leaves flight. Its least occupancy: success = startup (${n1(
        m.startupMs / 1000
      )} s: cast, compatibility, server setup, link, driver start) + phase 1 + one continue call (${m.continueCallMs / 1000} s) + completion (${n1(
        m.completionMs / 1000
      )} s); failure = startup + time to the failing call + one call; cancel = the operator's delay + the cancel (${n1(m.cancelMs / 1000)} s).`
    );
    L.push('');
    L.push(
      '- **Lower bound (valid for any schedule, even one that knows every duration):** the largest of Σ occupancy / parallel, max over sources Σ / maxPerSource, max over destinations Σ / maxPerDestination, the longest single occupancy; then, since the last success completes inside a window, moved to the next window opening (+ a completion) if it falls outside one.'
    );
    L.push(
      "- **Gridded bound (the brief's method):** the same with startup + phase 1 rounded up to whole 900 s intervals; a bound only for starts that fall on a continue tick, which starts made when a slot frees do not."
    );
    L.push(
      "- **Ideal schedule (the target's reference):** a perfect runner on the same limits, fair order, durations, continue grid and window, with no overhead: it sees every change the instant it happens, starts the next move the instant a slot frees, completes the instant phase 1 is done if the window is open (else at its opening). The gap between the bound and the ideal is the price of the window (finished phase 1s holding slots) and of the continue grid, not of the runner."
    );
    L.push('');
    for (const r of rep.runs) {
      const b = r.bound;
      L.push(
        `- ${r.label}: lower bound ${h(b.strict.ms)} h, binding ${b.strict.binding} (parallel ${h(b.strict.terms.parallel)} h, source ${h(
          b.strict.terms.source
        )} h, destination ${h(b.strict.terms.destination)} h, longest ${h(b.strict.terms.longest)} h; ${n0(
          b.strict.slotMs / 3_600_000
        )} slot-hours); gridded ${h(b.gridded.ms)} h; **ideal ${h(b.ideal.makespanMs)} h**, its finished phase 1s waiting ${n0(
          b.ideal.windowWaitMs / 3_600_000
        )} slot-hours for windows.${
          b.idealPasses
            ? ` Acting only at passes every ${rep.options.passEveryMs / 60_000} min (it sees a change at the next pass, and watches each switchover it sends to the end, as the runner's pass does): **${h(
                b.idealPasses.makespanMs
              )} h**.`
            : ''
        }`
      );
    }
  }
  L.push('');
  L.push('## Results');
  L.push('');
  const row = (name: string, f: (r: ProductionResult) => string): void => {
    L.push(`| ${name} | ${rep.runs.map(f).join(' | ')} |`);
  };
  L.push(`| | ${rep.runs.map((r) => r.label).join(' | ')} |`);
  L.push(`|---|${rep.runs.map(() => '---').join('|')}|`);
  row('makespan (start → last migration out of flight)', (r) => `${h(r.makespanMs)} h`);
  row(
    '… against the ideal / the lower bound',
    (r) => `${(r.makespanMs / r.bound.ideal.makespanMs).toFixed(3)} / ${(r.makespanMs / r.bound.strict.ms).toFixed(3)}`
  );
  row('runner done (applyPlan returned / last pass)', (r) => `${h(r.runnerEndMs)} h`);
  row('outcome', (r) =>
    Object.entries(r.outcome)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')
  );
  row('audit: on target / on source / lost / stuck', (r) => `${r.audit.onTarget} / ${r.audit.onSource} / ${r.audit.lost.length} / ${r.audit.stuck.length}`);
  row('operator cancels done / too late', (r) => `${r.operator.cancelled.length} / ${r.operator.tooLate.length}`);
  row(
    'peak in flight: total / per source / per destination',
    (r) =>
      `${r.inFlight.peak.total} / ${r.inFlight.peak.perSource} / ${r.inFlight.peak.perDestination} (${r.inFlight.violations} violations in ${n0(
        r.inFlight.checks
      )} checks)`
  );
  row("runner's Manila requests", (r) => n0(r.requests.runner.manila));
  row('… per migration / per migration-hour', (r) => `${n1(r.perMigration.calls)} / ${n1(r.perMigration.callsPerMigrationHour)}`);
  row('peak requests per virtual second / minute', (r) => `${r.requests.runner.peakPerSecond} / ${r.requests.runner.peakPerMinute}`);
  row('token-bucket burst needed at 2/s (≤ 10 = within budget)', (r) =>
    r.passes ? `max ${n1(r.passes.burstNeededAt2.max)} per pass` : n1(r.requests.runner.burstNeededAt2)
  );
  row(
    '… worst interval / outside the revocation',
    (r) =>
      `${n1(r.requests.runner.worstBurst.burst)} at ${n1(r.requests.runner.worstBurst.fromS)}–${n1(r.requests.runner.worstBurst.toS)} s / ${n1(
        r.requests.runner.burstNeededAt2OutsideRevocation
      )}`
  );
  row('budget waits / display requests skipped', (r) => (r.budget ? `${n0(r.budget.waitedS)} s / ${n0(r.budget.skippedDisplay)}` : '(per pass)'));
  row('Keystone tokens (runner / operator)', (r) => `${n0(r.requests.runner.tokens)} / ${n0(r.requests.operator.tokens)}`);
  row('complete after phase 1 done (or window open)', (r) => st(r.completeLagS, ' s'));
  row('passes: count / duration / requests', (r) => (r.passes ? `${r.passes.count} / ${st(r.passes.durationS, ' s')} / ${st(r.passes.requests)}` : '–'));
  row(
    'RSS peak as sampled / after a full GC (MiB)',
    (r) => `${n0(r.process.peakRssMiB)} / ${n0(Math.max(...r.process.samples.map((s) => s.rssAfterGcMiB ?? 0)))}`
  );
  row('live heap after GC, max (MiB)', (r) => n0(Math.max(...r.process.samples.map((s) => s.liveHeapMiB ?? 0))));
  row(
    'heap committed / external, max (MiB)',
    (r) => `${n0(Math.max(...r.process.samples.map((s) => s.heapTotalMiB ?? 0)))} / ${n0(Math.max(...r.process.samples.map((s) => s.externalMiB ?? 0)))}`
  );
  row('CPU per virtual hour (whole process)', (r) => st(r.process.cpuMsPerVirtualHour, ' ms'));
  row("CPU total / of which the simulator's request handling", (r) => `${n1(r.process.totalCpuMs / 1000)} s / ${n1(r.process.simHandlerMs / 1000)} s`);
  row('wall time', (r) => `${n1(r.wallMs / 1000)} s`);
  row('phase 1 longer than the default 6 h deadline', (r) => `${r.overDefaultPhase1Deadline} migrations`);
  L.push('');
  L.push('Requests by operation (runner):');
  L.push('');
  const ops = [...new Set(rep.runs.flatMap((r) => Object.keys(r.requests.runner.byOp)))].sort(
    (a, b) => (rep.runs[0].requests.runner.byOp[b] ?? 0) - (rep.runs[0].requests.runner.byOp[a] ?? 0)
  );
  L.push(`| operation | ${rep.runs.map((r) => r.label).join(' | ')} |`);
  L.push(`|---|${rep.runs.map(() => '---:').join('|')}|`);
  for (const op of ops) L.push(`| \`${op}\` | ${rep.runs.map((r) => n0(r.requests.runner.byOp[op] ?? 0)).join(' | ')} |`);
  L.push('');
  L.push('Runner requests per virtual minute, by migrations in flight during that minute:');
  L.push('');
  for (const r of rep.runs) {
    L.push(
      `- ${r.label}: ${r.rateByInFlight
        .map((b) => `${b.inFlight} in flight: mean ${n1(b.meanPerMinute)}, max ${b.maxPerMinute} (${n0(b.minutes)} min)`)
        .join('; ')}`
    );
  }
  L.push('');
  L.push('## Targets');
  L.push('');
  L.push('| target | run | value | met | why |');
  L.push('|---|---|---|---|---|');
  for (const r of rep.runs)
    for (const v of verdicts(r, o, rep.runs)) L.push(`| ${v.target} | ${v.run} | ${v.value} | ${v.met ? 'yes' : '**no**'} | ${v.why} |`);
  L.push('');
  L.push('## What the runs show about the runner');
  L.push('');
  for (const f of findings(rep)) L.push(`- ${f}`);
  L.push('');
  L.push('## Probes (one behaviour each, small runs)');
  L.push('');
  for (const p of rep.probes) {
    L.push(`- **${p.name}**${p.finding ? ' (finding)' : ''}: ${p.setup}. Runner: ${p.runner}. Manila: ${p.manila}.`);
  }
  L.push('');
  return L.join('\n');
}
