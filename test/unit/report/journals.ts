import * as fs from 'node:fs';
import * as path from 'node:path';
import type { MoveEvent, RunEvent } from '../../../lib/apply/events';

/** The real journal of a run with one failed and one finished move. */
export const FIXTURE = path.join(__dirname, '..', '..', 'fixtures', 'journals', 'faulty-and-readonly.jsonl');
export const fixtureText = (): string => fs.readFileSync(FIXTURE, 'utf8');

/** Keys and servers of the fixture. */
export const FAULTY = { key: 'faulty_to-faulty--710bd90c-7a84-460a-b9cf-e1dc8f9d2885', server: '710bd90c-7a84-460a-b9cf-e1dc8f9d2885' };
export const READONLY = { key: 'faulty_to-readonly--937f5ec4-503e-494c-a291-20e79342be58', server: '937f5ec4-503e-494c-a291-20e79342be58', newServer: '875689cd-0874-45b3-b369-dc4c8c4b8e94' };

/** Builds journal lines as Journal.write does: `ts`, `pid`, then the record. */
export class JournalBuilder {
  private readonly lines: string[] = [];
  private pid = 100;

  /** Following lines are written by process `pid`. */
  public process(pid: number): this {
    this.pid = pid;
    return this;
  }

  public raw(record: Record<string, unknown>): this {
    this.lines.push(JSON.stringify({ pid: this.pid, ...record }));
    return this;
  }

  public http(
    ts: string,
    operation: string,
    o: { move?: string; method?: string; path?: string; status?: number; error?: string; requestId?: string; attempt?: number } = {},
  ): this {
    const { method = 'GET', path: p = '/v2/share-servers', attempt = 1, ...rest } = o;
    return this.raw({ ts, type: 'http', operation, method, path: p, ...rest, attempt, durationMs: 40 });
  }

  public run(ts: string, phase: RunEvent['phase'], extra: Partial<RunEvent> = {}): this {
    return this.raw({ ts, type: 'event', event: { type: 'run', ts, phase, moves: 2, ...extra } });
  }

  public move(ts: string, m: { key: string; server: string; from?: string; to?: string }, phase: MoveEvent['phase'], extra: Partial<MoveEvent> = {}): this {
    return this.raw({ ts, type: 'event', event: { type: 'move', ts, key: m.key, server: m.server, from: m.from ?? 'node1@alpha', to: m.to ?? 'node1@beta', elapsed: 0, phase, ...extra } });
  }

  public text(): string {
    return this.lines.join('\n') + '\n';
  }
}

/** A move whose switchover waits for a window, across two `apply --no-wait` passes. */
export const WIN = { key: 'app/win--aaaaaaaa-0000-4000-8000-000000000001', server: 'aaaaaaaa-0000-4000-8000-000000000001', newServer: 'bbbbbbbb-0000-4000-8000-000000000002' };
/** A move done within the first pass. */
export const QUICK = { key: 'app/quick--cccccccc-0000-4000-8000-000000000003', server: 'cccccccc-0000-4000-8000-000000000003', newServer: 'dddddddd-0000-4000-8000-000000000004' };

/** The window opens at 12:00; pass 1 runs at 10:00, pass 2 at 12:00, then a pass finds nothing to do. */
export function twoRunJournal(): string {
  const waiting = 'window opens 2026-12-01T12:00:00.000Z';
  return (
    new JournalBuilder()
      .process(100)
      .http('2026-12-01T10:00:00.000Z', 'Keystone authentication', { method: 'POST', path: '/v3/auth/tokens', status: 201, requestId: 'req-auth-1' })
      .http('2026-12-01T10:00:01.000Z', 'list share servers', { status: 200, requestId: 'req-list-1' })
      .run('2026-12-01T10:00:02.000Z', 'start')
      .move('2026-12-01T10:00:02.000Z', WIN, 'queued')
      .move('2026-12-01T10:00:02.000Z', QUICK, 'queued')
      .move('2026-12-01T10:00:03.000Z', WIN, 'checking')
      .move('2026-12-01T10:00:03.000Z', QUICK, 'checking')
      .http('2026-12-01T10:00:03.500Z', `migration_check on share server ${WIN.server}`, { move: WIN.key, method: 'POST', status: 200, requestId: 'req-check-w' })
      .http('2026-12-01T10:00:03.600Z', `migration_check on share server ${QUICK.server}`, { move: QUICK.key, method: 'POST', status: 200, requestId: 'req-check-q' })
      .move('2026-12-01T10:00:04.000Z', WIN, 'starting')
      .move('2026-12-01T10:00:04.000Z', QUICK, 'starting')
      .move('2026-12-01T10:00:06.000Z', WIN, 'phase1', { taskState: 'migration_in_progress' })
      .move('2026-12-01T10:00:06.000Z', QUICK, 'phase1', { taskState: 'migration_in_progress' })
      .http('2026-12-01T10:00:10.000Z', `get share server ${WIN.server}`, { move: WIN.key, status: 200, requestId: 'req-get-w1' })
      .move('2026-12-01T10:00:10.000Z', WIN, 'phase1', { progress: 50 })
      .move('2026-12-01T10:00:20.000Z', QUICK, 'completing')
      .move('2026-12-01T10:00:25.000Z', QUICK, 'verifying', { newServerId: QUICK.newServer })
      .move('2026-12-01T10:00:26.000Z', QUICK, 'done', { newServerId: QUICK.newServer, message: `${QUICK.server} → ${QUICK.newServer}: verified` })
      .http('2026-12-01T10:00:30.000Z', `get share server ${WIN.server}`, { move: WIN.key, status: 200, requestId: 'req-get-w2' })
      .move('2026-12-01T10:00:30.000Z', WIN, 'awaiting-window', {
        waiting,
        message: `phase 1 of ${WIN.server} is done; the switchover waits for the next maintenance window, which opens 2026-12-01T12:00:00.000Z`,
      })
      .run('2026-12-01T10:00:30.000Z', 'end', { outcome: { done: 1, 'awaiting-window': 1 }, exitCode: 4 })
      // Pass 2: a new process, inside the window.
      .process(200)
      .http('2026-12-01T12:00:05.000Z', 'Keystone authentication', { method: 'POST', path: '/v3/auth/tokens', status: 201, requestId: 'req-auth-2' })
      .http('2026-12-01T12:00:06.000Z', 'list share servers', { error: 'MP_TIMEOUT' })
      .http('2026-12-01T12:00:07.000Z', 'list share servers', { status: 200, attempt: 2, requestId: 'req-list-2' })
      .run('2026-12-01T12:00:08.000Z', 'start', { moves: 1 })
      .http('2026-12-01T12:00:08.500Z', `get share server ${WIN.server}`, { move: WIN.key, status: 503, requestId: 'req-get-503' })
      .http('2026-12-01T12:00:09.000Z', `get share server ${WIN.server}`, { move: WIN.key, status: 200, attempt: 2, requestId: 'req-get-w3' })
      .http('2026-12-01T12:00:09.500Z', `migration_complete on share server ${WIN.server}`, { move: WIN.key, method: 'POST', status: 200, requestId: 'req-complete' })
      .move('2026-12-01T12:00:09.500Z', WIN, 'completing')
      .move('2026-12-01T12:00:40.000Z', WIN, 'verifying', { newServerId: WIN.newServer })
      .move('2026-12-01T12:00:41.000Z', WIN, 'done', { newServerId: WIN.newServer, message: `${WIN.server} → ${WIN.newServer}: verified` })
      .run('2026-12-01T12:00:41.000Z', 'end', { moves: 1, outcome: { done: 1 }, exitCode: 0 })
      // Pass 3: everything in place.
      .process(300)
      .http('2026-12-01T12:30:00.000Z', 'list share servers', { status: 200, requestId: 'req-list-3' })
      .raw({ ts: '2026-12-01T12:30:01.000Z', type: 'run', phase: 'end', moves: 0, exitCode: 0 })
      .text()
  );
}

/** Moves of `fourOutcomesJournal`: one ends blocked, one failed, one cancelled, one done. */
export const BLOCKED = { key: 'app/blocked--eeeeeeee-0000-4000-8000-000000000005', server: 'eeeeeeee-0000-4000-8000-000000000005', to: 'node2@incompatible' };
export const FAILED = { key: 'app/failed--ffffffff-0000-4000-8000-000000000006', server: 'ffffffff-0000-4000-8000-000000000006' };
export const CANCELLED = { key: 'app/cancelled--99999999-0000-4000-8000-000000000007', server: '99999999-0000-4000-8000-000000000007' };
export const DONE = { key: 'app/done--88888888-0000-4000-8000-000000000008', server: '88888888-0000-4000-8000-000000000008', newServer: '77777777-0000-4000-8000-000000000009' };

/** One run of four moves: migration_check refuses one (MP_INCOMPATIBLE), one fails in phase 1, one is cancelled on its deadline, one is done. */
export function fourOutcomesJournal(): string {
  return new JournalBuilder()
    .process(400)
    .run('2026-12-01T10:00:00.000Z', 'start', { moves: 4 })
    .move('2026-12-01T10:00:01.000Z', BLOCKED, 'checking')
    .move('2026-12-01T10:00:01.000Z', FAILED, 'checking')
    .move('2026-12-01T10:00:01.000Z', CANCELLED, 'checking')
    .move('2026-12-01T10:00:01.000Z', DONE, 'checking')
    .http('2026-12-01T10:00:01.500Z', `migration_check on share server ${BLOCKED.server}`, { move: BLOCKED.key, method: 'POST', status: 200 })
    .move('2026-12-01T10:00:02.000Z', BLOCKED, 'blocked', {
      code: 'MP_INCOMPATIBLE',
      message: `migration_check: ${BLOCKED.server} cannot move to ${BLOCKED.to}`,
      hint: 'Pick a destination of the same driver.',
      check: { requested: { writable: true }, supported: { writable: false } },
    })
    .move('2026-12-01T10:00:03.000Z', FAILED, 'phase1')
    .move('2026-12-01T10:00:03.000Z', CANCELLED, 'phase1')
    .move('2026-12-01T10:00:03.000Z', DONE, 'phase1')
    .move('2026-12-01T10:00:10.000Z', FAILED, 'failed', { code: 'MP_MIGRATION_ERROR', message: `Manila reports migration_error for ${FAILED.server}`, hint: 'See manila-share.log.' })
    .move('2026-12-01T10:00:20.000Z', DONE, 'completing')
    .move('2026-12-01T10:00:25.000Z', DONE, 'verifying', { newServerId: DONE.newServer })
    .move('2026-12-01T10:00:26.000Z', DONE, 'done', { newServerId: DONE.newServer })
    .move('2026-12-01T10:01:00.000Z', CANCELLED, 'cancelling')
    .move('2026-12-01T10:01:05.000Z', CANCELLED, 'cancelled', { code: 'MP_DEADLINE', message: `phase 1 of ${CANCELLED.server} not done after 60 s: cancel sent`, hint: 'Apply again to retry the move.' })
    .run('2026-12-01T10:01:05.000Z', 'end', { moves: 4, outcome: { blocked: 1, failed: 1, done: 1, cancelled: 1 }, exitCode: 3 })
    .text();
}
