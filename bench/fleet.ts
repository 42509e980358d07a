/**
 * Fleet move on the real test bed, side by side with how operators move share servers today.
 * Each round moves the six fixture share servers node1@alpha -> node1@beta with one tool and
 * back with the other; odd rounds start with manila-placement, even rounds with the manila CLI
 * loop, so each tool goes first (and each direction is run by each tool) in alternate rounds.
 *
 * - runner: `manila-placement apply --auto-approve --json --parallel 6 --poll-interval 0.5` on a
 *   generated cdktf app with one ShareServerPlacement per share network (mp-sn-1..6);
 * - loop: bench/lib/legacy-loop.sh, the `manila` CLI one server after another, polling every 5 s.
 *
 * Must run with the test bed lock held (bench/run.sh takes it) and the admin OS_* variables of
 * `testbed.sh env --os` exported. Timing sources are documented in bench/report.ts (and the
 * generated bench/results/latest.md).
 *
 *   npx ts-node --transpile-only bench/fleet.ts [--rounds 3] [--out FILE] [--poll-interval 0.5] [--loop-poll 5]
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ManilaClient } from '../lib/manila/client';
import { arg } from './lib/args';
import { apiCalls, appended, keystoneClientCalls, manilaTime, offsets, requestTimes, shareEvents } from './lib/manila-logs';
import { measure, REPO, round, TMP, transpileBenchLib, writeJson } from './lib/proc';
import { adminClient, cloudEnv, legacyEnv, scratch, settledOn, testbed, writeFleetApp } from './lib/testbed';

const ROUNDS = Number(arg('--rounds', '3'));
const OUT = path.resolve(arg('--out', path.join(TMP, 'fleet.json')));
const POLL_INTERVAL = arg('--poll-interval', '0.5');
const LOOP_POLL = arg('--loop-poll', '5');
const ALPHA = 'node1@alpha';
const BETA = 'node1@beta';
const TOOL_TIMEOUT_MS = 20 * 60_000;

type Tool = 'runner' | 'loop';

/** One migration as both Manila and the tool saw it. Times are epoch ms. */
export interface Migration {
  readonly source: string;
  readonly destination?: string;
  readonly network?: string;
  /** The tool began working on this server (runner: first non-queued event; loop: before its check). */
  readonly toolBegin?: number;
  /** The tool considered it done (runner: `done` event, after verification; loop: destination seen active). */
  readonly toolEnd?: number;
  /** manila-api answered 202 to migration_start (its response log line). */
  readonly startAccepted?: number;
  /** Destination record created_at (API). */
  readonly destCreated?: number;
  /** manila-share recorded migration_driver_phase1_done for the source (log line right after the DB update). */
  readonly phase1Done?: number;
  /** The tool's own view: it sent complete (runner: `completing` event; loop: before the complete command). */
  readonly completeSent?: number;
  /** manila-api received the migration_complete request (request line, matched by request id to the completion). */
  readonly completeReceived?: number;
  /** Destination updated_at once active/migration_success (API). */
  readonly destActive?: number;
  /** manila-share logged "completed with success" (right after the destination update). */
  readonly destActiveLog?: number;
  /** Loop only: updated_at of the source as share-server-show printed it at phase1_done. */
  readonly phase1UpdatedAtSeen?: number;
  /** Runner only: API calls the runner attributes to this move (summary). */
  readonly apiCalls?: number;
  readonly ok: boolean;
}

/** One run of one tool over the fleet. */
export interface ToolRun {
  readonly tool: Tool;
  readonly round: number;
  /** 1 when this tool went first in the round. */
  readonly order: number;
  readonly from: string;
  readonly to: string;
  readonly exitCode: number | null;
  readonly t0: number;
  readonly t1: number;
  readonly wallS: number;
  /** GNU time's maximum RSS of the process tree (runner: includes the synth child it spawns). */
  readonly maxRssMb?: number;
  /** Runner: peak RSS of each Node process (own getrusage), by role. */
  readonly processRssMb?: Record<string, number>;
  /** Runner: process start -> run start event (refresh, synth, plan). */
  readonly planningS?: number;
  /** Runner: the summary's apiCalls (every call of apply's client; refresh uses a client of its own). */
  readonly summaryApiCalls?: number;
  /** HTTP calls manila-api logged during the run. */
  readonly manilaApiCalls: number;
  /** Keystone calls by clients during the run (token issue, discovery; not Manila's token validations). */
  readonly keystoneCalls: number;
  /** Runner: API calls by operation from its journal (count, median and total duration). */
  readonly journalOps?: Record<string, { count: number; medianMs: number; maxMs: number; totalMs: number }>;
  /** Loop: manila commands run, and their largest peak RSS. */
  readonly commands?: number;
  readonly commandCounts?: Record<string, number>;
  readonly migrations: readonly Migration[];
  readonly settled: boolean;
}

function log(m: string): void {
  process.stderr.write(`[fleet ${new Date().toISOString().slice(11, 19)}] ${m}\n`);
}

const LOG_KEYS = ['manila-api', 'manila-share', 'keystone'] as const;
function logFiles(): Record<string, string> {
  const logs = testbed().logs;
  return Object.fromEntries(LOG_KEYS.map((k) => [k, logs[k]]));
}

interface Window {
  api: string;
  share: string;
  keystone: string;
}

async function captureWindow(run: () => Promise<void>): Promise<Window> {
  const files = logFiles();
  const before = offsets(files);
  await run();
  // Let the services flush the last lines of this run (written a few ms after the state change).
  await new Promise((r) => setTimeout(r, 1_500));
  const after = offsets(files);
  return {
    api: appended(files['manila-api'], before['manila-api'], after['manila-api']),
    share: appended(files['manila-share'], before['manila-share'], after['manila-share']),
    keystone: appended(files.keystone, before.keystone, after.keystone),
  };
}

/** Manila's side of each migration in a window, by source id. */
async function manilaSide(client: ManilaClient, w: Window, sources: ReadonlyMap<string, string | undefined>): Promise<Map<string, Partial<Migration>>> {
  const calls = apiCalls(w.api);
  const received = requestTimes(w.api);
  const share = shareEvents(w.share);
  const out = new Map<string, Partial<Migration>>();
  for (const [src, dest] of sources) {
    const start = calls.find((c) => c.method === 'POST' && c.status === 202 && c.path.endsWith(`/share-servers/${src}/action`));
    const done = share.completed.get(src);
    let d: { createdAt?: string; updatedAt?: string; status: string; taskState: string | null; shareNetworkName?: string } | undefined;
    if (dest) d = await client.findShareServer(dest);
    out.set(src, {
      network: d?.shareNetworkName,
      startAccepted: start?.answered,
      phase1Done: share.phase1Done.get(src),
      completeReceived: done?.requestId ? received.get(done.requestId) : undefined,
      destActiveLog: done?.at,
      destCreated: manilaTime(d?.createdAt),
      destActive: d && d.status === 'active' && d.taskState === 'migration_success' ? manilaTime(d.updatedAt) : undefined,
    });
  }
  return out;
}

interface JsonEvent {
  type: string;
  ts?: string;
  key?: string;
  phase?: string;
  server?: string;
  results?: Array<{ key: string; server: string; newServerId?: string; phase: string; apiCalls: number }>;
  apiCalls?: number;
}

async function runRunner(client: ManilaClient, roundNo: number, order: number, from: string, to: string, js: string): Promise<ToolRun> {
  const app = writeFleetApp(to);
  const journal = scratch(`journal-r${roundNo}-runner-to-${to.split('@')[1]}.jsonl`);
  const rssFile = scratch(`rss-r${roundNo}-runner.jsonl`);
  const env = cloudEnv({ NODE_OPTIONS: `--require ${path.join(js, 'rss-probe.js')}`, MP_BENCH_RSS_FILE: rssFile });
  const args = [path.join(REPO, 'bin', 'manila-placement'), 'apply', '--auto-approve', '--json', '--parallel', '6', '--poll-interval', POLL_INTERVAL, '--journal', journal];
  log(`round ${roundNo}: manila-placement apply ${from} -> ${to} (--parallel 6 --poll-interval ${POLL_INTERVAL})`);
  let r!: Awaited<ReturnType<typeof measure>>;
  const w = await captureWindow(async () => {
    r = await measure(process.execPath, args, { cwd: app, env, timeoutMs: TOOL_TIMEOUT_MS });
  });
  fs.writeFileSync(scratch(`stdout-r${roundNo}-runner.jsonl`), r.stdout);
  if (r.code !== 0) log(`  apply exited ${r.code}: ${r.stderr.slice(-1500)}`);
  const events = r.stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as JsonEvent);
  const summary = events.find((e) => e.type === 'summary');
  const runStart = events.find((e) => e.type === 'run' && e.phase === 'start');
  const sources = new Map((summary?.results ?? []).map((x) => [x.server, x.newServerId] as const));
  const manila = await manilaSide(client, w, sources);
  const ts = (e: JsonEvent | undefined): number | undefined => (e?.ts ? Date.parse(e.ts) : undefined);
  const migrations: Migration[] = (summary?.results ?? []).map((res) => {
    const mine = events.filter((e) => e.type === 'move' && e.key === res.key);
    return {
      source: res.server,
      destination: res.newServerId,
      network: res.key.split('--')[0].replace(/^fleet_/, ''),
      toolBegin: ts(mine.find((e) => e.phase !== 'queued')),
      toolEnd: ts([...mine].reverse().find((e) => e.phase === 'done')),
      completeSent: ts(mine.find((e) => e.phase === 'completing')),
      apiCalls: res.apiCalls,
      ok: res.phase === 'done',
      ...manila.get(res.server),
    };
  });
  const probes = fs.existsSync(rssFile)
    ? fs
        .readFileSync(rssFile, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { argv: string[]; maxRssMb: number })
    : [];
  const role = (argv: string[]): string => (argv.some((a) => a.endsWith('bin/manila-placement')) ? 'runner' : argv.some((a) => /ts-node|main\.ts$/.test(a)) ? 'synth (ts-node main.ts)' : 'npx');
  const processRssMb: Record<string, number> = {};
  for (const p of probes) processRssMb[role(p.argv)] = Math.max(processRssMb[role(p.argv)] ?? 0, p.maxRssMb);
  const settled = await settledOn(client, to);
  return {
    journalOps: journalOps(journal),
    tool: 'runner',
    round: roundNo,
    order,
    from,
    to,
    exitCode: r.code,
    t0: r.t0,
    t1: r.t1,
    wallS: round(r.wallMs / 1000, 2)!,
    maxRssMb: r.maxRssMb,
    processRssMb,
    planningS: runStart?.ts ? round((Date.parse(runStart.ts) - r.t0) / 1000, 2) : undefined,
    summaryApiCalls: summary?.apiCalls,
    manilaApiCalls: apiCalls(w.api).length,
    keystoneCalls: keystoneClientCalls(w.keystone),
    migrations,
    settled,
  };
}

/** The runner's journal: HTTP exchanges by operation (ids left out). */
function journalOps(file: string): ToolRun['journalOps'] {
  if (!fs.existsSync(file)) return undefined;
  const by = new Map<string, number[]>();
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    if (!line.startsWith('{')) continue;
    const e = JSON.parse(line) as { type?: string; operation?: string; durationMs?: number };
    if (e.type !== 'http' || !e.operation) continue;
    const op = e.operation.replace(/ (on )?share server \S+/, '').replace(/ of share \S+/, '').replace(/^get$/, 'get share server');
    const list = by.get(op) ?? [];
    list.push(e.durationMs ?? 0);
    by.set(op, list);
  }
  const out: NonNullable<ToolRun['journalOps']> = {};
  for (const [op, ds] of [...by].sort((a, b) => b[1].length - a[1].length)) {
    const sorted = [...ds].sort((a, b) => a - b);
    out[op] = {
      count: ds.length,
      medianMs: sorted[Math.floor(sorted.length / 2)],
      maxMs: sorted[sorted.length - 1],
      totalMs: Math.round(ds.reduce((a, b) => a + b, 0)),
    };
  }
  return out;
}

interface LoopEvent {
  t: number;
  server: string;
  step: string;
  destination?: string;
  updatedAt?: string;
}

async function runLoop(client: ManilaClient, roundNo: number, order: number, from: string, to: string): Promise<ToolRun> {
  const eventsFile = scratch(`loop-r${roundNo}-events.jsonl`);
  const commandsFile = scratch(`loop-r${roundNo}-commands.jsonl`);
  log(`round ${roundNo}: manila CLI loop ${from} -> ${to} (one server after another, polling every ${LOOP_POLL} s)`);
  let r!: Awaited<ReturnType<typeof measure>>;
  const w = await captureWindow(async () => {
    r = await measure('bash', [path.join(REPO, 'bench', 'lib', 'legacy-loop.sh'), from, to, eventsFile, commandsFile], {
      env: legacyEnv({ POLL: LOOP_POLL }),
      timeoutMs: TOOL_TIMEOUT_MS,
    });
  });
  if (r.code !== 0) log(`  loop exited ${r.code}: ${r.stderr.slice(-1500)}`);
  const read = <T>(f: string): T[] =>
    fs.existsSync(f)
      ? fs
          .readFileSync(f, 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l) as T)
      : [];
  const events = read<LoopEvent>(eventsFile);
  const commands = read<{ cmd: string; rssKb: number }>(commandsFile);
  const servers = [...new Set(events.map((e) => e.server))];
  const at = (s: string, step: string): LoopEvent | undefined => events.find((e) => e.server === s && e.step === step);
  const sources = new Map(servers.map((s) => [s, at(s, 'complete_returned')?.destination || undefined] as const));
  const manila = await manilaSide(client, w, sources);
  const migrations: Migration[] = servers.map((s) => ({
    source: s,
    destination: sources.get(s),
    toolBegin: at(s, 'begin') ? at(s, 'begin')!.t * 1000 : undefined,
    toolEnd: at(s, 'done') ? at(s, 'done')!.t * 1000 : undefined,
    completeSent: at(s, 'complete_sending') ? at(s, 'complete_sending')!.t * 1000 : undefined,
    phase1UpdatedAtSeen: manilaTime(at(s, 'phase1_seen')?.updatedAt),
    ok: Boolean(at(s, 'done')),
    ...manila.get(s),
  }));
  const commandCounts: Record<string, number> = {};
  for (const c of commands) commandCounts[c.cmd] = (commandCounts[c.cmd] ?? 0) + 1;
  const settled = await settledOn(client, to);
  return {
    tool: 'loop',
    round: roundNo,
    order,
    from,
    to,
    exitCode: r.code,
    t0: r.t0,
    t1: r.t1,
    wallS: round(r.wallMs / 1000, 2)!,
    maxRssMb: commands.length ? round(Math.max(...commands.map((c) => c.rssKb)) / 1024, 1) : undefined,
    manilaApiCalls: apiCalls(w.api).length,
    keystoneCalls: keystoneClientCalls(w.keystone),
    commands: commands.length,
    commandCounts,
    migrations,
    settled,
  };
}

function reset(): void {
  log('testbed.sh reset');
  execFileSync('bash', [path.join(REPO, 'scripts', 'testbed', 'testbed.sh'), 'reset'], { stdio: ['ignore', 'ignore', 'inherit'], timeout: 600_000 });
}

async function main(): Promise<void> {
  const js = transpileBenchLib();
  legacyEnv(); // fail early without the OS_* variables
  const client = adminClient();
  const runs: ToolRun[] = [];
  const resets: number[] = [];
  try {
    for (let n = 1; n <= ROUNDS; n++) {
      if (!(await settledOn(client, ALPHA, 30_000))) {
        reset();
        resets.push(n);
        if (!(await settledOn(client, ALPHA, 120_000))) throw new Error('the fixtures are not back on node1@alpha after reset');
      }
      const runnerFirst = n % 2 === 1;
      const first = runnerFirst ? await runRunner(client, n, 1, ALPHA, BETA, js) : await runLoop(client, n, 1, ALPHA, BETA);
      runs.push(first);
      log(`  ${first.tool}: ${first.wallS} s, ${first.migrations.filter((m) => m.ok).length}/${first.migrations.length} ok`);
      if (!first.settled) {
        log('  the fleet did not settle on node1@beta; resetting, skipping the way back');
        reset();
        resets.push(n);
        continue;
      }
      const second = runnerFirst ? await runLoop(client, n, 2, BETA, ALPHA) : await runRunner(client, n, 2, BETA, ALPHA, js);
      runs.push(second);
      log(`  ${second.tool}: ${second.wallS} s, ${second.migrations.filter((m) => m.ok).length}/${second.migrations.length} ok`);
    }
  } finally {
    await client.close();
  }
  writeJson(OUT, {
    kind: 'fleet',
    at: new Date().toISOString(),
    continueInterval: testbed().continue_interval,
    pollInterval: Number(POLL_INTERVAL),
    loopPoll: Number(LOOP_POLL),
    resetsBeforeRounds: resets,
    runs,
  });
  log(`wrote ${OUT}`);
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
