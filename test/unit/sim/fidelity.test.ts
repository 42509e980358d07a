/**
 * Fidelity: the simulator against sequences recorded from the real Manila. Each scenario of
 * bench/sim/scenarios.ts (share servers) and bench/sim/share-scenarios.ts (shares) runs in the
 * simulator (test bed profile, virtual time) with the real runner and client, and its normalised
 * sequence is judged against the fixture in test/fixtures/sequences/ by bench/sim/fidelity.ts:
 * same answers, outcome and end state; every recorded state is one the simulator goes through,
 * in order; the same quiescent states.
 *
 * The share server fixtures are recordings (`npx ts-node --transpile-only scripts/record-sequences.ts`
 * against the test bed replaces them); share-a-auto-complete is transcribed by hand from
 * docs/transcripts/share-migration-zed.log (its `source` says so). A scenario without a fixture is
 * skipped, with the reason in its name.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runInVirtualTime } from '../../../bench/sim/clock';
import { compareSequences } from '../../../bench/sim/fidelity';
import type { SimulatedCloud } from '../../../bench/sim/manila';
import { SCENARIOS, runScenario } from '../../../bench/sim/scenarios';
import type { RecordedSequence, StateList } from '../../../bench/sim/sequence';
import { SHARE_SCENARIOS, runShareScenario } from '../../../bench/sim/share-scenarios';
import { ShareTrace } from '../../../bench/sim/share-trace';
import { simScenarioEnv, testbedCloud } from '../../../bench/sim/testbed-cloud';
import { StateTrace } from '../../../bench/sim/trace';
import { testbedWorld } from '../../../bench/sim/world';
import { useTempLockDir } from './lock-dir';

const FIXTURES = path.resolve(__dirname, '../../fixtures/sequences');

beforeAll(() => useTempLockDir());

/** One scenario: how to run it in a simulated cloud, with the simulator's exhaustive trace of it. */
interface Case {
  readonly id: string;
  readonly title: string;
  readonly howToRecord: string;
  run(cloud: SimulatedCloud): { trace: { readonly S: StateList; readonly D: StateList }; sequence: () => Promise<RecordedSequence> };
}

const cases: Case[] = [
  ...SCENARIOS.map(
    (spec): Case => ({
      id: spec.id,
      title: spec.title,
      howToRecord: 'record it with scripts/record-sequences.ts against the test bed',
      run: (cloud) => {
        const source = [...cloud.store.servers.values()].find((s) => cloud.store.networks.get(s.shareNetworkId)?.name === spec.network)!;
        const trace = new StateTrace(cloud.store, source.id, { SRC: source.host, DST: spec.target });
        return { trace, sequence: () => runScenario(spec, simScenarioEnv(cloud)) };
      },
    })
  ),
  ...SHARE_SCENARIOS.map(
    (spec): Case => ({
      id: spec.id,
      title: spec.title,
      howToRecord: 'transcribe one from a real share migration, as share-a-auto-complete.json was',
      run: (cloud) => {
        const share = [...cloud.store.shares.values()].find((s) => s.name === spec.share)!;
        const trace = new ShareTrace(cloud.store, share.id, { SRC: share.host, DST: spec.target });
        return { trace, sequence: () => runShareScenario(spec, simScenarioEnv(cloud)) };
      },
    })
  ),
];

for (const c of cases) {
  const file = path.join(FIXTURES, `${c.id}.json`);
  if (!fs.existsSync(file)) {
    const reason = `no fixture ${path.relative(process.cwd(), file)}: ${c.howToRecord}`;
    console.warn(`fidelity: skipping ${c.id}: ${reason}`);
    test.skip(`${c.id} (skipped: ${reason})`, () => undefined);
    continue;
  }
  test(`${c.id}: ${c.title}: the simulator matches the recording`, async () => {
    const recorded = JSON.parse(fs.readFileSync(file, 'utf8')) as RecordedSequence;
    // The test bed with its four flat fixtures on node1@delta (the share scenarios move them).
    const cloud = testbedCloud({ world: testbedWorld(6, 4) });
    const { trace, sequence } = c.run(cloud);
    const { value: simulated } = await runInVirtualTime(cloud.clock, sequence, { until: cloud.clock.now() + 3_600_000 });
    await cloud.close();
    expect({ scenario: c.id, mismatches: compareSequences(recorded, simulated, trace) }).toEqual({ scenario: c.id, mismatches: [] });
  });
}
