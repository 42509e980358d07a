/**
 * Renders bench/results/tmp/real-fleet.json (bench/real-fleet.ts) as bench/results/real-fleet.json
 * and real-fleet.md: the load at 1 and 6 migrations in flight beside the previous release, the
 * fleet of 24 at each request budget, and the targets they are held to. `--repeats` adds more runs
 * of the load part (each made by `real-fleet.ts --skip-baseline --skip-fleet --out FILE`), since
 * each run's lag is about one sample of where phase 1 done falls in the poll cycle.
 *
 * `--long FILE` adds the same load part with a long phase 1 (`real-fleet.ts --skip-fleet
 * --phase1-seconds N --out FILE`), where the polls, not the run's fixed reads, make the calls.
 *
 *   npx ts-node --transpile-only bench/real-fleet-report.ts [--in bench/results/tmp/real-fleet.json] [--out bench/results] [--repeats FILE,FILE] [--long FILE]
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { arg } from './lib/args';
import { median, round } from './lib/proc';

const medianOf = (xs: readonly number[]): number | undefined => round(median(xs));

interface Load {
  readonly label: string;
  readonly release: string;
  readonly flags: readonly string[];
  readonly exitCode: number;
  readonly wallS: number;
  readonly done: number;
  readonly migrations: number;
  readonly runnerApiCalls: number;
  /** Missing when the probe wrote nothing (runs before the label fix). */
  readonly runnerPeakRssMb?: number;
  readonly runnerCpuS?: number;
  /** Peak RSS of the runner's process tree (synth children included). */
  readonly treePeakRssMb?: number;
  readonly manilaApiCalls: number;
  readonly callsPerMigration: number;
  readonly getsPerMigration: number;
  readonly actionsPerMigration: number;
  readonly listsPerRun: number;
  readonly requestsPerMinuteAllInPhase1?: number;
  readonly requestsPerMinuteOverall?: number;
  readonly slowestMigrationS?: number;
  readonly lagMedianS?: number;
  readonly lagMaxS?: number;
  /** The lag's parts, medians: until the runner decided to complete, and from there until manila-api received it. */
  readonly lagSeenMedianS?: number;
  readonly lagSentMedianS?: number;
  /** Requests per operation from manila-api's log (runs before it was recorded have none). */
  readonly byOperation?: Readonly<Record<string, number>>;
}

/** Reads this round added for the tenants (issue 13): export locations before and after, the read-only cast. */
const TENANT_READS = ['GET shares/{id}/export_locations', 'GET shares/{id}/instances'];

interface Fleet extends Load {
  readonly maxRequestRate?: number;
  readonly watcherLists?: number;
  readonly idealWave: { readonly wallS: number; readonly slowestS: number };
  readonly waves: number;
  readonly allowedS: number;
  readonly wallOverAllowed: number;
  readonly limitsHeld: boolean;
  readonly peaks: { readonly polls: number; readonly total: number; readonly perDestination: number; readonly perSource: number };
  readonly audit: {
    readonly problems: readonly string[];
    readonly stuck: readonly string[];
    readonly accessRules: number;
    readonly snapshots: number;
    readonly lost: number;
  };
}

interface RealFleetFile {
  readonly at: string;
  readonly continueInterval: number;
  readonly baselineCommit: string;
  /** Every phase 1 stretched to at least this (`--phase1-seconds`); absent: the dummy driver's pace. */
  readonly phase1Seconds?: number;
  readonly load: readonly Load[];
  readonly fleet?: Fleet;
  readonly fleetRuns?: readonly Fleet[];
  /** Repeated runs of this release's load part (`--repeats`). */
  readonly lagRepeats?: ReadonlyArray<{ readonly at: string; readonly load: readonly Load[] }>;
  /** The load part again with a long phase 1 (`--long`). */
  readonly longPhase1?: RealFleetFile;
}

const IN = path.resolve(arg('--in', 'bench/results/tmp/real-fleet.json'));
/** More runs of the load part (`real-fleet.ts --skip-baseline --skip-fleet --out FILE`), comma-separated: the lag is one sample of the poll's phase per run. */
const REPEATS = (arg('--repeats') ?? '').split(',').filter(Boolean).map((x) => path.resolve(x));
const OUT = path.resolve(arg('--out', 'bench/results'));
/** The load part with a long phase 1 (`real-fleet.ts --skip-fleet --phase1-seconds N --out FILE`). */
const LONG = arg('--long');

const f = (x: number | undefined, unit = ''): string => (x === undefined ? '–' : `${x}${unit}`);
const met = (ok: boolean): string => (ok ? 'met' : '**not met**');

/** The calls target's row: this release's calls per migration against the previous release's, 1 and 6 in flight. */
function callsTarget(x: RealFleetFile, what: string): string | undefined {
  const find = (label: string): Load | undefined => x.load.find((l) => l.label === label);
  const [one, six, oneBase, sixBase] = ['one in flight', 'six in flight', 'one in flight, previous release', 'six in flight, previous release'].map(find);
  if (!one || !six || !oneBase || !sixBase) return undefined;
  return (
    `| API calls per migration ≤ half of the previous release's, default settings, ${what} (issue 10) | 1 in flight: ${one.callsPerMigration} vs ${oneBase.callsPerMigration} (${(one.callsPerMigration / oneBase.callsPerMigration).toFixed(2)}×); ` +
    `6 in flight: ${six.callsPerMigration} vs ${sixBase.callsPerMigration} (${(six.callsPerMigration / sixBase.callsPerMigration).toFixed(2)}×) | 1: ${met(one.callsPerMigration <= oneBase.callsPerMigration / 2)}; 6: ${met(six.callsPerMigration <= sixBase.callsPerMigration / 2)} |`
  );
}

/** The load table: one row per run. */
function loadTable(runs: readonly Load[]): string[] {
  const L = ['| run | exit | wall s | calls / migration | GETs by id / migration | actions / migration | lists | requests/min while all in phase 1 | requests/min overall | lag median / max s | runner calls | runner RSS MiB / CPU s |'];
  L.push('|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const l of runs) {
    L.push(
      `| ${l.label} (${l.release}${l.flags.length ? `, ${l.flags.join(' ')}` : ''}) | ${l.exitCode} | ${l.wallS} | ${l.callsPerMigration} | ${l.getsPerMigration} | ${l.actionsPerMigration} | ${l.listsPerRun} | ` +
        `${f(l.requestsPerMinuteAllInPhase1)} | ${f(l.requestsPerMinuteOverall)} | ${f(l.lagMedianS)} / ${f(l.lagMaxS)} | ${l.runnerApiCalls} | ${l.runnerPeakRssMb} / ${l.runnerCpuS} |`,
    );
  }
  return L;
}

/** Requests per operation, one column per run, most first (by the first run). */
function operationsTable(runs: readonly Load[]): string[] {
  const withOps = runs.filter((l) => l.byOperation);
  if (!withOps.length) return [];
  const first = withOps[0].byOperation!;
  const ops = [...new Set(withOps.flatMap((l) => Object.keys(l.byOperation!)))].sort((a, b) => (first[b] ?? 0) - (first[a] ?? 0) || (a < b ? -1 : 1));
  const L = [`| operation | ${withOps.map((l) => `${l.label} (${l.release})`).join(' | ')} |`, `|---|${withOps.map(() => '---:').join('|')}|`];
  for (const op of ops) L.push(`| \`${op}\` | ${withOps.map((l) => l.byOperation![op] ?? 0).join(' | ')} |`);
  return L;
}

function main(): void {
  if (!fs.existsSync(IN)) {
    process.stderr.write(`[real-fleet-report] no ${IN}: run bench/real-fleet.ts first\n`);
    process.exit(1);
  }
  const read = JSON.parse(fs.readFileSync(IN, 'utf8')) as RealFleetFile;
  // Repeats given now, else those an earlier rendering kept (so bench/results/real-fleet.json renders again as it was).
  const repeats = REPEATS.length
    ? REPEATS.map((x) => JSON.parse(fs.readFileSync(x, 'utf8')) as RealFleetFile).map((x) => ({
        at: x.at,
        load: x.load.filter((l) => l.release === 'this'),
      }))
    : (read.lagRepeats ?? []);
  const long = LONG ? (JSON.parse(fs.readFileSync(path.resolve(LONG), 'utf8')) as RealFleetFile) : read.longPhase1;
  const r: RealFleetFile = { ...read, ...(repeats.length ? { lagRepeats: repeats } : {}), ...(long ? { longPhase1: long } : {}) };
  // The lag of this release over every run: the main one and the repeats.
  const lagsOf = (label: string): number[] =>
    [read, ...repeats].map((x) => x.load.find((l) => l.label === label)?.lagMedianS).filter((x): x is number => x !== undefined);
  const overRuns = (label: string): string => {
    const xs = lagsOf(label);
    return xs.length > 1 ? ` (median over ${xs.length} runs: ${medianOf(xs)} s)` : '';
  };
  const fleets = r.fleetRuns ?? (r.fleet ? [r.fleet] : []);
  const find = (label: string): Load | undefined => r.load.find((l) => l.label === label);
  const one = find('one in flight');
  const six = find('six in flight');
  const sixBase = find('six in flight, previous release');
  const atDefault = fleets.find((x) => (x.maxRequestRate ?? 2) === 2);

  const L: string[] = [];
  L.push('# The reconciler on the real test bed');
  L.push('');
  L.push(
    `Generated ${r.at} by \`bench/real-fleet.ts\` on the Zed test bed (continue interval ${r.continueInterval} s). ` +
      `Every figure but the runner's own (RSS, CPU, runnerApiCalls) comes from Manila's logs. The previous release is commit ${r.baselineCommit}, built and run in the same session. Data: \`real-fleet.json\`.`,
  );
  L.push('');
  L.push('## Targets');
  L.push('');
  L.push('| target | measured | met? |');
  L.push('|---|---|---|');
  if (one && six) {
    L.push(
      `| phase-1-done → complete lag ≤ 2 s median (issue 10) | 1 in flight: ${f(one.lagMedianS, ' s')}${overRuns('one in flight')}; 6 in flight: ${f(six.lagMedianS, ' s')}${overRuns('six in flight')} | ` +
        `1: ${met((one.lagMedianS ?? Infinity) <= 2)}; 6: ${met((six.lagMedianS ?? Infinity) <= 2)} |`,
    );
  }
  const calls = callsTarget(r, `phase 1 at the dummy driver's pace`);
  if (calls) L.push(calls);
  const longCalls = r.longPhase1 && callsTarget(r.longPhase1, `phase 1 of ${r.longPhase1.phase1Seconds} s`);
  if (longCalls) L.push(longCalls);
  for (const x of fleets) {
    L.push(
      `| fleet of ${x.migrations}: wall ≤ 1.5 × what Manila's serialisation allows, budget ${x.maxRequestRate ?? 2}/s (issue 11) | ${x.wallS} s against ${x.allowedS} s: ${x.wallOverAllowed}× | ${met(x.wallOverAllowed <= 1.5)} |`,
    );
    L.push(
      `| fleet of ${x.migrations}, budget ${x.maxRequestRate ?? 2}/s: nothing lost, nothing left migrating or in error, limits held at every poll | lost ${x.audit.lost}, stuck ${x.audit.stuck.length}, problems ${x.audit.problems.length}; peaks ${x.peaks.total} in flight, ${x.peaks.perDestination} per destination over ${x.peaks.polls} polls | ${met(x.audit.lost === 0 && x.audit.stuck.length === 0 && x.audit.problems.length === 0 && x.limitsHeld)} |`,
    );
  }
  L.push('');
  L.push('## Load with 1 and with 6 migrations in flight');
  L.push('');
  L.push(...loadTable(r.load));
  L.push('');
  L.push(
    'Calls per migration count every request manila-api logged while the run lasted (the refresh before the moves included), divided by the migrations. ' +
      'Requests per minute "while all in phase 1" are those between the last start accepted and the first phase 1 done. ' +
      'The lag runs from manila-share logging phase 1 done to manila-api receiving `migration_complete`.',
  );
  const parted = r.load.filter((l) => l.lagSeenMedianS !== undefined && l.lagSentMedianS !== undefined);
  if (parted.length) {
    L.push('');
    L.push(
      'The lag in two parts (medians): until the runner saw phase 1 done and decided to complete (its `completing` event), and from there until manila-api received the call (the read under the lock, the request budget, the request): ' +
        parted.map((l) => `${l.label}: ${l.lagSeenMedianS} s + ${l.lagSentMedianS} s`).join('; ') +
        '. The first is the poll cadence (a read every 2 s at the defaults, timed from when the read was sent, and the list\'s own time); the second is short while background reads leave a reserve of the request budget to the urgent calls.',
    );
  }
  if (repeats.length) {
    L.push('');
    L.push(
      `The lag over ${repeats.length + 1} runs of this release (the first is the run above; the others ran the same two cases alone, \`--skip-baseline --skip-fleet\`). ` +
        "With one migration, every run is one sample of where Manila's phase 1 done falls in the poll cycle; with six, the six usually end phase 1 on the same tick of manila-share, so a run is about one sample too.",
    );
    L.push('');
    L.push('| run | one in flight: lag (seen + sent) s | six in flight: lag median / max (seen + sent) s | calls / migration (1; 6) |');
    L.push('|---|---|---|---|');
    for (const x of [read, ...repeats]) {
      const o = x.load.find((l) => l.label === 'one in flight');
      const s6 = x.load.find((l) => l.label === 'six in flight');
      L.push(
        `| ${x.at.slice(0, 16).replace('T', ' ')} UTC | ${f(o?.lagMedianS)} (${f(o?.lagSeenMedianS)} + ${f(o?.lagSentMedianS)}) | ${f(s6?.lagMedianS)} / ${f(s6?.lagMaxS)} (${f(s6?.lagSeenMedianS)} + ${f(s6?.lagSentMedianS)}) | ${f(o?.callsPerMigration)}; ${f(s6?.callsPerMigration)} |`,
      );
    }
    L.push(`| median | ${medianOf(lagsOf('one in flight'))} | ${medianOf(lagsOf('six in flight'))} | |`);
  }
  const withOps = r.load.filter((l) => l.byOperation);
  if (withOps.length) {
    L.push('');
    L.push("Requests per operation (manila-api's log; actions are `migration_check`, `_start`, `_complete`, `_get_progress`):");
    L.push('');
    L.push(...operationsTable(r.load));
    const tenant = (l: Load): number => TENANT_READS.reduce((a, op) => a + (l.byOperation?.[op] ?? 0), 0);
    if (six?.byOperation && sixBase) {
      const without = six.manilaApiCalls - tenant(six);
      L.push('');
      L.push(
        `Of the ${six.manilaApiCalls} requests with 6 in flight, ${tenant(six)} are the tenants' reads this round added (export locations before and after each switchover, the read-only cast in phase 1). ` +
          `Without them the run would make ${(without / six.migrations).toFixed(1)} per migration, ${(without / six.migrations / sixBase.callsPerMigration).toFixed(2)}× the previous release's.`,
      );
    }
  }
  if (r.longPhase1) {
    const x = r.longPhase1;
    L.push('');
    L.push(`## Load with a phase 1 of ${x.phase1Seconds} s`);
    L.push('');
    L.push(
      `The same four runs, ${x.at.slice(0, 16).replace('T', ' ')} UTC, with every phase 1 stretched to at least ${x.phase1Seconds} s: the test bed's PacedDummyDriver answers Manila's continue with "not yet" until then, ` +
        `as a driver does while it copies the data (for hours in production). At the dummy driver's own pace (15 s) the run's fixed reads (the refresh, the admin probe, the check, the verification) make most of the calls; here the polls in phase 1 do.`,
    );
    L.push('');
    L.push(...loadTable(x.load));
    L.push('');
    L.push("Requests per operation (manila-api's log):");
    L.push('');
    L.push(...operationsTable(x.load));
  }
  if (fleets.length) {
    L.push('');
    L.push(`## A fleet of ${fleets[0].migrations}: alpha evacuated onto beta and gamma, --parallel 8 --max-per-destination 4`);
    L.push('');
    L.push('| budget | exit | wall s | allowed s | wall ÷ allowed | slowest migration s | lag median / max s | runner calls (per migration) | requests/min (Manila log) | runner RSS MiB / CPU s | peaks: in flight / per destination | lost |');
    L.push('|---|---|---|---|---|---|---|---|---|---|---|---|');
    for (const x of fleets) {
      L.push(
        `| ${x.maxRequestRate ?? 2}/s | ${x.exitCode} | ${x.wallS} | ${x.allowedS} | ${x.wallOverAllowed} | ${f(x.slowestMigrationS)} | ${f(x.lagMedianS)} / ${f(x.lagMaxS)} | ` +
          `${x.runnerApiCalls} (${(x.runnerApiCalls / x.migrations).toFixed(1)}) | ${f(x.requestsPerMinuteOverall)} | ${x.runnerPeakRssMb ?? `(tree ${x.treePeakRssMb})`} / ${x.runnerCpuS ?? '–'} | ${x.peaks.total} / ${x.peaks.perDestination} | ${x.audit.lost} |`,
      );
    }
    const w = fleets[0];
    L.push('');
    L.push(
      `**What Manila's serialisation allows, and how it is estimated.** The test bed runs one manila-share for every backend: it sets up each destination server, ` +
        `runs the driver's continue for every migration one after another on its ${r.continueInterval} s tick, and switches them over one by one. The same bench first drives one wave of 8 migrations ` +
        `(4 per destination, the run's limits) with a minimal client that does nothing but start, poll every 0.5 s and complete: ${w.idealWave.wallS} s from the first start to the last destination active. ` +
        `${w.migrations} migrations are ${w.waves} such waves, so Manila allows ${w.allowedS} s (${w.waves} × ${w.idealWave.wallS} s). ` +
        "That is generous to Manila: the runner also checks before each start and verifies each move after it (shares, rules, snapshots, export locations), which the minimal client does not.",
    );
    if (atDefault) {
      L.push('');
      L.push(
        `**Where the time goes at the default budget.** The runner sent ${atDefault.runnerApiCalls} requests (${(atDefault.runnerApiCalls / atDefault.migrations).toFixed(1)} per migration: check, start, ` +
          `the read under the lock and complete, export locations before, the read-only probe in phase 1, the verification reads, and the polls), ` +
          `which at 2 requests/s take ${Math.round(atDefault.runnerApiCalls / 2)} s on their own: the run is bound by its own request budget, not by Manila. ` +
          'The runs above the default budget show what the same loop does when the budget is not the bound.',
      );
    }
    L.push('');
    L.push(`The in-flight counts come from a separate watcher listing every share server once a second (${w.watcherLists ?? w.peaks.polls} lists per run, in Manila's log too, so "requests/min" includes them; the runner's own count is "runner calls").`);
  }
  fs.mkdirSync(OUT, { recursive: true });
  fs.writeFileSync(path.join(OUT, 'real-fleet.json'), JSON.stringify(r, null, 2) + '\n');
  fs.writeFileSync(path.join(OUT, 'real-fleet.md'), L.join('\n') + '\n');
  process.stderr.write(`[real-fleet-report] wrote ${path.join(OUT, 'real-fleet.md')} and real-fleet.json\n`);
}

main();
