/**
 * Records the fidelity fixtures from the real Manila: runs the four share server scenarios of
 * bench/sim/scenarios.ts and the share scenarios of bench/sim/share-scenarios.ts (a flat share
 * of node1@delta) with the real runner and client against the test bed, and writes each
 * normalised sequence (states of the source and destination, answers to the migration actions,
 * the runner's outcome, the end state, every exchange) to test/fixtures/sequences/<id>.json.
 * test/unit/sim/fidelity.test.ts then holds the simulator to them.
 *
 *   bash scripts/testbed/testbed.sh start
 *   eval "$(bash scripts/testbed/testbed.sh env)"
 *   flock "${MP_TESTBED_DIR:-/var/tmp/manila-placement-testbed}/tests.lock" \
 *     npx ts-node --transpile-only scripts/record-sequences.ts [--only <id>,...] [--no-reset] [--no-final-reset] [--compare]
 *
 * Hold the test bed's tests.lock (as scripts/test.sh and bench/run.sh do) so that nobody else's
 * tests run against the test bed meanwhile. About two minutes: a reset (2-25 s), six scenarios
 * of 5-30 s each, a reset.
 *
 * It resets the test bed first (every fixture back on node1@alpha) and again at the end, so it
 * leaves the test bed as it found it. Each scenario moves a different fixture (mp-sn-1 .. 4).
 * `--compare` also runs each scenario in the simulator and prints the differences.
 * Cloud: OS_CLOUD (default `testbed`) from OS_CLIENT_CONFIG_FILE.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Dispatcher } from 'undici';
import { ManilaClient } from '../lib/manila/client';
import { dispatcherFor } from '../lib/manila/dispatcher';
import { resolveCloudConfig } from '../lib/manila/config';
import { systemClock } from '../lib/util/clock';
import { arg, flag } from '../bench/lib/args';
import { runInVirtualTime } from '../bench/sim/clock';
import { compareSequences } from '../bench/sim/fidelity';
import type { ScenarioEnv } from '../bench/sim/scenarios';
import { simScenarioEnv, testbedCloud } from '../bench/sim/testbed-cloud';
import { RECORDABLE } from '../bench/sim/recordable';
import { testbedWorld } from '../bench/sim/world';

const REPO = path.resolve(__dirname, '..');
const OUT = path.join(REPO, 'test/fixtures/sequences');

function testbed(command: 'reset'): void {
  process.stderr.write(`== bash scripts/testbed/testbed.sh ${command}\n`);
  execFileSync('bash', [path.join(REPO, 'scripts/testbed/testbed.sh'), command], { stdio: ['ignore', 'inherit', 'inherit'], timeout: 600_000 });
}

async function main(): Promise<void> {
  if (!process.env.OS_CLIENT_CONFIG_FILE) {
    throw new Error('OS_CLIENT_CONFIG_FILE is not set: run `eval "$(bash scripts/testbed/testbed.sh env)"` first.');
  }
  // The runner's inter-process locks, in a directory of our own.
  process.env.MANILA_PLACEMENT_LOCK_DIR ??= fs.mkdtempSync(path.join(os.tmpdir(), 'mp-record-locks-'));
  const only = arg('--only')?.split(',');
  const specs = RECORDABLE.filter((s) => !only || only.includes(s.id));
  if (only && specs.length !== only.length) throw new Error(`unknown scenario in --only ${only.join(',')} (known: ${RECORDABLE.map((s) => s.id).join(', ')})`);
  const config = resolveCloudConfig({ cloud: process.env.OS_CLOUD ?? 'testbed' });
  const agents: Dispatcher[] = [];
  const env: ScenarioEnv = {
    clock: systemClock,
    source: `recorded from the real test bed (${config.authUrl}) by scripts/record-sequences.ts`,
    client: (o) => {
      const base = dispatcherFor(config);
      agents.push(base);
      return new ManilaClient({ config, dispatcher: o.interceptor ? base.compose(o.interceptor) : base, maxRequestRate: o.maxRequestRate });
    },
  };
  if (!flag('--no-reset')) testbed('reset');
  let failures = 0;
  try {
    fs.mkdirSync(OUT, { recursive: true });
    for (const spec of specs) {
      process.stderr.write(`== ${spec.id}: ${spec.title}\n`);
      const t0 = Date.now();
      const seq = await spec.run(env);
      const doc = { ...seq, recordedAt: new Date().toISOString() };
      const file = path.join(OUT, `${spec.id}.json`);
      fs.writeFileSync(file, JSON.stringify(doc, null, 2) + '\n');
      process.stderr.write(
        `   ${seq.outcome.phase}${seq.outcome.code ? ` ${seq.outcome.code}` : ''} in ${((Date.now() - t0) / 1000).toFixed(1)} s; S ${seq.S.length} states, D ${
          seq.D.length
        }, ${seq.exchanges.length} exchanges -> ${path.relative(REPO, file)}\n`
      );
      if (flag('--compare')) {
        const cloud = testbedCloud({ world: testbedWorld(6, 4) });
        const trace = spec.trace(cloud);
        const { value } = await runInVirtualTime(cloud.clock, () => spec.run(simScenarioEnv(cloud)), { until: cloud.clock.now() + 3_600_000 });
        await cloud.close();
        const diff = compareSequences(seq, value, trace);
        failures += diff.length ? 1 : 0;
        process.stderr.write(diff.length ? `   simulator DIFFERS:\n${diff.map((d) => `     - ${d}`).join('\n')}\n` : '   simulator matches\n');
      }
    }
  } finally {
    await Promise.all(agents.map((a) => a.close().catch(() => undefined)));
    if (!flag('--no-final-reset')) testbed('reset');
  }
  if (failures) process.exitCode = 1;
}

main().catch((e) => {
  process.stderr.write(`record-sequences: ${(e as Error).stack ?? e}\n`);
  process.exit(2);
});
