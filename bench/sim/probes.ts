import { cancelMigration } from '../../lib/apply/cancel';
import { applyPlan } from '../../lib/apply/runner';
import { APPLY_DEFAULTS } from '../../lib/apply/options';
import { plan } from '../../lib/plan/plan';
import type { Declaration } from '../../lib/plan/types';
import { takeSnapshot } from '../../lib/snapshot/refresh';
import { runInVirtualTime } from './clock';
import type { MigrationFate } from './context';
import { fatesByNetwork, SimulatedCloud } from './manila';
import { Prng } from './prng';
import { PRODUCTION_TIMINGS } from './timings';
import { destinationHost, fleetWorld, sourceHost } from './world';

/**
 * Small runs that show one behaviour of the runner each, with evidence from the simulator:
 * what the production runs ran into, isolated. Each returns what the runner reported and what
 * Manila's records show afterwards.
 */

/** What a probe found. */
export interface ProbeResult {
  readonly name: string;
  readonly setup: string;
  readonly runner: string;
  readonly manila: string;
  /** True when the behaviour is a problem (a finding). */
  readonly finding: boolean;
}

const H = 3_600_000;
const M = 60_000;

function fleet(servers: number, fates: (i: number) => MigrationFate): SimulatedCloud {
  const world = fleetWorld({ sources: 1, destinations: 1, servers, rng: Prng.of(1, 'probe') });
  const byNet = new Map(world.servers.map((s, i) => [s.network, fates(i)] as const));
  const cloud: SimulatedCloud = new SimulatedCloud({
    world,
    timings: PRODUCTION_TIMINGS,
    fateOf: fatesByNetwork(() => cloud, byNet, { phase1Ms: 0 }),
  });
  return cloud;
}

/** Every server of the first source host to the first destination, switched over at once. */
export const evacuate: Declaration = {
  kind: 'evacuation',
  path: 'probe/evacuate',
  sourceHost: sourceHost(1),
  targets: [destinationHost(1)],
  flags: { writable: false, nondisruptive: false, preserveSnapshots: true },
  completion: 'auto',
};

const state = (cloud: SimulatedCloud): string =>
  [...cloud.store.servers.values()]
    .sort((a, b) => a.seq - b.seq)
    .map((s) => `${cloud.store.networks.get(s.shareNetworkId)?.name}: ${s.status}/${s.taskState ?? 'null'}@${s.host}`)
    .join('; ');

/** Phase 1 a little longer than the default phase-1 deadline (6 h), as the production draw allows (up to 6 h + one continue interval). */
export async function probePhase1Deadline(): Promise<ProbeResult> {
  const cloud = fleet(1, () => ({ phase1Ms: 6 * H + 10 * M }));
  const { value } = await runInVirtualTime(
    cloud.clock,
    async () => {
      const client = cloud.client();
      const p = plan([evacuate], await takeSnapshot(client, () => new Date(cloud.clock.now())));
      const r = await applyPlan(p, client, { clock: cloud.clock });
      const end = cloud.clock.now();
      await cloud.clock.sleep(2 * H);
      await client.close();
      return { r: r.results[0], end };
    },
    { until: cloud.clock.now() + 48 * H }
  );
  const after = state(cloud);
  await cloud.close();
  return {
    name: 'phase-1 deadline shorter than a long phase 1',
    setup: `one migration whose phase 1 takes 6 h 10 min; applyPlan with the default phase1TimeoutMs (${
      APPLY_DEFAULTS.phase1TimeoutMs / H
    } h), auto completion`,
    runner: `${value.r.phase} ${value.r.code ?? ''}: ${value.r.message ?? ''}`.trim(),
    manila:
      value.r.phase === 'done'
        ? `2 h after the runner returned: ${after}`
        : `2 h after the runner returned: ${after} (still in flight: this run no longer watches it, and it holds a slot of every limit until another apply completes it)`,
    finding: value.r.phase !== 'done',
  };
}

/** A `--no-wait` pass after one move failed while another still runs. */
export async function probeExitCodeWithFailure(): Promise<ProbeResult> {
  const cloud = fleet(2, (i) => (i === 0 ? { phase1Ms: 30 * M, failAfterMs: 0 } : { phase1Ms: 5 * H }));
  const { value } = await runInVirtualTime(
    cloud.clock,
    async () => {
      const snapClient = cloud.client();
      const p = plan([evacuate], await takeSnapshot(snapClient, () => new Date(cloud.clock.now())));
      await snapClient.close();
      const codes: Array<{ at: number; exit: number; phases: string }> = [];
      for (let pass = 0; pass < 12; pass++) {
        const c = cloud.client();
        const r = await applyPlan(p, c, { clock: cloud.clock, noWait: true, parallel: 2 });
        await c.close();
        codes.push({ at: cloud.clock.now(), exit: r.exitCode, phases: r.results.map((x) => x.phase).join(',') });
        await cloud.clock.sleep(5 * M);
      }
      return codes;
    },
    { until: cloud.clock.now() + 48 * H }
  );
  await cloud.close();
  const mixed = value.find(
    (c) => c.exit === 3 && c.phases.split(',').some((ph) => !['done', 'failed', 'cancelled', 'blocked', 'stale', 'conflict'].includes(ph))
  );
  return {
    name: 'exit code of a --no-wait pass with a failed move and work left',
    setup: 'two migrations, one fails in phase 1 at once, the other has 5 h of phase 1; a --no-wait pass every 5 min with the same plan',
    runner: mixed ? `exit ${mixed.exit} with phases ${mixed.phases}` : `exit codes ${[...new Set(value.map((c) => c.exit))].join(', ')}`,
    manila: 'the second migration is still in phase 1',
    finding: mixed !== undefined,
  };
}

/** A fresh plan (refresh, then plan: `apply --no-wait` without --plan) after an operator cancelled a migration. */
export async function probeFreshPlanAfterCancel(): Promise<ProbeResult> {
  const cloud = fleet(1, () => ({ phase1Ms: 3 * H }));
  const { value } = await runInVirtualTime(
    cloud.clock,
    async () => {
      const c1 = cloud.client();
      const p1 = plan([evacuate], await takeSnapshot(c1, () => new Date(cloud.clock.now())));
      await applyPlan(p1, c1, { clock: cloud.clock, noWait: true });
      const id = p1.entries[0] && 'server' in p1.entries[0] ? p1.entries[0].server.id : '';
      for (let i = 0; i < 60 && (await c1.getShareServer(id)).taskState !== 'migration_driver_in_progress'; i++) await cloud.clock.sleep(10_000);
      const cancelled = await cancelMigration(c1, id, { clock: cloud.clock, pollIntervalMs: 10_000 });
      await c1.close();
      const c2 = cloud.client();
      const p2 = plan([evacuate], await takeSnapshot(c2, () => new Date(cloud.clock.now())));
      const r2 = await applyPlan(p2, c2, { clock: cloud.clock, noWait: true });
      const s = await c2.getShareServer(id);
      await c2.close();
      return { cancelled: cancelled.outcome, action: p2.entries[0]?.action, phase: r2.results[0]?.phase, after: `${s.status}/${s.taskState}` };
    },
    { until: cloud.clock.now() + 48 * H }
  );
  await cloud.close();
  return {
    name: 'a fresh plan after an operator cancelled a migration',
    setup:
      'one migration started by a --no-wait pass; the operator cancels it (manila-placement cancel) during phase 1; the next pass refreshes and plans again, as `apply --no-wait` without --plan does',
    runner: `cancel: ${value.cancelled}; the new plan's entry: ${value.action}; the pass: ${value.phase}`,
    manila: `the server after that pass: ${value.after}`,
    finding: value.after.startsWith('server_migrating'),
  };
}
