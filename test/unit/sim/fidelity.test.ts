/**
 * Fidelity: the simulator against sequences recorded from the real Manila. Each scenario of
 * bench/sim/scenarios.ts (share servers) and bench/sim/share-scenarios.ts (shares) runs in the
 * simulator (test bed profile, virtual time) with the real runner and client, and its normalised
 * sequence is judged against the fixture in test/fixtures/sequences/ by bench/sim/fidelity.ts:
 * same answers, outcome and end state; every recorded state is one the simulator goes through,
 * in order; the same quiescent states.
 *
 * The fixtures are recordings (`npx ts-node --transpile-only scripts/record-sequences.ts` against
 * the test bed replaces them, `--only <id>` one of them); share-a-auto-complete was transcribed by
 * hand from docs/transcripts/share-migration-zed.log (its `source` says so). A scenario without a
 * fixture is skipped, with the reason in its name.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runInVirtualTime } from '../../../bench/sim/clock';
import { compareSequences } from '../../../bench/sim/fidelity';
import { RECORDABLE } from '../../../bench/sim/recordable';
import type { RecordedSequence } from '../../../bench/sim/sequence';
import { simScenarioEnv, testbedCloud } from '../../../bench/sim/testbed-cloud';
import { testbedWorld } from '../../../bench/sim/world';
import { useTempLockDir } from './lock-dir';

const FIXTURES = path.resolve(__dirname, '../../fixtures/sequences');

beforeAll(() => useTempLockDir());

const howToRecord = 'record it with scripts/record-sequences.ts --only <id> against the test bed';

for (const c of RECORDABLE) {
  const file = path.join(FIXTURES, `${c.id}.json`);
  if (!fs.existsSync(file)) {
    const reason = `no fixture ${path.relative(process.cwd(), file)}: ${howToRecord.replace('<id>', c.id)}`;
    console.warn(`fidelity: skipping ${c.id}: ${reason}`);
    test.skip(`${c.id} (skipped: ${reason})`, () => undefined);
    continue;
  }
  test(`${c.id}: ${c.title}: the simulator matches the recording`, async () => {
    const recorded = JSON.parse(fs.readFileSync(file, 'utf8')) as RecordedSequence;
    // The test bed with its four flat fixtures on node1@delta (the share scenarios move them).
    const cloud = testbedCloud({ world: testbedWorld(6, 4) });
    const trace = c.trace(cloud);
    const { value: simulated } = await runInVirtualTime(cloud.clock, () => c.run(simScenarioEnv(cloud)), { until: cloud.clock.now() + 3_600_000 });
    await cloud.close();
    expect({ scenario: c.id, mismatches: compareSequences(recorded, simulated, trace) }).toEqual({ scenario: c.id, mismatches: [] });
  });
}
