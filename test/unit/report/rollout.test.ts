import { parseJournal } from '../../../lib/report/journal-read';
import { buildRollout, type MoveView, type Rollout, type Segment } from '../../../lib/report/rollout';
import { BLOCKED, CANCELLED, DONE, FAILED, FAULTY, fixtureText, fourOutcomesJournal, JournalBuilder, QUICK, READONLY, twoRunJournal, WIN } from './journals';

const rollout = (text: string): Rollout => buildRollout(parseJournal(text, 'j.jsonl'), 'j.jsonl');
const move = (r: Rollout, key: string): MoveView => {
  const m = r.moves.find((x) => x.key === key);
  if (!m) throw new Error(`no move ${key}`);
  return m;
};
const t = (iso: string): number => Date.parse(iso);
/** Segments as `kind phases run watched from to` lines (times as HH:MM:SS.mmm), easy to read in a diff. */
const lines = (segs: readonly Segment[]): string[] =>
  segs.map((s) => `${s.kind} ${s.phases.join(',')} run=${s.run ?? '-'} ${s.watched ? 'watched' : 'unwatched'} ${new Date(s.from).toISOString().slice(11, 23)} ${new Date(s.to).toISOString().slice(11, 23)}`);

describe('buildRollout from the fixture journal (one failed, one finished move)', () => {
  const r = rollout(fixtureText());

  it('GIVEN the fixture WHEN modelled THEN one run of pid 4489 from its first planning call to its end record', () => {
    expect(r.runs).toHaveLength(1);
    expect(r.runs[0]).toMatchObject({
      index: 1,
      pid: 4489,
      from: t('2026-12-01T09:24:51.842Z'),
      startedAt: t('2026-12-01T09:24:54.115Z'),
      to: t('2026-12-01T09:25:12.458Z'),
      ended: true,
      moves: 2,
      exitCode: 3,
      outcome: { failed: 1, done: 1 },
      calls: 42,
      errors: 0,
    });
    expect(r.passes).toEqual([]);
    expect(r.from).toBe(t('2026-12-01T09:24:51.842Z'));
    expect(r.to).toBe(t('2026-12-01T09:25:12.458Z'));
  });

  it('GIVEN the fixture WHEN modelled THEN two moves: the faulty one failed with MP_MIGRATION_ERROR and its hint, no new server', () => {
    expect(r.moves.map((m) => m.key)).toEqual([FAULTY.key, READONLY.key]);
    const m = move(r, FAULTY.key);
    expect(m.server).toBe(FAULTY.server);
    expect(m.newServerId).toBeUndefined();
    expect(m.destinationId).toBe('400bdfed-a244-4c62-8a24-7d26539a178b');
    expect(m).toMatchObject({ from: 'node1@alpha', to: 'node1@faulty', runs: [1] });
    expect(m.final).toMatchObject({ phase: 'failed', outcome: 'failed', code: 'MP_MIGRATION_ERROR', run: 1, at: t('2026-12-01T09:25:02.612Z') });
    expect(m.final.message).toBe('Manila reports migration_error for 710bd90c-7a84-460a-b9cf-e1dc8f9d2885 after the start was accepted');
    expect(m.final.hint).toMatch(/^Manila reports migration_error for 710bd90c.*openstack share server delete 400bdfed-a244-4c62-8a24-7d26539a178b\.$/);
  });

  it('GIVEN the fixture WHEN modelled THEN the readonly move is done, from the old server to the new one', () => {
    const m = move(r, READONLY.key);
    expect(m.server).toBe(READONLY.server);
    expect(m.newServerId).toBe(READONLY.newServer);
    expect(m.final).toMatchObject({ phase: 'done', outcome: 'done' });
    expect(m.final.code).toBeUndefined();
    expect(m.final.hint).toBeUndefined();
    expect(r.totals).toMatchObject({
      moves: 2,
      runs: 1,
      calls: 42,
      errors: 0,
      phases: { failed: 1, done: 1 },
      outcomes: { blocked: 0, failed: 1, cancelled: 0, waiting: 0, unfinished: 0, done: 1 },
    });
  });

  it('GIVEN the fixture WHEN modelled THEN API calls are counted per move by their move field, the rest outside any move', () => {
    const faulty = move(r, FAULTY.key);
    const readonly = move(r, READONLY.key);
    expect(faulty.calls).toHaveLength(4);
    expect(readonly.calls).toHaveLength(18);
    expect(r.runCalls).toHaveLength(20);
    expect(faulty.calls.length + readonly.calls.length + r.runCalls.length).toBe(r.totals.calls);
    expect(faulty.operations).toEqual([
      { method: 'POST', operation: `migration_check on share server ${FAULTY.server}`, count: 1, errors: 0 },
      { method: 'GET', operation: `get share server ${FAULTY.server}`, count: 3, errors: 0 },
    ]);
    expect(readonly.operations.find((o) => o.operation.startsWith('migration_complete'))).toMatchObject({ method: 'POST', count: 1 });
    expect(faulty.errors).toEqual([]);
    expect(readonly.calls.every((c) => c.run === 1 && c.move === READONLY.key)).toBe(true);
    // The journal records migration_start without a move field: it stays outside any move.
    expect(r.runCalls.filter((c) => c.operation.startsWith('migration_start'))).toHaveLength(2);
  });

  it('GIVEN the fixture WHEN modelled THEN each move has its stages in order, contiguous, progress reports merged', () => {
    expect(lines(move(r, FAULTY.key).segments)).toEqual([
      'queued queued run=1 watched 09:24:54.115 09:24:54.310',
      'check checking,starting run=1 watched 09:24:54.310 09:24:57.883',
      'phase1 phase1 run=1 watched 09:24:57.883 09:25:02.612',
      'final failed run=1 watched 09:25:02.612 09:25:02.612',
    ]);
    expect(lines(move(r, READONLY.key).segments)).toEqual([
      'queued queued run=1 watched 09:24:54.115 09:24:54.311',
      'check checking,starting run=1 watched 09:24:54.311 09:24:57.883',
      'phase1 phase1 run=1 watched 09:24:57.883 09:25:08.836',
      'completing completing run=1 watched 09:25:08.836 09:25:12.242',
      'verifying verifying run=1 watched 09:25:12.242 09:25:12.458',
      'final done run=1 watched 09:25:12.458 09:25:12.458',
    ]);
    for (const m of r.moves) {
      for (let i = 1; i < m.segments.length; i++) expect(m.segments[i].from).toBe(m.segments[i - 1].to);
    }
  });
});

describe('buildRollout from two --no-wait passes with a maintenance window between them', () => {
  const r = rollout(twoRunJournal());

  it('GIVEN two runs and a pass with nothing to apply WHEN modelled THEN two runs (planning included) and one idle pass', () => {
    expect(r.runs.map((x) => [x.index, x.pid, new Date(x.from).toISOString(), new Date(x.to).toISOString(), x.exitCode, x.ended])).toEqual([
      [1, 100, '2026-12-01T10:00:00.000Z', '2026-12-01T10:00:30.000Z', 4, true],
      [2, 200, '2026-12-01T12:00:05.000Z', '2026-12-01T12:00:41.000Z', 0, true],
    ]);
    expect(r.passes).toEqual([expect.objectContaining({ kind: 'idle', pid: 300, exitCode: 0, calls: 1, errors: 0, from: t('2026-12-01T12:30:00.000Z'), to: t('2026-12-01T12:30:01.000Z') })]);
    expect(r.totals.runs).toBe(2);
  });

  it('GIVEN the windowed move WHEN modelled THEN it appears in both runs, waits for the window between them, then completes', () => {
    const m = move(r, WIN.key);
    expect(m.runs).toEqual([1, 2]);
    expect(lines(m.segments)).toEqual([
      'queued queued run=1 watched 10:00:02.000 10:00:03.000',
      'check checking,starting run=1 watched 10:00:03.000 10:00:06.000',
      'phase1 phase1 run=1 watched 10:00:06.000 10:00:30.000',
      'final awaiting-window run=1 watched 10:00:30.000 10:00:30.000',
      'window awaiting-window run=- unwatched 10:00:30.000 12:00:09.500',
      'completing completing run=2 watched 12:00:09.500 12:00:40.000',
      'verifying verifying run=2 watched 12:00:40.000 12:00:41.000',
      'final done run=2 watched 12:00:41.000 12:00:41.000',
    ]);
    expect(m.segments[3].outcome).toBe('waiting');
    expect(m.segments[4].notes).toEqual(['window opens 2026-12-01T12:00:00.000Z']);
    expect(m.segments[7].outcome).toBe('done');
    expect(m.final).toMatchObject({ phase: 'done', outcome: 'done', run: 2 });
    expect(m.newServerId).toBe(WIN.newServer);
    expect(m.first).toBe(t('2026-12-01T10:00:02.000Z'));
    expect(m.last).toBe(t('2026-12-01T12:00:41.000Z'));
  });

  it('GIVEN a 503 for the move and a timeout in planning WHEN modelled THEN each error goes where its call was made', () => {
    const m = move(r, WIN.key);
    expect(m.calls.map((c) => c.run)).toEqual([1, 1, 1, 2, 2, 2]);
    expect(m.errors).toEqual([expect.objectContaining({ status: 503, requestId: 'req-get-503', run: 2, failed: true })]);
    expect(r.runErrors).toEqual([expect.objectContaining({ error: 'MP_TIMEOUT', run: 2, operation: 'list share servers' })]);
    expect(r.runs[1].errors).toBe(2);
    expect(r.totals.errors).toBe(2);
    expect(move(r, QUICK.key).runs).toEqual([1]);
    expect(r.totals.outcomes).toEqual({ blocked: 0, failed: 0, cancelled: 0, waiting: 0, unfinished: 0, done: 2 });
  });
});

describe('buildRollout from a run with a blocked, a failed, a cancelled and a done move', () => {
  const r = rollout(fourOutcomesJournal());

  it('GIVEN the four moves WHEN modelled THEN each ends in its own outcome, blocked apart from failed', () => {
    expect([BLOCKED, FAILED, CANCELLED, DONE].map((k) => [move(r, k.key).final.phase, move(r, k.key).final.outcome])).toEqual([
      ['blocked', 'blocked'],
      ['failed', 'failed'],
      ['cancelled', 'cancelled'],
      ['done', 'done'],
    ]);
    expect(move(r, BLOCKED.key).final.code).toBe('MP_INCOMPATIBLE');
  });

  it('GIVEN the four moves WHEN totalled THEN the totals count each outcome apart, as the moves themselves say', () => {
    expect(r.totals.outcomes).toEqual({ blocked: 1, failed: 1, cancelled: 1, waiting: 0, unfinished: 0, done: 1 });
    const fromMoves: Record<string, number> = {};
    for (const m of r.moves) fromMoves[m.final.outcome] = (fromMoves[m.final.outcome] ?? 0) + 1;
    expect(Object.fromEntries(Object.entries(r.totals.outcomes).filter(([, n]) => n > 0))).toEqual(fromMoves);
  });
});

describe('buildRollout edge cases', () => {
  const K = { key: 'app/k--s1', server: 's1' };

  it('GIVEN a --no-wait pass that leaves a move in phase 1 WHEN modelled THEN phase 1 lasts to the run end and on, unwatched, to the next run', () => {
    // GIVEN
    const text = new JournalBuilder()
      .process(1)
      .run('2026-12-01T10:00:00.000Z', 'start', { moves: 1 })
      .move('2026-12-01T10:00:01.000Z', K, 'phase1')
      .run('2026-12-01T10:00:05.000Z', 'end', { exitCode: 4, outcome: { phase1: 1 } })
      .process(2)
      .run('2026-12-01T10:10:00.000Z', 'start', { moves: 1 })
      .move('2026-12-01T10:10:01.000Z', K, 'completing')
      .move('2026-12-01T10:10:03.000Z', K, 'done', { newServerId: 's2' })
      .run('2026-12-01T10:10:03.000Z', 'end', { exitCode: 0 })
      .text();
    // WHEN
    const m = move(rollout(text), K.key);
    // THEN
    expect(lines(m.segments)).toEqual([
      'phase1 phase1 run=1 watched 10:00:01.000 10:00:05.000',
      'phase1 phase1 run=- unwatched 10:00:05.000 10:10:01.000',
      'completing completing run=2 watched 10:10:01.000 10:10:03.000',
      'final done run=2 watched 10:10:03.000 10:10:03.000',
    ]);
  });

  it('GIVEN a run killed without an end record, then a new run of the same pid WHEN modelled THEN two runs, the first not ended', () => {
    // GIVEN
    const text = new JournalBuilder()
      .process(7)
      .run('2026-12-01T10:00:00.000Z', 'start', { moves: 1 })
      .move('2026-12-01T10:00:01.000Z', K, 'phase1')
      .raw({ ts: '2026-12-01T10:00:02.000Z', type: 'signal', signal: 'SIGTERM', count: 1 })
      .http('2026-12-01T10:00:03.000Z', 'get share server s1', { move: K.key, status: 200 })
      .run('2026-12-01T11:00:00.000Z', 'start', { moves: 1 })
      .move('2026-12-01T11:00:01.000Z', K, 'failed', { code: 'MP_MIGRATION_ERROR', message: 'boom', hint: 'fix it' })
      .run('2026-12-01T11:00:01.000Z', 'end', { exitCode: 3 })
      .text();
    // WHEN
    const r = rollout(text);
    // THEN
    expect(r.runs.map((x) => [x.index, x.ended, new Date(x.to).toISOString()])).toEqual([
      [1, false, '2026-12-01T10:00:03.000Z'],
      [2, true, '2026-12-01T11:00:01.000Z'],
    ]);
    expect(r.runs[0].signals).toEqual([{ at: t('2026-12-01T10:00:02.000Z'), signal: 'SIGTERM', count: 1 }]);
    expect(lines(move(r, K.key).segments)).toEqual([
      'phase1 phase1 run=1 watched 10:00:01.000 10:00:03.000',
      'phase1 phase1 run=- unwatched 10:00:03.000 11:00:01.000',
      'final failed run=2 watched 11:00:01.000 11:00:01.000',
    ]);
    expect(move(r, K.key).final).toMatchObject({ outcome: 'failed', code: 'MP_MIGRATION_ERROR', hint: 'fix it' });
  });

  it('GIVEN a pass that failed in planning before a run WHEN modelled THEN an aborted pass with its error outside any move', () => {
    // GIVEN
    const text = new JournalBuilder()
      .process(1)
      .http('2026-12-01T09:00:00.000Z', 'list pools', { status: 403, requestId: 'req-403' })
      .process(2)
      .run('2026-12-01T10:00:00.000Z', 'start', { moves: 1 })
      .move('2026-12-01T10:00:00.000Z', K, 'queued', { waiting: 'parallel limit 1 reached' })
      .move('2026-12-01T10:00:04.000Z', K, 'queued', { waiting: 'max-per-source 1 reached on node1@alpha' })
      .move('2026-12-01T10:00:08.000Z', K, 'checking')
      .move('2026-12-01T10:00:09.000Z', K, 'blocked', { code: 'MP_CHECK_REFUSED', hint: 'h' })
      .run('2026-12-01T10:00:09.000Z', 'end', { exitCode: 3 })
      .text();
    // WHEN
    const r = rollout(text);
    // THEN
    expect(r.passes).toEqual([expect.objectContaining({ kind: 'aborted', pid: 1, calls: 1, errors: 1 })]);
    expect(r.runErrors.map((c) => [c.status, c.run])).toEqual([[403, undefined]]);
    const m = move(r, K.key);
    expect(m.segments[0]).toMatchObject({ kind: 'queued', notes: ['parallel limit 1 reached', 'max-per-source 1 reached on node1@alpha'] });
    expect(m.final).toMatchObject({ phase: 'blocked', outcome: 'blocked' });
  });
});
