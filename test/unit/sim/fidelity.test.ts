/**
 * Fidelity: the simulator against sequences recorded from the real Manila. Each scenario of
 * bench/sim/scenarios.ts runs in the simulator (test bed profile, virtual time) with the real
 * runner and client, and its normalised sequence is judged against the fixture in
 * test/fixtures/sequences/ by bench/sim/fidelity.ts: same answers, outcome and end state; every
 * recorded state is one the simulator goes through, in order; the same quiescent states.
 *
 * The fixtures shipped are read off the reference transcripts (their `source` says so);
 * `npx ts-node --transpile-only scripts/record-sequences.ts` against the test bed replaces them
 * with recordings. A scenario without a fixture is skipped, with the reason in its name.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runInVirtualTime } from '../../../bench/sim/clock';
import { compareSequences } from '../../../bench/sim/fidelity';
import { SCENARIOS, runScenario } from '../../../bench/sim/scenarios';
import type { RecordedSequence } from '../../../bench/sim/sequence';
import { simScenarioEnv, testbedCloud } from '../../../bench/sim/testbed-cloud';
import { StateTrace } from '../../../bench/sim/trace';
import { useTempLockDir } from './lock-dir';

const FIXTURES = path.resolve(__dirname, '../../fixtures/sequences');

beforeAll(() => useTempLockDir());

for (const spec of SCENARIOS) {
  const file = path.join(FIXTURES, `${spec.id}.json`);
  if (!fs.existsSync(file)) {
    const reason = `no fixture ${path.relative(process.cwd(), file)}: record it with scripts/record-sequences.ts against the test bed`;
    console.warn(`fidelity: skipping ${spec.id}: ${reason}`);
    test.skip(`${spec.id} (skipped: ${reason})`, () => undefined);
    continue;
  }
  test(`${spec.id}: ${spec.title}: the simulator matches the recording`, async () => {
    const recorded = JSON.parse(fs.readFileSync(file, 'utf8')) as RecordedSequence;
    const cloud = testbedCloud();
    const source = [...cloud.store.servers.values()].find((s) => cloud.store.networks.get(s.shareNetworkId)?.name === spec.network)!;
    const trace = new StateTrace(cloud.store, source.id, { SRC: source.host, DST: spec.target });
    const { value: simulated } = await runInVirtualTime(cloud.clock, () => runScenario(spec, simScenarioEnv(cloud)), { until: cloud.clock.now() + 3_600_000 });
    await cloud.close();
    expect({ scenario: spec.id, mismatches: compareSequences(recorded, simulated, trace) }).toEqual({ scenario: spec.id, mismatches: [] });
  });
}
