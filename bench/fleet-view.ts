/**
 * The live view of `apply` at fleet size (issue 25): 200 share servers moved at once by the real
 * plan() and applyPlan against the simulator, drawn on this process's stderr by the TtyRenderer
 * `apply` uses (lib/cli/progress.ts, wired as lib/cli/commands/apply.ts wires it: the client's
 * request budget gives the rate), in virtual time paced to `--speed` virtual seconds per wall
 * second, so a person (or tmux) can watch it.
 *
 * Setup: 20 sources evacuated to 10 destinations, everything in flight at once (parallel =
 * moves), phase 1 of 15 to 90 min, 2 % of phase 1s failing, a completion window of 10 min every
 * half hour (moves whose phase 1 ends outside it wait for it), the default budget of 2 requests/s.
 *
 *   npx ts-node --transpile-only bench/fleet-view.ts [--moves 200] [--speed 60] [--seed 5] [--rate 2] [--pause-at 1980]
 *
 * `--speed 0` runs as fast as it can.
 * `--pause-at S` stops virtual time S seconds into the run (the view goes on drawing that
 * instant, until the process is killed): the same seed gives the same screen to capture.
 *
 * In tmux, as in bench/results/fleet-view.txt:
 *
 *   tmux new-session -d -s fv -x 120 -y 40 'npx ts-node --transpile-only bench/fleet-view.ts --pause-at 1980; sleep 600'
 *   sleep 50; tmux capture-pane -p -t fv > bench/results/fleet-view.txt; tmux kill-session -t fv
 *
 * That is 33 min in: 175 moves in phase 1, the first window's switchovers being verified, the
 * budget used up. Without `--pause-at` the run goes to its end (about 2 h of virtual time).
 */
import { NO_LOCKS } from '../lib/apply/lock';
import { applyPlan } from '../lib/apply/runner';
import { colourWanted, paint } from '../lib/cli/render-plan';
import { renderSummary, TtyRenderer } from '../lib/cli/progress';
import { plan } from '../lib/plan/plan';
import { takeSnapshot } from '../lib/snapshot/refresh';
import { arg } from './lib/args';
import { runInVirtualTime, type VirtualClock } from './sim/clock';
import type { MigrationFate } from './sim/context';
import { fatesByNetwork, SimulatedCloud } from './sim/manila';
import { evacuations } from './sim/production';
import { Prng } from './sim/prng';
import { PRODUCTION_TIMINGS } from './sim/timings';
import { fleetWorld } from './sim/world';

const M = 60_000;
const H = 60 * M;
const MOVES = Number(arg('--moves', '200'));
const SPEED = Number(arg('--speed', '60'));
const SEED = Number(arg('--seed', '5'));
const RATE = Number(arg('--rate', '2'));
const PAUSE_AT = arg('--pause-at');
const SOURCES = 20;
const DESTINATIONS = 10;
const WINDOW = { cron: '0,30 * * * *', durationMinutes: 10 };

/**
 * Holds the virtual clock back so that it runs at most `speed` times as fast as the wall clock
 * (and not past `pauseMs` after now): while the next timer lies ahead of the paced time, the
 * clock is held (the driver waits).
 */
function pace(clock: VirtualClock, speed: number, pauseMs = Infinity): () => void {
  const v0 = clock.now();
  const w0 = Date.now();
  let holding = false;
  const timer = setInterval(() => {
    const next = clock.nextAt();
    const paced = speed > 0 ? (Date.now() - w0) * speed : Infinity;
    const ahead = next !== undefined && next > v0 + Math.min(paced, pauseMs);
    if (ahead && !holding) clock.hold();
    if (!ahead && holding) clock.release();
    holding = ahead;
  }, 5);
  return () => {
    clearInterval(timer);
    if (holding) clock.release();
  };
}

async function main(): Promise<void> {
  const world = fleetWorld({ sources: SOURCES, destinations: DESTINATIONS, servers: MOVES, rng: Prng.of(SEED, 'world') });
  const fates = new Map<string, MigrationFate>();
  const failing = new Set(Prng.of(SEED, 'failing').sample(world.servers.map((s) => s.network), Math.round(0.02 * MOVES)));
  for (const s of world.servers) {
    const r = Prng.of(SEED, `fate:${s.network}`);
    const phase1Ms = Math.round(r.uniform(15 * M, 90 * M));
    fates.set(s.network, failing.has(s.network) ? { phase1Ms, failAfterMs: Math.round(r.uniform(0, phase1Ms)) } : { phase1Ms });
  }
  const cloud: SimulatedCloud = new SimulatedCloud({
    world,
    timings: PRODUCTION_TIMINGS,
    seed: SEED,
    fateOf: fatesByNetwork(() => cloud, fates, { phase1Ms: 15 * M }),
  });
  const clock = cloud.clock;
  const p = paint(colourWanted(process.stderr, undefined));
  process.stdout.write(`${MOVES} moves, ${SOURCES} sources -> ${DESTINATIONS} destinations, in the simulator at ${SPEED}x (virtual time)\n`);
  const out = await runInVirtualTime(
    clock,
    async () => {
      const c0 = cloud.client({ maxRequestRate: Infinity });
      const declarations = evacuations({ sources: SOURCES, destinations: DESTINATIONS, targetsPerSource: 5, window: WINDOW });
      const thePlan = plan(declarations, await takeSnapshot(c0, () => new Date(clock.now())));
      await c0.close();
      const client = cloud.client({ maxRequestRate: RATE });
      // As `apply` builds it (lib/cli/commands/apply.ts), on the simulator's clock.
      const renderer = new TtyRenderer(p, { stream: process.stderr, clock, requests: client.budget });
      const unpace = pace(clock, SPEED, PAUSE_AT === undefined ? undefined : Number(PAUSE_AT) * 1000);
      try {
        const r = await applyPlan(thePlan, client, {
          clock,
          parallel: MOVES,
          phase1TimeoutMs: 6 * H,
          locks: NO_LOCKS,
          onEvent: (e) => renderer.event(e),
        });
        renderer.stop();
        return { r, requests: client.budget.granted };
      } finally {
        unpace();
        await client.close();
      }
    },
    { until: clock.now() + 2 * 24 * H },
  );
  await cloud.close();
  process.stdout.write(renderSummary(out.value.r.results, () => 0, p).split('\n').slice(-3).join('\n'));
  process.stdout.write(`exit code ${out.value.r.exitCode}, ${out.value.requests} requests\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
