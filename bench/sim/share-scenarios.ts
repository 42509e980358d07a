import type { MigrationFlags } from '../../lib/manila/types';
import { plan } from '../../lib/plan/plan';
import type { PlacementDeclaration } from '../../lib/plan/types';
import { takeSnapshot } from '../../lib/snapshot/refresh';
import { runObserved, type Sample, type ScenarioEnv } from './scenarios';
import { SequenceRecorder, type RecordedSequence } from './sequence';
import { type RawInstance, type RawShare, ShareStates } from './share-sequence';

/**
 * The share migration scenarios (beside ./scenarios.ts for share servers), run the same way: the
 * real runner and client move one flat share of the test bed from node1@delta's pool with a
 * SharePlacement's declaration, a recorder on their dispatcher keeps the answers, and an observer
 * reads the share and its instances every half second. The states are the share's with its
 * instances (./share-sequence.ts).
 */

/** One share scenario. */
export interface ShareScenarioSpec {
  /** File name of its fixture. */
  readonly id: string;
  readonly title: string;
  /** The flat share that moves (by name). */
  readonly share: string;
  /** Destination pool, `host@backend#pool`. */
  readonly target: string;
  readonly flags: MigrationFlags;
  /** Cancel through the client once the share shows this task state. */
  readonly cancelAt?: string;
}

/** The share scenarios. */
export const SHARE_SCENARIOS: readonly ShareScenarioSpec[] = [
  {
    id: 'share-a-auto-complete',
    title: 'one share mp-flat-2 → node1@epsilon, auto completion',
    share: 'mp-flat-2',
    target: 'node1@epsilon#fake_pool_for_EPSILON',
    flags: { writable: true, nondisruptive: false, preserveSnapshots: true },
  },
  {
    id: 'share-b-cancel-phase1',
    title: 'a cancel of a share migration during phase 1 (at migration_driver_in_progress), through the client',
    share: 'mp-flat-3',
    target: 'node1@epsilon#fake_pool_for_EPSILON',
    flags: { writable: true, nondisruptive: false, preserveSnapshots: true },
    cancelAt: 'migration_driver_in_progress',
  },
];

/** A share at rest (not migrating, no destination instance): the move is over. */
function settled(sh: { status: string } | undefined, instances: readonly unknown[]): boolean {
  return sh !== undefined && sh.status !== 'migrating' && instances.length === 1;
}

/** Runs one share scenario and returns its normalised sequence. */
export async function runShareScenario(spec: ShareScenarioSpec, env: ScenarioEnv): Promise<RecordedSequence> {
  const plain = env.client({ maxRequestRate: Infinity });
  const snapshot = await takeSnapshot(plain, () => new Date(env.clock.now()));
  await plain.close();
  const share = (snapshot.flatShares ?? []).find((s) => s.name === spec.share && s.status === 'available');
  if (!share) throw new Error(`scenario ${spec.id}: no available flat share ${spec.share} (reset the test bed)`);
  const hosts = { SRC: share.host, DST: spec.target };
  const rec = new SequenceRecorder(share.id, hosts);
  const states = new ShareStates(hosts);
  const runner = env.client({ interceptor: rec.interceptor });
  const watcher = env.client({ interceptor: rec.interceptor, maxRequestRate: Infinity });
  const decl: PlacementDeclaration = {
    kind: 'placement',
    path: `fidelity/${spec.id}`,
    select: { shares: [spec.share] },
    resource: 'share',
    host: spec.target,
    flags: spec.flags,
    completion: 'auto',
  };
  // Share, instances, share: kept only when both reads of the share agree, so that one sample is one instant.
  const get = (path: string): Promise<Record<string, unknown> | undefined> =>
    watcher.request('observe', 'GET', path).then(
      (r) => r.body as Record<string, unknown>,
      () => undefined
    );
  const raw = async (): Promise<{ share?: RawShare; instances: RawInstance[] }> => {
    const before = (await get(`/shares/${share.id}`))?.share as RawShare | undefined;
    const instances = ((await get(`/shares/${share.id}/instances`))?.share_instances ?? []) as RawInstance[];
    const after = (await get(`/shares/${share.id}`))?.share as RawShare | undefined;
    return JSON.stringify(before) === JSON.stringify(after) ? { share: after, instances } : { instances: [] };
  };
  const sample = async (): Promise<Sample> => {
    const s = await raw();
    if (s.share) states.seen(s.share, s.instances);
    return { taskState: s.share?.task_state, settled: settled(s.share, s.instances) };
  };
  const outcome = await runObserved(env, plan([decl], snapshot), { runner, watcher }, { id: share.id, sample, cancelAt: spec.cancelAt });
  const seq = rec.result(spec.id, env.source, outcome);
  // The recorder keeps the answers and exchanges; the states are the observer's.
  const lastS = states.S[states.S.length - 1] ?? '?';
  const lastD = states.D[states.D.length - 1];
  return { ...seq, resource: 'share', S: [...states.S], D: [...states.D], final: { S: lastS, ...(lastD ? { D: lastD } : {}) } };
}
