import type { SimulatedCloud } from './manila';
import { SCENARIOS, runScenario, type ScenarioEnv } from './scenarios';
import type { RecordedSequence, StateList } from './sequence';
import { SHARE_SCENARIOS, runShareScenario } from './share-scenarios';
import { ShareTrace } from './share-trace';
import { StateTrace } from './trace';

/**
 * Every fidelity scenario, of both kinds, as one list: scripts/record-sequences.ts runs each
 * against the real test bed, test/unit/sim/fidelity.test.ts against the simulator, and both
 * trace it the same way.
 */

/** A scenario: how to run it in any cloud, and the simulator's exhaustive trace of what it moves. */
export interface Recordable {
  readonly id: string;
  readonly title: string;
  run(env: ScenarioEnv): Promise<RecordedSequence>;
  /** Call before `run`, on the simulated cloud it runs in. */
  trace(cloud: SimulatedCloud): { readonly S: StateList; readonly D: StateList };
}

export const RECORDABLE: readonly Recordable[] = [
  ...SCENARIOS.map(
    (spec): Recordable => ({
      id: spec.id,
      title: spec.title,
      run: (env) => runScenario(spec, env),
      trace: (cloud) => {
        const source = [...cloud.store.servers.values()].find((s) => cloud.store.networks.get(s.shareNetworkId)?.name === spec.network)!;
        return new StateTrace(cloud.store, source.id, { SRC: source.host, DST: spec.target });
      },
    })
  ),
  ...SHARE_SCENARIOS.map(
    (spec): Recordable => ({
      id: spec.id,
      title: spec.title,
      run: (env) => runShareScenario(spec, env),
      trace: (cloud) => {
        const share = [...cloud.store.shares.values()].find((s) => s.name === spec.share)!;
        return new ShareTrace(cloud.store, share.id, { SRC: share.host, DST: spec.target });
      },
    })
  ),
];
