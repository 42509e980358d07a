/**
 * A night in the simulator (issue 23): 1,000 share servers evacuated from 40 hosts to 10 by one
 * long-lived `applyPlan`, at production timings (continue every 900 s, phase 1 of 15 to 90 min),
 * through a night of faults, and side by side the same seed without them:
 *
 * - manila-api down 5 min (2 h in), 30 min (5 h) and 90 min (12 h, past a 60-min --outage-limit:
 *   the run stops with exit 5 and a rerun every 15 min, as from a schedule, carries on);
 * - Keystone down 45 min (8 h), tokens living 1 h;
 * - 2 % of phase 1s failing, 1 % of completes failing, manila-share restarting for 3 min at 3 h,
 *   10 h and 16 h.
 *
 * Measured on the simulator's side: moves done, failed with doctor's verdict (lib/doctor, on the
 * simulator's records), lost (must be 0), starts and completes sent twice (must be 0), makespan
 * against the ideal schedule (bench/sim/ideal.ts) and against the run without faults, and the
 * notifications the run would send, per event (lib/notify's filter, no delivery).
 *
 *   npx ts-node --transpile-only bench/night.ts [--servers 1000] [--seed 11] [--out bench/results]
 *
 * Writes night.json and night.md.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { RunnerEvent } from '../lib/apply/events';
import { EXIT } from '../lib/apply/result';
import { applyPlan } from '../lib/apply/runner';
import { diagnose } from '../lib/doctor/diagnose';
import { NotificationFilter } from '../lib/notify/notification';
import { plan } from '../lib/plan/plan';
import type { MigrateEntry } from '../lib/plan/types';
import { takeSnapshot } from '../lib/snapshot/refresh';
import { arg } from './lib/args';
import { audit } from './sim/audit';
import { runInVirtualTime, VirtualClock } from './sim/clock';
import type { MigrationFate } from './sim/context';
import { idealSchedule } from './sim/ideal';
import { fatesByNetwork, SimulatedCloud } from './sim/manila';
import { evacuations, productionModel } from './sim/production';
import { Prng } from './sim/prng';
import type { MoveFacts } from './sim/schedule-model';
import { PRODUCTION_TIMINGS } from './sim/timings';
import { fleetWorld } from './sim/world';

const M = 60_000;
const H = 60 * M;
const START = Date.parse('2026-12-07T20:00:00Z');
const LIMITS = { parallel: 50, maxPerSource: 3, maxPerDestination: 6 };

/** The night's faults, from the run's start. */
const OUTAGES = [
  { service: 'manila' as const, at: 2 * H, forMs: 5 * M },
  { service: 'manila' as const, at: 5 * H, forMs: 30 * M },
  { service: 'keystone' as const, at: 8 * H, forMs: 45 * M },
  { service: 'manila' as const, at: 12 * H, forMs: 90 * M },
];
const SHARE_RESTARTS = [3 * H, 10 * H, 16 * H];
const OUTAGE_LIMIT_MS = 60 * M;
const RERUN_EVERY_MS = 15 * M;

interface NightResult {
  readonly faults: boolean;
  readonly moves: number;
  readonly outcome: Record<string, number>;
  readonly runs: number;
  readonly exitCodes: number[];
  readonly doctorVerdicts: Record<string, number>;
  readonly lost: readonly string[];
  /** Lost networks whose switchover Manila itself failed (data location unknown to Manila): doctor's failed-complete. */
  readonly lostToCompleteFailures: number;
  readonly startsTwice: number;
  readonly completesTwice: number;
  readonly makespanH: number;
  readonly idealH: number;
  readonly outageAnswers: number;
  readonly notifications: Record<string, number>;
  readonly outagesSeen: Array<{ kind: string; seconds: number }>;
  readonly runnerRequests: number;
  readonly wallS: number;
}

async function night(servers: number, seed: number, faults: boolean): Promise<NightResult> {
  const wall0 = Date.now();
  const clock = new VirtualClock({ start: START });
  const world = fleetWorld({ sources: 40, destinations: 10, servers, rng: Prng.of(seed, 'world') });
  const nets = world.servers.map((s) => s.network);
  const pick = Prng.of(seed, 'fates');
  const failing = new Set(pick.sample(nets, Math.round(0.02 * nets.length)));
  const failingComplete = new Set(pick.sample(nets.filter((n) => !failing.has(n)), Math.round(0.01 * nets.length)));
  const fates = new Map<string, MigrationFate>();
  for (const n of nets) {
    const r = Prng.of(seed, `fate:${n}`);
    const phase1Ms = Math.round(r.uniform(15 * M, 90 * M));
    fates.set(n, {
      phase1Ms,
      ...(faults && failing.has(n) ? { failAfterMs: Math.round(r.uniform(0, phase1Ms)) } : {}),
      ...(faults && failingComplete.has(n) ? { failComplete: true } : {}),
    });
  }
  const cloud: SimulatedCloud = new SimulatedCloud({
    world,
    clock,
    timings: PRODUCTION_TIMINGS,
    seed,
    tokenLifetimeMs: H,
    keepRequests: true,
    fateOf: fatesByNetwork(() => cloud, fates, { phase1Ms: 15 * M }),
  });
  const events: RunnerEvent[] = [];
  const exitCodes: number[] = [];
  let moves: MigrateEntry[] = [];
  let results: Awaited<ReturnType<typeof applyPlan>>['results'] = [];
  let t0 = 0;
  await runInVirtualTime(
    clock,
    async () => {
      const c0 = cloud.client({ maxRequestRate: Infinity });
      const p = plan(evacuations({ sources: 40, destinations: 10, targetsPerSource: 5 }), await takeSnapshot(c0, () => new Date(clock.now())));
      await c0.close();
      moves = p.entries.filter((e): e is MigrateEntry => e.action === 'migrate');
      t0 = clock.now();
      if (faults) {
        for (const o of OUTAGES) {
          clock.at(t0 + o.at, () => cloud.setDown(o.service, true));
          clock.at(t0 + o.at + o.forMs, () => cloud.setDown(o.service, false));
        }
        for (const at of SHARE_RESTARTS) clock.at(t0 + at, () => cloud.restartShare(3 * M));
      }
      // One long-lived apply; when an outage outlasts the limit, a schedule reruns it every 15 min.
      for (;;) {
        const client = cloud.client();
        const r = await applyPlan(p, client, { clock, ...LIMITS, outageLimitMs: OUTAGE_LIMIT_MS, onEvent: (e) => events.push(e) }).catch((e: Error) => {
          // A rerun while Manila is still down fails its preflight: the schedule tries again.
          events.push({ type: 'run', ts: new Date(clock.now()).toISOString(), phase: 'warning', moves: 0, message: `rerun refused: ${e.message}` });
          return undefined;
        });
        await client.close();
        if (r) {
          exitCodes.push(r.exitCode);
          results = r.results;
          if (r.exitCode !== EXIT.OUTAGE) break;
        } else exitCodes.push(EXIT.ERROR);
        await clock.sleep(RERUN_EVERY_MS);
      }
    },
    { until: START + 7 * 24 * H },
  );

  const outcome: Record<string, number> = {};
  for (const r of results) outcome[r.phase] = (outcome[r.phase] ?? 0) + 1;
  // Doctor's verdict on each move that did not end done, from the simulator's records.
  const doctorVerdicts: Record<string, number> = {};
  const admin = cloud.client({ maxRequestRate: Infinity });
  await runInVirtualTime(clock, async () => {
    const all = await admin.listShareServers();
    for (const r of results.filter((x) => x.phase !== 'done')) {
      const server = all.find((s) => s.id === r.server);
      if (!server) continue;
      const destinations = all.filter((s) => s.sourceShareServerId === server.id);
      const shares = await admin.listShares({ share_server_id: server.id });
      const d = diagnose({
        at: clock.now(),
        server,
        destinations,
        shares: shares.map((share) => ({ share, instances: [], rules: [], snapshots: [], messages: [] })),
        sharesOnDestinations: Object.fromEntries(destinations.map((x) => [x.id, []])),
        messages: [],
        journal: [],
      });
      doctorVerdicts[d.verdict] = (doctorVerdicts[d.verdict] ?? 0) + 1;
    }
  });
  await admin.close();

  const rep = audit(cloud, moves.map((e) => ({ network: e.server.shareNetworkName ?? '', from: e.from, to: e.to, phase: results.find((x) => x.key === e.key)?.phase ?? 'none' })));
  const completeFailedNets = new Set(moves.filter((m) => fates.get(m.server.shareNetworkName ?? '')?.failComplete).map((m) => m.server.shareNetworkName));
  const lostToComplete = rep.lost.filter((l) => [...completeFailedNets].some((n) => n && l.includes(n))).length;
  const perServer = (action: string): number => {
    const n = new Map<string, number>();
    for (const r of cloud.log.records) if (r.action === action && r.status >= 200 && r.status < 300) n.set(r.path, (n.get(r.path) ?? 0) + 1);
    return [...n.values()].filter((x) => x > 1).length;
  };
  const lastEnd = Math.max(...cloud.migrations.map((m) => m.endedAt ?? clock.now()));
  const facts: MoveFacts[] = moves.map((e) => {
    const f = fates.get(e.server.shareNetworkName ?? '')!;
    return { key: e.key, from: e.from, to: e.to, kind: f.failAfterMs !== undefined ? 'failure' : 'success', phase1Ms: f.phase1Ms, failAfterMs: f.failAfterMs };
  });
  const model = productionModel({ limits: LIMITS } as Parameters<typeof productionModel>[0]);
  const ideal = idealSchedule(facts, model, t0);
  const filter = new NotificationFilter({ cloud: 'sim', runner: { host: 'sim', pid: 0, mode: 'apply' } });
  const notifications: Record<string, number> = {};
  for (const e of events) {
    const n = filter.of(e);
    if (n) notifications[n.event] = (notifications[n.event] ?? 0) + 1;
  }
  const outagesSeen = events.flatMap((e) => (e.type === 'run' && (e.phase === 'outage-ended' || e.phase === 'outage-limit') ? [{ kind: e.phase, seconds: e.outage?.seconds ?? 0 }] : []));
  const result: NightResult = {
    faults,
    moves: moves.length,
    outcome,
    runs: exitCodes.length,
    exitCodes,
    doctorVerdicts,
    lost: rep.lost,
    lostToCompleteFailures: lostToComplete,
    startsTwice: perServer('migration_start'),
    completesTwice: perServer('migration_complete'),
    makespanH: (lastEnd - t0) / H,
    idealH: ideal.makespanMs / H,
    outageAnswers: cloud.outageAnswers,
    notifications,
    outagesSeen,
    runnerRequests: cloud.log.client('admin')?.manila ?? 0,
    wallS: (Date.now() - wall0) / 1000,
  };
  await cloud.close();
  return result;
}

function render(r: { night: NightResult; calm: NightResult; seed: number; at: string }): string {
  const n = r.night;
  const c = r.calm;
  const row = (k: string, a: unknown, b: unknown): string => `| ${k} | ${String(a)} | ${String(b)} |`;
  const fmt = (o: Record<string, number>): string => Object.entries(o).map(([k, v]) => `${k} ${v}`).join(', ') || '-';
  return [
    '# A night in the simulator',
    '',
    `Generated ${r.at} by \`bench/night.ts\` (seed ${r.seed}). Data: \`night.json\`. The real \`plan()\` and \`applyPlan\` against bench/sim/ in virtual time; both runs in one bench, the same seed and fates, with and without the faults.`,
    '',
    `Setup: ${n.moves} share servers, 40 sources → 10 destinations, parallel ${LIMITS.parallel}, ${LIMITS.maxPerSource} per source, ${LIMITS.maxPerDestination} per destination; continue every 900 s, phase 1 15-90 min; tokens live 1 h. Faults: manila-api down 5, 30 and 90 min (at 2 h, 5 h, 12 h; --outage-limit 60 min, then a rerun every 15 min); Keystone down 45 min (8 h); 2 % of phase 1s and 1 % of completes fail; manila-share restarts 3 min at 3 h, 10 h, 16 h.`,
    '',
    '| | night (faults) | calm (no faults) |',
    '|---|---|---|',
    row('outcome', fmt(n.outcome), fmt(c.outcome)),
    row('runs (exit codes)', `${n.runs} (${n.exitCodes.join(', ')})`, `${c.runs} (${c.exitCodes.join(', ')})`),
    row("doctor's verdict on each move not done", fmt(n.doctorVerdicts), fmt(c.doctorVerdicts)),
    row('lost (audit), of which Manila failed the switchover', `${n.lost.length}, ${n.lostToCompleteFailures}`, `${c.lost.length}, ${c.lostToCompleteFailures}`),
    row('**lost by the tool**', `**${n.lost.length - n.lostToCompleteFailures}**`, `**${c.lost.length - c.lostToCompleteFailures}**`),
    row('servers sent migration_start twice / migration_complete twice', `${n.startsTwice} / ${n.completesTwice}`, `${c.startsTwice} / ${c.completesTwice}`),
    row('makespan (start → last migration out of flight)', `${n.makespanH.toFixed(2)} h`, `${c.makespanH.toFixed(2)} h`),
    row('ideal schedule (no faults, no overhead)', `${n.idealH.toFixed(2)} h`, `${c.idealH.toFixed(2)} h`),
    row('makespan ÷ ideal', (n.makespanH / n.idealH).toFixed(3), (c.makespanH / c.idealH).toFixed(3)),
    row('night ÷ calm makespan', (n.makespanH / c.makespanH).toFixed(3), '1'),
    row('outages the run saw (kind, seconds)', n.outagesSeen.map((o) => `${o.kind} ${o.seconds}`).join('; ') || '-', c.outagesSeen.length || '-'),
    row('requests answered 503 while a service was down', n.outageAnswers, c.outageAnswers),
    row("runner's Manila requests", n.runnerRequests, c.runnerRequests),
    row('notifications it would send, per event', fmt(n.notifications), fmt(c.notifications)),
    row('wall time', `${n.wallS.toFixed(0)} s`, `${c.wallS.toFixed(0)} s`),
    '',
    "Doctor's verdicts come from lib/doctor's `diagnose` on the simulator's share server and share records (the simulator has no share instance, access rule or message views, so those parts of the evidence are empty). A failed complete leaves the source, the destination and the shares in error (Manila's `share_server_migration_complete`): the audit counts its network as lost because Manila cannot say where the data is; doctor says `failed-complete` and never fixes it.",
    '',
  ].join('\n');
}

async function main(): Promise<void> {
  const servers = Number(arg('--servers', '1000'));
  const seed = Number(arg('--seed', '11'));
  const out = path.resolve(arg('--out', path.join(__dirname, 'results')));
  process.stderr.write(`night: ${servers} servers, seed ${seed}, with faults...\n`);
  const nightR = await night(servers, seed, true);
  process.stderr.write(`night: done in ${nightR.wallS.toFixed(0)} s; the calm run...\n`);
  const calm = await night(servers, seed, false);
  const doc = { night: nightR, calm, seed, at: new Date().toISOString() };
  fs.mkdirSync(out, { recursive: true });
  fs.writeFileSync(path.join(out, 'night.json'), JSON.stringify(doc, null, 2) + '\n');
  fs.writeFileSync(path.join(out, 'night.md'), render(doc));
  process.stdout.write(render(doc));
}

main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
