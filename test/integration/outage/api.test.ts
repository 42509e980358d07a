/**
 * manila-api stopped for 3 minutes (longer than the transport's retries, 4 attempts over a few
 * seconds) during phase 1, on the real Manila: a long-lived apply rides it out and ends 0 with
 * exactly one start and one complete. A second apply beside it, with `--outage-limit` 1 min,
 * stops with exit 5 during the same outage, and its rerun converges.
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

const decl = (net: string, host: string) => ({ kind: 'placement' as const, path: `outage/${net}`, select: { shareNetwork: net }, host, flags: { writable: false, nondisruptive: false, preserveSnapshots: false }, completion: 'auto' as const });

test('manila-api down for 3 min during phase 1: the run rides it out (exit 0, 1 start, 1 complete); beside it, --outage-limit 1m stops with exit 5 and a rerun converges', async () => {
  const proxy = await new RecordingProxy(manilaUrl()).start();
  const config = resolveCloudConfig({ cloud: 'testbed', endpointOverride: `${proxy.url}/v2` }, { env: { OS_CLIENT_CONFIG_FILE: testbed().clouds_yaml } });
  const rider = new ManilaClient({ config, timeoutMs: 30_000 });
  const stopper = new ManilaClient({ config, timeoutMs: 30_000 });
  try {
    const snap = await takeSnapshot(rider);
    const long = plan([decl('mp-sn-1', 'node1@beta')], snap);
    const limited = plan([decl('mp-sn-2', 'node1@gamma')], snap);
    const events: RunnerEvent[] = [];
    let outage: Promise<unknown> | undefined;
    let downAt = 0;
    // The outage begins only once both runs are in phase 1: begun at the first one's phase 1, it
    // could catch the other between its check and its start (a slow machine showed that race).
    const inPhase1 = new Set<string>();
    const startOutage = (who: string, e: RunnerEvent): void => {
      if (e.type === 'move' && e.phase === 'phase1') inPhase1.add(who);
      if (!outage && inPhase1.size === 2) {
        downAt = Date.now();
        outage = run('bash', [TESTBED_SH, 'restart', 'manila-api', '--down', String(DOWN_SECONDS)], { timeout: 600_000 });
      }
    };
    // Both start their migration first (one after the other under the cloud lock); the outage begins in phase 1.
    const [a, b] = await Promise.all([
      applyPlan(long, rider, { parallel: 2, pollIntervalMs: 1_000, maxPollIntervalMs: 20_000, onEvent: (e) => { events.push(e); startOutage('long', e); } }),
      applyPlan(limited, stopper, { parallel: 2, pollIntervalMs: 1_000, maxPollIntervalMs: 20_000, outageLimitMs: 60_000, onEvent: (e) => startOutage('limited', e) }),
    ]);
    await outage;
    const downFor = (Date.now() - downAt) / 1000;
    expect(downFor).toBeGreaterThanOrEqual(DOWN_SECONDS);

    expect(a.exitCode).toBe(EXIT.OK);
    expect(a.results.map((r) => r.phase)).toEqual(['done']);
    const ended = events.filter((e): e is RunEvent => e.type === 'run' && e.phase === 'outage-ended');
    expect(ended).toHaveLength(1);
    expect(ended[0].outage!.seconds).toBeGreaterThanOrEqual(DOWN_SECONDS - 5);
    expect(ended[0].outage!.waiting).toEqual([expect.objectContaining({ phase: expect.stringMatching(/phase1/) })]);
    addFigure('manila-api outage ridden out (s)', ended[0].outage!.seconds);

    expect(b.exitCode).toBe(EXIT.OUTAGE);
    expect(b.results[0]).toMatchObject({ phase: 'detached', code: 'MP_OUTAGE', hint: expect.stringMatching(/Run apply again/) });
    const again = await applyPlan(limited, stopper, { parallel: 2, pollIntervalMs: 1_000 });
    expect(again.exitCode).toBe(EXIT.OK);

    const admin = clientFor();
    expect((await serverOfNetwork(admin, 'mp-sn-1')).host).toBe('node1@beta');
    expect((await serverOfNetwork(admin, 'mp-sn-2')).host).toBe('node1@gamma');
    await admin.close();
    for (const p of [long, limited]) {
      const id = (p.entries[0] as MigrateEntry).server.id;
      expect(proxy.actionCount('migration_start', id)).toBe(1);
      expect(proxy.actionCount('migration_complete', id)).toBe(1);
    }
  } finally {
    await rider.close();
    await stopper.close();
    await proxy.stop();
  }
});
