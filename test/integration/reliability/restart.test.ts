/**
 * Service restarts in the middle of a run: manila-api (reads are retried) and manila-share (the
 * migration goes on from Manila's database). The run survives or exits resumable, and a rerun
 * converges with one migration_start per server.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { applyPlan } from '../../../lib/apply/runner';
import { ManilaClient } from '../../../lib/manila/client';
import { resolveCloudConfig } from '../../../lib/manila/config';
import { plan } from '../../../lib/plan/plan';
import { takeSnapshot } from '../../../lib/snapshot/refresh';
import { addFigure } from '../../helper/figures';
import { RecordingProxy } from '../../helper/proxy';
import { clientFor, manilaUrl, resetTestbed, serverOfNetwork, testbed, TESTBED_SH } from '../../helper/testbed';

jest.setTimeout(420_000);

const run = promisify(execFile);

beforeAll(() => {
  resetTestbed();
});

test.each([
  ['manila-api', ['mp-sn-1', 'mp-sn-2'], 'node1@beta'],
  ['manila-share', ['mp-sn-3', 'mp-sn-4'], 'node1@gamma'],
])('restarting %s during phase 1: the run survives or is resumable, and converges', async (service, nets, target) => {
  const proxy = await new RecordingProxy(manilaUrl()).start();
  const config = resolveCloudConfig({ cloud: 'testbed', endpointOverride: `${proxy.url}/v2` }, { env: { OS_CLIENT_CONFIG_FILE: testbed().clouds_yaml } });
  const client = new ManilaClient({ config, timeoutMs: 30_000 });
  try {
    const snap = await takeSnapshot(client);
    const p = plan(
      nets.map((net) => ({ kind: 'placement' as const, path: `restart/${net}`, select: { shareNetwork: net }, host: target, flags: { writable: false, nondisruptive: false, preserveSnapshots: false }, completion: 'auto' as const })),
      snap,
    );
    let restart: Promise<unknown> | undefined;
    // The restart comes once every server is in the driver's phase 1: killing manila-share while
    // it still runs a migration_start leaves that server in migration_in_progress for good (Manila
    // resumes only migration_driver_in_progress from its database), which is doctor's case.
    const inPhase1 = new Set<string>();
    const first = await applyPlan(p, client, {
      parallel: 2,
      pollIntervalMs: 500,
      onEvent: (e) => {
        if (e.type === 'move' && e.phase === 'phase1' && e.taskState === 'migration_driver_in_progress') inPhase1.add(e.server);
        if (!restart && inPhase1.size === nets.length) {
          restart = run('bash', [TESTBED_SH, 'restart', service], { timeout: 120_000 });
        }
      },
    });
    await restart;
    addFigure(`restarts of ${service}`);
    let results = first.results;
    if (!results.every((r) => r.phase === 'done')) {
      for (const r of results) expect(r.hint ?? '').toMatch(/apply again|run apply/i);
      results = (await applyPlan(p, client, { parallel: 2, pollIntervalMs: 500 })).results;
    } else {
      addFigure('restarts survived without a rerun');
    }
    expect(results.map((r) => r.phase)).toEqual(['done', 'done']);
    const admin = clientFor();
    for (const net of nets) expect((await serverOfNetwork(admin, net)).host).toBe(target);
    await admin.close();
    for (const e of p.entries) expect(proxy.actionCount('migration_start', (e as { server: { id: string } }).server.id)).toBe(1);
  } finally {
    await client.close();
    await proxy.stop();
  }
});
