import type { Dispatcher } from 'undici';
import { cancelMigration } from '../../lib/apply/cancel';
import type { RunnerEvent } from '../../lib/apply/events';
import { applyPlan } from '../../lib/apply/runner';
import type { ManilaClient } from '../../lib/manila/client';
import type { Clock } from '../../lib/util/clock';
import type { MigrationFlags } from '../../lib/manila/types';
import { plan } from '../../lib/plan/plan';
import type { PlacementDeclaration } from '../../lib/plan/types';
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

/** Runs one scenario and returns its normalised sequence. */
export async function runScenario(spec: ScenarioSpec, env: ScenarioEnv): Promise<RecordedSequence> {
  const every = env.observeEveryMs ?? 500;
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
  const p = plan([decl], snapshot);
  let runnerDone = false;
  let cancelled = false;
  const events: RunnerEvent[] = [];
  // The observer: S by id, its destinations by source id; cancels when the scenario says so.
  const observe = (async () => {
    let doneAt: number | undefined;
    for (;;) {
      const s = await watcher.findShareServer(server.id).catch(() => undefined);
      const dests = await watcher.listShareServers({ source_share_server_id: server.id }).catch(() => []);
      if (spec.cancelAt && !cancelled && s?.taskState === spec.cancelAt) {
        cancelled = true;
        await cancelMigration(watcher, server.id, { clock: env.clock, pollIntervalMs: every, wait: false });
      }
      if (runnerDone) {
        doneAt ??= env.clock.now();
        if (settled(s, dests) || env.clock.now() - doneAt > (env.settleMs ?? 60_000)) break;
      }
      await env.clock.sleep(every);
    }
  })();
  let outcome: { phase: string; code?: string };
  try {
    const r = await applyPlan(p, runner, { clock: env.clock, pollIntervalMs: 1_000, verifyTimeoutMs: 60_000, onEvent: (e) => events.push(e) });
    outcome = { phase: r.results[0]?.phase ?? 'none', code: r.results[0]?.code };
  } finally {
    runnerDone = true;
    await observe;
    await runner.close();
    await watcher.close();
  }
  return rec.result(spec.id, env.source, outcome);
}
