/**
 * Notifications from a real apply on the real Manila, received by a local HTTP receiver and by a
 * command: one per event (a move blocked by Manila's check, a switchover waiting for its window,
 * the run's end), with the schema checked and no secret in any body.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { jsonLines, makeApp, runCli } from '../helper/cli';
import { clientFor, resetTestbed, serverOfNetwork, testbedSecrets, waitFor } from '../helper/testbed';

jest.setTimeout(420_000);

const admin = clientFor('testbed', { maxRequestRate: Infinity });
afterAll(() => admin.close());

test('apply --notify and --notify-command: a blocked move, a wait for the window and the end, one notification each, in the documented schema', async () => {
  resetTestbed();
  const got: Array<{ path: string; type?: string; body: Record<string, unknown> }> = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      got.push({ path: req.url ?? '', type: req.headers['content-type'], body: JSON.parse(body) as Record<string, unknown> });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/T000/B000/XXXX`;
  // A window that opens on New Year's Day: phase 1 ends, the switchover waits.
  const dir = makeApp(
    'notify',
    `new ShareServerPlacement(stack, 'blocked', { shareNetwork: 'mp-sn-6', host: 'node1@beta', nondisruptive: true });
new ShareServerPlacement(stack, 'windowed', { shareNetwork: 'mp-sn-5', host: 'node1@gamma', completion: { window: { cron: '0 0 1 1 *', durationMinutes: 10, timezone: 'UTC' } } });`,
  );
  const fromCommand = path.join(dir, 'notifications.jsonl');
  try {
    const r = await runCli(['apply', '--auto-approve', '--json', '--poll-interval', '1', '--no-wait-for-window', '--notify', url, '--notify-command', `(cat; echo) >> ${fromCommand}`], { cwd: dir });
    const summary = jsonLines(r.stdout).find((l) => l.type === 'summary') as { results: Array<{ key: string; phase: string; code?: string }>; exitCode: number };
    expect(summary.results.map((x) => x.phase).sort()).toEqual(['awaiting-window', 'blocked']);
    expect(r.code).toBe(4);

    const events = got.map((g) => g.body.event);
    expect(events.sort()).toEqual(['move-failed', 'run-finished', 'waiting-for-window']);
    for (const g of got) {
      expect(g.path).toBe('/hooks/T000/B000/XXXX');
      expect(g.type).toBe('application/json');
      expect(g.body).toMatchObject({ schema: 'manila-placement/notification/v1', at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/), cloud: 'testbed', runner: { host: expect.any(String), pid: expect.any(Number), mode: 'apply' }, text: expect.any(String) });
    }
    const failed = got.find((g) => g.body.event === 'move-failed')!.body;
    expect(failed.move).toMatchObject({ phase: 'blocked', code: 'MP_INCOMPATIBLE', from: 'node1@alpha', to: 'node1@beta', hint: expect.any(String) });
    const waiting = got.find((g) => g.body.event === 'waiting-for-window')!.body;
    expect(waiting.move).toMatchObject({ to: 'node1@gamma' });
    expect(String(waiting.text)).toMatch(/the switchover waits/);
    const end = got.find((g) => g.body.event === 'run-finished')!.body;
    expect(end.run).toMatchObject({ moves: 2, outcome: { blocked: 1, 'awaiting-window': 1 }, exitCode: 4, journal: expect.stringMatching(/journal\.jsonl$/), report: expect.stringMatching(/^manila-placement report --journal /) });

    // The command got the same notifications, as JSON lines.
    const lines = fs.readFileSync(fromCommand, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => l.event).sort()).toEqual(['move-failed', 'run-finished', 'waiting-for-window']);
    // Each delivery is journalled, by the URL's origin only.
    const journal = fs.readFileSync(path.join(dir, '.manila-placement', 'journal.jsonl'), 'utf8');
    const deliveries = jsonLines(journal).filter((l) => l.type === 'notify');
    expect(deliveries).toHaveLength(6);
    expect(deliveries.every((d) => d.ok === true)).toBe(true);
    expect(journal).not.toContain('XXXX');
    const all = JSON.stringify(got) + fs.readFileSync(fromCommand, 'utf8');
    for (const s of testbedSecrets()) expect(all).not.toContain(s);
  } finally {
    await new Promise((res) => server.close(res));
    // The windowed move waits at phase 1 done: cancel it, so the test bed is left with nothing in flight.
    const s = await serverOfNetwork(admin, 'mp-sn-5');
    if (s.taskState === 'migration_driver_phase1_done') {
      await admin.migrationCancel(s.id);
      await waitFor('the cancel of mp-sn-5', async () => ((await serverOfNetwork(admin, 'mp-sn-5')).status === 'active' ? true : undefined), 180_000, 2_000);
    }
  }
});
