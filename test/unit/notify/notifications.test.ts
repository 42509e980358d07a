/**
 * Notifications: which runner events become one, their JSON schema, and their delivery to a
 * local HTTP receiver (127.0.0.1) and to a command, retried, never throwing.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import type { RunnerEvent } from '../../../lib/apply/events';
import { bodyOf } from '../../../lib/notify/format';
import { NOTIFICATION_SCHEMA, NotificationFilter, type Notification } from '../../../lib/notify/notification';
import { checkTargets, Notifier, type DeliveryResult } from '../../../lib/notify/notifier';

const ctx = { cloud: 'testbed', runner: { host: 'h', pid: 1, mode: 'apply' as const }, journal: '/tmp/j.jsonl' };
const move = (over: Partial<Extract<RunnerEvent, { type: 'move' }>>): RunnerEvent => ({ type: 'move', ts: '2026-12-07T00:00:00.000Z', key: 'k1', server: 'S1', from: 'a@x', to: 'b@y', phase: 'phase1', elapsed: 1, ...over });
const outage = { lastSeenAt: '2026-12-07T00:00:00.000Z', since: '2026-12-07T00:00:05.000Z', seconds: 5, failedReads: 1, error: { code: 'MP_CONNECTION', message: 'refused' }, waiting: [] };

describe('which events notify', () => {
  test('a window wait once per window, a failure once, outages, and the end with counts and the report', () => {
    const f = new NotificationFilter(ctx);
    const events: RunnerEvent[] = [
      move({ phase: 'phase1' }),
      move({ phase: 'phase1-done', waiting: 'window opens 2026-12-07T01:00:00.000Z' }),
      move({ phase: 'phase1-done', waiting: 'window opens 2026-12-07T01:00:00.000Z' }),
      { type: 'run', ts: '2026-12-07T00:01:00.000Z', phase: 'outage-begun', moves: 2, message: 'Manila cannot be read', outage },
      { type: 'run', ts: '2026-12-07T00:04:00.000Z', phase: 'outage-ended', moves: 2, message: 'Manila answers again', outage: { ...outage, endedAt: '2026-12-07T00:04:00.000Z', seconds: 180 } },
      move({ key: 'k2', server: 'S2', phase: 'blocked', code: 'MP_INCOMPATIBLE', message: 'the driver cannot', hint: 'drop nondisruptive' }),
      move({ key: 'k2', server: 'S2', phase: 'blocked', code: 'MP_INCOMPATIBLE' }),
      move({ phase: 'done' }),
      { type: 'run', ts: '2026-12-07T00:09:00.000Z', phase: 'end', moves: 2, outcome: { done: 1, blocked: 1 }, exitCode: 3 },
    ];
    const sent = events.map((e) => f.of(e)).filter((n): n is Notification => n !== undefined);
    expect(sent.map((n) => n.event)).toEqual(['waiting-for-window', 'outage-begun', 'outage-ended', 'move-failed', 'run-finished']);
    for (const n of sent) expect(n).toMatchObject({ schema: NOTIFICATION_SCHEMA, cloud: 'testbed', runner: ctx.runner, at: expect.stringMatching(/^2026-12-07T/), text: expect.any(String) });
    expect(sent[3].move).toEqual({ key: 'k2', server: 'S2', from: 'a@x', to: 'b@y', phase: 'blocked', code: 'MP_INCOMPATIBLE', message: 'the driver cannot', hint: 'drop nondisruptive' });
    expect(sent[2].outage!.seconds).toBe(180);
    expect(sent[4].run).toEqual({ moves: 2, outcome: { done: 1, blocked: 1 }, exitCode: 3, journal: '/tmp/j.jsonl', report: 'manila-placement report --journal /tmp/j.jsonl' });
    expect(sent[4].text).toBe('run finished on testbed: 2 moves (1 done, 1 blocked), exit 3; report: manila-placement report --journal /tmp/j.jsonl');
  });

  test('slack and teams bodies are a single text for an incoming webhook', () => {
    const n = new NotificationFilter(ctx).of(move({ phase: 'failed', code: 'MP_MIGRATION_ERROR', message: 'phase 1 failed' }))!;
    expect(JSON.parse(bodyOf(n, 'slack'))).toEqual({ text: ':x: *manila-placement* move-failed: S1 (a@x → b@y) failed [MP_MIGRATION_ERROR]: phase 1 failed' });
    expect(Object.keys(JSON.parse(bodyOf(n, 'teams')))).toEqual(['text']);
  });

  test('bad targets are refused before anything is sent', () => {
    expect(() => checkTargets({ urls: ['not a url'] })).toThrow(/--notify 'not a url' is not a URL/);
    expect(() => checkTargets({ urls: ['ftp://127.0.0.1/x'] })).toThrow(/is not http or https/);
    expect(() => checkTargets({ commands: ['  '] })).toThrow(/--notify-command is empty/);
  });
});

describe('delivery', () => {
  let server: http.Server;
  let url: string;
  const got: Array<{ path: string; body: string }> = [];
  let failFirst = 0;
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        if (failFirst > 0) {
          failFirst--;
          res.writeHead(503).end();
        } else {
          got.push({ path: req.url ?? '', body });
          res.writeHead(200).end('ok');
        }
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook/SECRET-PART`;
  });
  afterAll(() => new Promise((r) => server.close(r)));

  const n = new NotificationFilter(ctx).of({ type: 'run', ts: '2026-12-07T00:09:00.000Z', phase: 'end', moves: 1, outcome: { done: 1 }, exitCode: 0 })!;

  test('a webhook that answers 503 twice gets it on the third attempt; the result names the origin only', async () => {
    got.length = 0;
    failFirst = 2;
    const results: DeliveryResult[] = [];
    const notifier = new Notifier({ urls: [url] }, { baseDelayMs: 10, onResult: (r) => results.push(r) });
    notifier.send(n);
    await notifier.flush(5_000);
    expect(got).toHaveLength(1);
    expect(JSON.parse(got[0].body)).toEqual(JSON.parse(JSON.stringify(n)));
    expect(results).toEqual([{ event: 'run-finished', target: new URL(url).origin, ok: true, attempts: 3, status: 200 }]);
  });

  test('a dead webhook is given up after the attempts, without throwing, within the flush bound', async () => {
    const results: DeliveryResult[] = [];
    const dead = new Notifier({ urls: ['http://127.0.0.1:9/nothing'] }, { baseDelayMs: 10, attempts: 2, onResult: (r) => results.push(r) });
    dead.send(n);
    await dead.flush(5_000);
    expect(results).toMatchObject([{ ok: false, attempts: 2, target: 'http://127.0.0.1:9' }]);
  });

  test('a command gets the JSON on stdin, without the credentials in its environment', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mp-notify-'));
    const out = path.join(dir, 'got.json');
    process.env.OS_PASSWORD = 'pw-do-not-pass';
    try {
      const results: DeliveryResult[] = [];
      const notifier = new Notifier({ commands: [`cat > ${out}; env > ${out}.env`] }, { onResult: (r) => results.push(r) });
      notifier.send(n);
      await notifier.flush(5_000);
      expect(results).toMatchObject([{ ok: true, target: 'command', status: 0 }]);
      expect(JSON.parse(fs.readFileSync(out, 'utf8'))).toMatchObject({ schema: NOTIFICATION_SCHEMA, event: 'run-finished' });
      expect(fs.readFileSync(`${out}.env`, 'utf8')).not.toContain('pw-do-not-pass');
    } finally {
      delete process.env.OS_PASSWORD;
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
