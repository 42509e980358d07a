/**
 * The reconciler on the real test bed, measured from Manila's own logs:
 *
 * 1. load with 1 and with 6 migrations in flight (manila-api requests per minute while they are
 *    all in phase 1, API calls per migration, the phase-1-done → complete lag), for this
 *    release's runner at its default settings and, side by side in the same run, for the
 *    previous release (commit BASELINE, built in bench/results/tmp/baseline) at its defaults;
 * 2. a fleet of 24 share servers (`testbed.sh start --servers 24`): alpha evacuated onto beta
 *    and gamma at --parallel 8 --max-per-destination 4, checked with raw reads (nothing lost,
 *    nothing left migrating or in error, the limits held at every poll), against what Manila
 *    itself allows: the same migrations driven by a minimal client with nothing in between,
 *    one wave of 8 (4 per destination), times the number of waves. Once at the default request
 *    budget (2/s) and once above it (--fleet-rates), to tell the budget's share of the wall time.
 *
 * With --phase1-seconds N, every migration's phase 1 lasts at least N s (the test bed's
 * PacedDummyDriver answers "not yet" until then, as a real driver does while it copies): the load
 * where phase 1 is long, as in production, rather than the dummy driver's 15 s.
 *
 * Needs the test bed lock (bench/run.sh takes it). Writes bench/results/tmp/real-fleet.json.
 *
 *   npx ts-node --transpile-only bench/real-fleet.ts [--out FILE] [--servers 24] [--skip-baseline] [--skip-fleet] [--fleet-rates 2,6] [--phase1-seconds N]
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { countInFlight } from '../lib/apply/admission';
import type { ManilaClient } from '../lib/manila/client';
import { isPhase1Done } from '../lib/manila/server-state';
import type { ShareServer } from '../lib/manila/types';
import { arg, flag } from './lib/args';
import { apiCalls, appended, offsets, requestTimes, shareEvents } from './lib/manila-logs';
import { measure, median, REPO, round, TMP, transpileBenchLib, writeJson } from './lib/proc';
import { adminClient, cloudEnv, scratch, testbed } from './lib/testbed';

const OUT = path.resolve(arg('--out', path.join(TMP, 'real-fleet.json')));
const SERVERS = Number(arg('--servers', '24'));
const BASELINE = 'ec62f73';
const BASELINE_DIR = path.join(TMP, 'baseline');
/** Stretch every phase 1 to at least this many seconds (0: the dummy driver's own pace). */
const PHASE1_S = Number(arg('--phase1-seconds', '0'));

/** The file the test bed's PacedDummyDriver reads (scripts/testbed/mp_testbed_drivers.py). */
const phase1File = (): string => path.join(testbed().state_dir, 'manila', 'drivers', 'phase1-seconds');

function log(m: string): void {
  process.stderr.write(`[real-fleet ${new Date().toISOString().slice(11, 19)}] ${m}\n`);
}

function testbedSh(...args: string[]): void {
  log(`testbed.sh ${args.join(' ')}`);
  execFileSync('bash', [path.join(REPO, 'scripts', 'testbed', 'testbed.sh'), ...args], { stdio: ['ignore', 'ignore', 'inherit'], timeout: 900_000 });
}

/** The previous release, built once: its own CLI and library. */
function baseline(): string {
  if (!fs.existsSync(path.join(BASELINE_DIR, 'dist', 'lib', 'cli', 'main.js'))) {
    log(`building the previous release ${BASELINE} in ${BASELINE_DIR}`);
    fs.rmSync(BASELINE_DIR, { recursive: true, force: true });
    execFileSync('git', ['worktree', 'prune'], { cwd: REPO });
    execFileSync('git', ['worktree', 'add', '--detach', '--force', BASELINE_DIR, BASELINE], { cwd: REPO, stdio: 'ignore' });
    fs.symlinkSync(path.join(REPO, 'node_modules'), path.join(BASELINE_DIR, 'node_modules'));
    execFileSync(process.execPath, [path.join(REPO, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], { cwd: BASELINE_DIR, stdio: 'inherit' });
  }
  return BASELINE_DIR;
}

/** A cdktf app for one root (this release or the baseline): placements of these networks, or an evacuation of alpha. */
function app(root: string, name: string, body: string): string {
  const dir = path.join(REPO, '.manila-placement', 'bench', 'apps', name);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(
    path.join(dir, 'main.ts'),
    `import { App } from 'cdktf';\nimport { HostEvacuation, PlacementStack, ShareServerPlacement } from ${JSON.stringify(path.join(root, 'dist', 'lib'))};\n` +
      `void HostEvacuation; void ShareServerPlacement;\nconst app = new App();\nconst stack = new PlacementStack(app, 'fleet');\n${body}\napp.synth();\n`,
  );
  fs.writeFileSync(path.join(dir, 'cdktf.json'), JSON.stringify({ language: 'typescript', app: 'npx ts-node --transpile-only main.ts', context: { 'manila-placement:snapshot': 'manila-placement.snapshot.json' } }));
  return dir;
}

const placements = (nets: readonly string[], host: string): string => nets.map((n) => `new ShareServerPlacement(stack, '${n}', { shareNetwork: '${n}', host: '${host}' });`).join('\n');

interface Window {
  readonly api: string;
  readonly share: string;
}

async function captured<T>(fn: () => Promise<T>): Promise<{ value: T; w: Window }> {
  const logs = testbed().logs;
  const files = { api: logs['manila-api'], share: logs['manila-share'] };
  const before = offsets(files);
  const value = await fn();
  await new Promise((r) => setTimeout(r, 1_500));
  const after = offsets(files);
  return { value, w: { api: appended(files.api, before.api, after.api), share: appended(files.share, before.share, after.share) } };
}

/** Load figures of one window from Manila's logs, for the migrations of these sources. */
function load(
  w: Window,
  sources: readonly string[],
  events: ReadonlyArray<{ ts: string; server: string; phase: string }> = [],
): Record<string, number | undefined | Record<string, number>> {
  const calls = apiCalls(w.api);
  const received = requestTimes(w.api);
  const ev = shareEvents(w.share);
  const starts = sources.map((s) => calls.find((c) => c.method === 'POST' && c.status === 202 && c.path.endsWith(`/share-servers/${s}/action`))?.answered).filter((x): x is number => x !== undefined);
  const p1 = sources.map((s) => ev.phase1Done.get(s)).filter((x): x is number => x !== undefined);
  const lags = sources
    .map((s) => {
      const done = ev.completed.get(s);
      const got = done?.requestId ? received.get(done.requestId) : undefined;
      const p = ev.phase1Done.get(s);
      return got !== undefined && p !== undefined ? (got - p) / 1000 : undefined;
    })
    .filter((x): x is number => x !== undefined);
  // The lag's two parts: until the runner decided to complete (its 'completing' event), and from
  // there until manila-api received the call (the read under the lock, the budget, the request).
  const sawAt = (s: string): number | undefined => {
    const e = events.find((x) => x.server === s && x.phase === 'completing');
    return e ? Date.parse(e.ts) : undefined;
  };
  const parts = sources.map((s) => {
    const p = ev.phase1Done.get(s);
    const saw = sawAt(s);
    const done = ev.completed.get(s);
    const got = done?.requestId ? received.get(done.requestId) : undefined;
    return p !== undefined && saw !== undefined && got !== undefined ? { seen: (saw - p) / 1000, sent: (got - saw) / 1000 } : undefined;
  });
  const seen = parts.flatMap((x) => (x ? [x.seen] : []));
  const sent = parts.flatMap((x) => (x ? [x.sent] : []));
  // While every migration of the run is in phase 1: from the last start accepted to the first phase 1 done.
  const spans = sources
    .map((s) => {
      const st = calls.find((c) => c.method === 'POST' && c.status === 202 && c.path.endsWith(`/share-servers/${s}/action`))?.answered;
      const done = ev.completed.get(s)?.at;
      return st !== undefined && done !== undefined ? (done - st) / 1000 : undefined;
    })
    .filter((x): x is number => x !== undefined);
  const from = Math.max(...starts);
  const to = Math.min(...p1);
  const inWindow = calls.filter((c) => c.answered !== undefined && c.answered >= from && c.answered <= to).length;
  const first = Math.min(...calls.map((c) => c.answered ?? Infinity));
  const last = Math.max(...calls.map((c) => c.answered ?? -Infinity));
  return {
    migrations: sources.length,
    manilaApiCalls: calls.length,
    callsPerMigration: round(calls.length / Math.max(1, sources.length), 1),
    getsPerMigration: round(calls.filter((c) => c.method === 'GET' && /\/share-servers\/[0-9a-f-]{36}$/.test(c.path)).length / Math.max(1, sources.length), 1),
    actionsPerMigration: round(calls.filter((c) => c.method === 'POST' && c.path.endsWith('/action')).length / Math.max(1, sources.length), 1),
    listsPerRun: calls.filter((c) => c.method === 'GET' && /\/share-servers$/.test(c.path)).length,
    allInPhase1S: to > from ? round((to - from) / 1000, 1) : undefined,
    requestsPerMinuteAllInPhase1: to - from > 5_000 ? round((inWindow / (to - from)) * 60_000, 1) : undefined,
    requestsPerMinuteOverall: last > first ? round((calls.length / (last - first)) * 60_000, 1) : undefined,
    slowestMigrationS: round(spans.length ? Math.max(...spans) : undefined, 1),
    lagMedianS: round(median(lags), 2),
    lagMaxS: round(lags.length ? Math.max(...lags) : undefined, 2),
    lagSeenMedianS: round(median(seen), 2),
    lagSentMedianS: round(median(sent), 2),
    byOperation: byOperation(calls),
  };
}

/** Requests per operation (`GET share-servers/{id}`), most first: where the calls per migration go. */
function byOperation(calls: ReadonlyArray<{ method: string; path: string }>): Record<string, number> {
  const counts = new Map<string, number>();
  for (const c of calls) {
    const op = `${c.method} ${c.path.replace(/^\/v2(\/[0-9a-f]{32})?\//, '').replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '{id}')}`;
    counts.set(op, (counts.get(op) ?? 0) + 1);
  }
  return Object.fromEntries([...counts].sort((a, b) => b[1] - a[1]));
}

async function fixtureSources(client: ManilaClient, nets: readonly string[]): Promise<string[]> {
  const all = await client.listShareServers();
  return nets.map((n) => all.find((s) => s.shareNetworkName === n && s.status === 'active')!.id);
}

/** One runner run: apply in an app, at the tool's defaults but for the given flags. */
async function runnerRun(
  label: string,
  root: string,
  dir: string,
  nets: readonly string[],
  flags: readonly string[],
  client: ManilaClient,
  js: string,
): Promise<Record<string, unknown>> {
  const sources = await fixtureSources(client, nets);
  // A file name from the label ("fleet of 24, 2 requests/s" has a slash).
  const rssFile = scratch(`rss-${label.replace(/[^A-Za-z0-9]+/g, '-')}.jsonl`);
  const env = cloudEnv({ NODE_OPTIONS: `--require ${path.join(js, 'rss-probe.js')}`, MP_BENCH_RSS_FILE: rssFile });
  log(`${label}: ${path.relative(REPO, root) || 'this release'} apply ${flags.join(' ')} (${nets.length} server(s))${PHASE1_S ? `, phase 1 >= ${PHASE1_S} s` : ''}`);
  // Only while the runner runs: the resets between runs migrate too, at the dummy driver's pace.
  if (PHASE1_S > 0) fs.writeFileSync(phase1File(), `${PHASE1_S}\n`);
  const { value: r, w } = await captured(() =>
    measure(process.execPath, [path.join(root, 'bin', 'manila-placement'), 'apply', '--auto-approve', '--json', ...flags], { cwd: dir, env, timeoutMs: 30 * 60_000 }),
  ).finally(() => fs.rmSync(phase1File(), { force: true }));
  // The runner's events, kept for the lag's parts (when it saw phase 1 done) and for a look afterwards.
  const events = r.stdout.split('\n').filter((l) => l.startsWith('{"type":"move"')).map((l) => JSON.parse(l) as { ts: string; server: string; phase: string });
  fs.writeFileSync(scratch(`events-${label.replace(/[^A-Za-z0-9]+/g, '-')}.jsonl`), r.stdout);
  const summary = r.stdout.split('\n').filter((l) => l.startsWith('{"type":"summary"')).map((l) => JSON.parse(l))[0] as { results: Array<{ phase: string }>; apiCalls: number } | undefined;
  const probes = fs.existsSync(rssFile) ? fs.readFileSync(rssFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { argv: string[]; maxRssMb: number; cpuS?: number }) : [];
  const runner = probes.find((p) => p.argv.some((a) => a.endsWith('bin/manila-placement')));
  return {
    label,
    release: root === REPO ? 'this' : `baseline ${BASELINE}`,
    flags,
    exitCode: r.code,
    wallS: round(r.wallMs / 1000, 1),
    done: summary?.results.filter((x) => x.phase === 'done').length,
    runnerApiCalls: summary?.apiCalls,
    runnerPeakRssMb: runner?.maxRssMb,
    runnerCpuS: runner?.cpuS,
    treePeakRssMb: r.maxRssMb,
    ...load(w, sources, events),
  };
}

/** Manila's own capacity: migrations driven by a minimal client (poll 0.5 s, complete at once, nothing else). */
async function ideal(client: ManilaClient, moves: ReadonlyArray<{ id: string; to: string }>): Promise<{ wallS: number; slowestS: number }> {
  const t0 = Date.now();
  const spans = await Promise.all(
    moves.map(async (m) => {
      const s0 = Date.now();
      await client.migrationStart(m.id, { host: m.to, writable: false, nondisruptive: false, preserveSnapshots: true, newShareNetworkId: null });
      let dest: string | undefined;
      for (;;) {
        const s = await client.getShareServer(m.id);
        if (isPhase1Done(s)) {
          dest = await client.migrationComplete(m.id);
          break;
        }
        if (s.status === 'active') throw new Error(`ideal run: ${m.id} ended ${s.taskState}`);
        await new Promise((r) => setTimeout(r, 500));
      }
      for (;;) {
        const d = await client.findShareServer(dest);
        if (d?.status === 'active') break;
        await new Promise((r) => setTimeout(r, 500));
      }
      return (Date.now() - s0) / 1000;
    }),
  );
  return { wallS: round((Date.now() - t0) / 1000, 1)!, slowestS: round(Math.max(...spans), 1)! };
}

/** Raw reads after the fleet: every share available on a target with its rules and snapshots; nothing migrating or in error. */
async function audit(client: ManilaClient, nets: readonly string[], targets: readonly string[]): Promise<Record<string, unknown>> {
  const servers = await client.listShareServers();
  const problems: string[] = [];
  let rules = 0;
  let snaps = 0;
  for (const n of nets) {
    const live = servers.filter((s) => s.shareNetworkName === n && s.status === 'active');
    if (live.length !== 1 || !targets.includes(live[0].host)) {
      problems.push(`${n}: ${live.map((s) => `${s.host}/${s.status}`).join(', ') || 'no active server'}`);
      continue;
    }
    for (const sh of await client.listShares({ share_server_id: live[0].id })) {
      if (sh.status !== 'available') problems.push(`${sh.name}: ${sh.status}`);
      for (const r of await client.listAccessRules(sh.id)) {
        rules++;
        if (r.state !== 'active') problems.push(`${sh.name}: rule ${r.accessTo} ${r.state}`);
      }
      for (const s of await client.listSnapshots({ share_id: sh.id })) {
        snaps++;
        if (s.status !== 'available') problems.push(`${sh.name}: snapshot ${s.status}`);
      }
    }
  }
  const stuck = servers.filter((s: ShareServer) => s.status === 'server_migrating' || s.status === 'server_migrating_to' || s.status === 'error').map((s) => `${s.id} ${s.status}`);
  return { problems, stuck, accessRules: rules, snapshots: snaps, lost: problems.length + stuck.length };
}

async function main(): Promise<void> {
  const js = transpileBenchLib();
  const out: Record<string, unknown> = {
    kind: 'real-fleet',
    at: new Date().toISOString(),
    continueInterval: testbed().continue_interval,
    baselineCommit: BASELINE,
    ...(PHASE1_S > 0 ? { phase1Seconds: PHASE1_S } : {}),
  };
  const six = [1, 2, 3, 4, 5, 6].map((i) => `mp-sn-${i}`);
  const loadRuns: Array<Record<string, unknown>> = [];
  testbedSh('start');
  let client = adminClient();
  try {
    testbedSh('reset');
    loadRuns.push(await runnerRun('one in flight', REPO, app(REPO, 'one', placements(['mp-sn-1'], 'node1@beta')), ['mp-sn-1'], [], client, js));
    testbedSh('reset');
    loadRuns.push(await runnerRun('six in flight', REPO, app(REPO, 'six', placements(six, 'node1@beta')), six, ['--parallel', '6'], client, js));
    if (!flag('--skip-baseline')) {
      const base = baseline();
      testbedSh('reset');
      loadRuns.push(await runnerRun('six in flight, previous release', base, app(base, 'six-baseline', placements(six, 'node1@beta')), six, ['--parallel', '6'], client, js));
      testbedSh('reset');
      loadRuns.push(await runnerRun('one in flight, previous release', base, app(base, 'one-baseline', placements(['mp-sn-1'], 'node1@beta')), ['mp-sn-1'], [], client, js));
    }
    out.load = loadRuns;
    writeJson(OUT, out);

    if (!flag('--skip-fleet')) {
      testbedSh('start', '--servers', String(SERVERS));
      await client.close();
      client = adminClient();
      const nets = Array.from({ length: SERVERS }, (_, i) => `mp-sn-${i + 1}`);
      // What Manila allows: one wave of 8 (4 per destination), driven with nothing in between.
      const wave = (await fixtureSources(client, nets.slice(0, 8))).map((id, i) => ({ id, to: i % 2 ? 'node1@gamma' : 'node1@beta' }));
      log('ideal wave: 8 migrations, 4 per destination, raw client');
      const w8 = await ideal(client, wave);
      const waves = Math.ceil(SERVERS / 8);
      const allowedS = round(waves * w8.wallS, 1)!;
      const dir = app(REPO, 'fleet24', `new HostEvacuation(stack, 'alpha', { host: 'node1@alpha', targets: ['node1@beta', 'node1@gamma'] });`);
      // The default budget first, then higher ones: is the wall time Manila's or the budget's?
      const rates = arg('--fleet-rates', '2,6').split(',').map(Number);
      const runs: Record<string, unknown>[] = [];
      for (const rate of rates) {
        testbedSh('reset');
        const watcher = adminClient();
        let peaks = { polls: 0, total: 0, perDestination: 0, perSource: 0 };
        let watching = true;
        const watch = (async () => {
          while (watching) {
            try {
              const c = countInFlight(await watcher.listShareServers());
              peaks = {
                polls: peaks.polls + 1,
                total: Math.max(peaks.total, c.total),
                perDestination: Math.max(peaks.perDestination, ...c.byDestination.values(), 0),
                perSource: Math.max(peaks.perSource, ...c.bySource.values(), 0),
              };
            } catch {
              // a failed poll proves nothing
            }
            await new Promise((r) => setTimeout(r, 1_000));
          }
        })();
        const flags = ['--parallel', '8', '--max-per-destination', '4', ...(rate === 2 ? [] : ['--max-request-rate', String(rate)])];
        const fleet = await runnerRun(`fleet of ${SERVERS}, ${rate} requests/s`, REPO, dir, nets, flags, client, js);
        watching = false;
        await watch;
        await watcher.close();
        const checked = await audit(client, nets, ['node1@beta', 'node1@gamma']);
        runs.push({
          ...fleet,
          maxRequestRate: rate,
          // The watcher's lists (1/s) are in Manila's log too: the runner's own count is runnerApiCalls.
          watcherLists: peaks.polls,
          idealWave: w8,
          waves,
          allowedS,
          wallOverAllowed: round((fleet.wallS as number) / allowedS, 2),
          limitsHeld: peaks.total <= 8 && peaks.perDestination <= 4,
          peaks,
          audit: checked,
        });
        out.fleet = runs[0];
        out.fleetRuns = runs;
        writeJson(OUT, out);
      }
      writeJson(OUT, out);
    }
  } finally {
    await client.close();
    testbedSh('start'); // back to the default fixtures
  }
  writeJson(OUT, out);
  log(`wrote ${OUT}`);
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
