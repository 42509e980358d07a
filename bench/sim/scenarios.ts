import type { Dispatcher } from 'undici';
import { cancelMigration } from '../../lib/apply/cancel';
import { applyPlan } from '../../lib/apply/runner';
import type { ManilaClient } from '../../lib/manila/client';
import type { Clock } from '../../lib/util/clock';
import type { MigrationFlags } from '../../lib/manila/types';
import { plan } from '../../lib/plan/plan';
import type { PlacementDeclaration, Plan } from '../../lib/plan/types';
import { takeSnapshot } from '../../lib/snapshot/refresh';
import { SequenceRecorder, type RecordedSequence } from './sequence';

/**
 * The four fidelity scenarios, written once and run against the real test bed (by
 * scripts/record-sequences.ts) and against the simulator (by test/unit/sim/fidelity.test.ts):
 * the real runner and client, a recorder on their dispatcher, and an observer that reads the
 * source and its destinations every half second so that short states are seen too.
 */

/** One scenario. */
export interface ScenarioSpec {
  /** File name of its fixture. */
  readonly id: string;
  readonly title: string;
  /** The fixture share network whose server moves (from node1@alpha). */
  readonly network: string;
  readonly target: string;
  readonly flags: MigrationFlags;
  /** Cancel through the client once the source shows this task state. */
  readonly cancelAt?: string;
}

/** The scenarios the fixtures hold. */
export const SCENARIOS: readonly ScenarioSpec[] = [
  {
    id: 'a-auto-complete',
    title: 'one migration mp-sn-1 → node1@beta, auto completion',
    network: 'mp-sn-1',
    target: 'node1@beta',
    flags: { writable: false, nondisruptive: false, preserveSnapshots: true },
  },
  {
    id: 'b-cancel-phase1',
    title: 'a cancel during phase 1 (at migration_driver_in_progress), through the client',
    network: 'mp-sn-2',
    target: 'node1@beta',
    flags: { writable: false, nondisruptive: false, preserveSnapshots: false },
    cancelAt: 'migration_driver_in_progress',
  },
  {
    id: 'c-nondisruptive-refused',
    title: 'nondisruptive: true on the dummy driver: migration_check says compatible: false, no start',
    network: 'mp-sn-3',
    target: 'node1@beta',
    flags: { writable: false, nondisruptive: true, preserveSnapshots: false },
  },
  {
    id: 'd-migration-error',
    title: 'a move to node1@faulty: phase 1 fails asynchronously (migration_error)',
    network: 'mp-sn-4',
    target: 'node1@faulty',
    flags: { writable: false, nondisruptive: false, preserveSnapshots: false },
  },
];

/** Where a scenario runs. */
export interface ScenarioEnv {
  readonly clock: Clock;
  /** A client of the cloud; with `interceptor`, every exchange goes through it. */
  client(opts: { readonly interceptor?: (d: Dispatcher['dispatch']) => Dispatcher['dispatch']; readonly maxRequestRate?: number }): ManilaClient;
  /** What to write into the sequence's `source`. */
  readonly source: string;
  /** Observer period in ms. @default 500 */
  readonly observeEveryMs?: number;
  /** Longest wait for the final state after the runner ended, in ms. @default 60000 */
  readonly settleMs?: number;
}

/** The stable end of a migration as the observer reads it: the source gone or active, and no destination in flight. */
function settled(source: { status: string } | undefined, dests: ReadonlyArray<{ status: string }>): boolean {
  const inFlight = dests.some((d) => d.status === 'server_migrating_to' || d.status === 'creating');
  return !inFlight && (source === undefined || source.status === 'active');
}

/** What one sample of a move found. */
export interface Sample {
  /** The moving thing's task state, for `cancelAt`. */
  readonly taskState?: string | null;
  /** The move is over as the observer sees it. */
  readonly settled: boolean;
}

/**
 * Runs the real runner on `p` while an observer samples the move every `every` ms (so that short
 * states are seen too) and, when the sample shows `cancelAt`, cancels it through the client as an
 * operator would; keeps sampling after the runner ended until the move settled. Returns how the
 * runner reported the move. Both kinds of scenario run through here.
 */
export async function runObserved(
  env: ScenarioEnv,
  p: Plan,
  clients: { readonly runner: ManilaClient; readonly watcher: ManilaClient },
  o: { readonly id: string; readonly sample: () => Promise<Sample>; readonly cancelAt?: string }
): Promise<{ phase: string; code?: string }> {
  const every = env.observeEveryMs ?? 500;
  let runnerDone = false;
  let cancelled = false;
  const observe = (async () => {
    let doneAt: number | undefined;
    for (;;) {
      const s = await o.sample();
      if (o.cancelAt && !cancelled && s.taskState === o.cancelAt) {
        cancelled = true;
        await cancelMigration(clients.watcher, o.id, { clock: env.clock, pollIntervalMs: every, wait: false });
      }
      if (runnerDone) {
        doneAt ??= env.clock.now();
        if (s.settled || env.clock.now() - doneAt > (env.settleMs ?? 60_000)) break;
      }
      await env.clock.sleep(every);
    }
  })();
  try {
    const r = await applyPlan(p, clients.runner, { clock: env.clock, pollIntervalMs: 1_000, verifyTimeoutMs: 60_000 });
    return { phase: r.results[0]?.phase ?? 'none', code: r.results[0]?.code };
  } finally {
    runnerDone = true;
    await observe;
    await clients.runner.close();
    await clients.watcher.close();
  }
}

/** Runs one scenario and returns its normalised sequence. */
export async function runScenario(spec: ScenarioSpec, env: ScenarioEnv): Promise<RecordedSequence> {
  const plain = env.client({ maxRequestRate: Infinity });
  const snapshot = await takeSnapshot(plain, () => new Date(env.clock.now()));
  await plain.close();
  const server = snapshot.shareServers.find((s) => s.shareNetworkName === spec.network && s.status === 'active');
  if (!server) throw new Error(`scenario ${spec.id}: no active share server of ${spec.network} (reset the test bed)`);
  const rec = new SequenceRecorder(
    server.id,
    { SRC: server.host, DST: spec.target },
    { shares: server.shares.map((s) => s.id), network: server.shareNetworkId }
  );
  const runner = env.client({ interceptor: rec.interceptor });
  const watcher = env.client({ interceptor: rec.interceptor, maxRequestRate: Infinity });
  const decl: PlacementDeclaration = {
    kind: 'placement',
    path: `fidelity/${spec.id}`,
    select: { shareNetwork: spec.network },
    host: spec.target,
    flags: spec.flags,
    completion: 'auto',
  };
  // The observer: S by id, its destinations by source id (the recorder reads their states off the exchanges).
  const sample = async (): Promise<Sample> => {
    const s = await watcher.findShareServer(server.id).catch(() => undefined);
    const dests = await watcher.listShareServers({ source_share_server_id: server.id }).catch(() => []);
    return { taskState: s?.taskState, settled: settled(s, dests) };
  };
  const outcome = await runObserved(env, plan([decl], snapshot), { runner, watcher }, { id: server.id, sample, cancelAt: spec.cancelAt });
  return rec.result(spec.id, env.source, outcome);
}
