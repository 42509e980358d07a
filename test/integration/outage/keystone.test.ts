/**
 * Keystone stopped for 3 minutes during phase 1, on the real test bed: the run's tokens live 20 s
 * (the `testbed-short` cloud, whose Keystone is the one stopped), so they expire during the
 * outage, Manila answers 401, and a new token cannot be had until Keystone is back. The run
 * rides it out, logs in again, and ends 0 with exactly one start and one complete.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { RunEvent, RunnerEvent } from '../../../lib/apply/events';
import { EXIT } from '../../../lib/apply/result';
import { applyPlan } from '../../../lib/apply/runner';
import { ManilaClient } from '../../../lib/manila/client';
import { resolveCloudConfig } from '../../../lib/manila/config';
import { plan } from '../../../lib/plan/plan';
import type { MigrateEntry } from '../../../lib/plan/types';
import { takeSnapshot } from '../../../lib/snapshot/refresh';
import { addFigure } from '../../helper/figures';
import { RecordingProxy } from '../../helper/proxy';
import { clientFor, manilaUrl, resetTestbed, serverOfNetwork, testbed, TESTBED_SH } from '../../helper/testbed';

jest.setTimeout(900_000);

const run = promisify(execFile);
const DOWN_SECONDS = 180;

beforeAll(() => {
  resetTestbed();
});

test('Keystone down for 3 min during phase 1, tokens expiring meanwhile: the run logs in again when it is back and ends 0 with 1 start and 1 complete', async () => {
  const proxy = await new RecordingProxy(manilaUrl()).start();
  const config = resolveCloudConfig({ cloud: 'testbed-short', endpointOverride: `${proxy.url}/v2` }, { env: { OS_CLIENT_CONFIG_FILE: testbed().clouds_yaml } });
  const client = new ManilaClient({ config, timeoutMs: 30_000 });
  try {
    const snap = await takeSnapshot(client);
    const p = plan([{ kind: 'placement' as const, path: 'outage/mp-sn-3', select: { shareNetwork: 'mp-sn-3' }, host: 'node1@beta', flags: { writable: false, nondisruptive: false, preserveSnapshots: false }, completion: 'auto' as const }], snap);
    const events: RunnerEvent[] = [];
    let outage: Promise<unknown> | undefined;
    const issuedBefore = { n: 0 };
    const r = await applyPlan(p, client, {
      pollIntervalMs: 1_000,
      maxPollIntervalMs: 20_000,
      onEvent: (e) => {
        events.push(e);
        if (!outage && e.type === 'move' && e.phase === 'phase1') {
          issuedBefore.n = client.tokensIssued;
          outage = run('bash', [TESTBED_SH, 'restart', 'keystone-short', '--down', String(DOWN_SECONDS)], { timeout: 600_000 });
        }
      },
    });
    await outage;
    expect(r.exitCode).toBe(EXIT.OK);
    expect(r.results.map((x) => x.phase)).toEqual(['done']);
    // The token in use expired while Keystone was down: the run saw the outage and logged in after it.
    const ended = events.filter((e): e is RunEvent => e.type === 'run' && e.phase === 'outage-ended');
    expect(ended.length).toBeGreaterThanOrEqual(1);
    expect(Math.max(...ended.map((e) => e.outage!.seconds))).toBeGreaterThanOrEqual(DOWN_SECONDS - 30);
    expect(client.tokensIssued).toBeGreaterThan(issuedBefore.n);
    addFigure('Keystone outage ridden out (s)', Math.max(...ended.map((e) => e.outage!.seconds)));
    const admin = clientFor();
    expect((await serverOfNetwork(admin, 'mp-sn-3')).host).toBe('node1@beta');
    await admin.close();
    const id = (p.entries[0] as MigrateEntry).server.id;
    expect(proxy.actionCount('migration_start', id)).toBe(1);
    expect(proxy.actionCount('migration_complete', id)).toBe(1);
  } finally {
    await client.close();
    await proxy.stop();
  }
});
