import { InputError } from '../../../lib/errors';
import { parseJournal } from '../../../lib/report/journal-read';
import { fixtureText, JournalBuilder, twoRunJournal } from './journals';

/** The error `fn` throws (failing when it does not). */
function thrown(fn: () => unknown): InputError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return e as InputError;
  }
  throw new Error('expected an InputError');
}

const minimal = (): JournalBuilder => new JournalBuilder().run('2026-12-01T10:00:00.000Z', 'start').run('2026-12-01T10:00:01.000Z', 'end', { exitCode: 0 });

describe('parseJournal', () => {
  it('GIVEN the fixture journal WHEN parsed THEN every line is a typed record in file order', () => {
    // WHEN
    const { records, skipped } = parseJournal(fixtureText(), 'j.jsonl');
    // THEN
    expect(records).toHaveLength(59);
    expect(skipped).toBe(0);
    expect(records.map((r) => r.line)).toEqual(Array.from({ length: 59 }, (_, i) => i + 1));
    expect(records.filter((r) => r.type === 'http')).toHaveLength(42);
    const first = records[0];
    expect(first).toMatchObject({ type: 'http', operation: 'Keystone authentication', status: 201, pid: 4489, at: Date.parse('2026-12-01T09:24:51.842Z') });
    const failed = records.find((r) => r.type === 'move' && r.event.phase === 'failed');
    expect(failed?.type === 'move' && failed.event.code).toBe('MP_MIGRATION_ERROR');
  });

  it('GIVEN a line that is not JSON in the middle WHEN parsed THEN MP_JOURNAL_NOT_JSON names the file and line', () => {
    // GIVEN
    const lines = minimal().text().split('\n');
    const text = [lines[0], '{"ts": "2026-12-01T10:00:00.500Z", "type": "ht', lines[1], ''].join('\n');
    // WHEN
    const e = thrown(() => parseJournal(text, 'j.jsonl'));
    // THEN
    expect(e.code).toBe('MP_JOURNAL_NOT_JSON');
    expect(e.message).toMatch(/^j\.jsonl line 2 is not JSON \(.+\): a journal holds one JSON object per line\.$/);
    expect(e.hint).not.toMatch(/last line/);
  });

  it('GIVEN a journal cut in its last line WHEN parsed THEN the hint says to remove that line', () => {
    // GIVEN
    const text = minimal().text() + '{"ts":"2026-12-01T10:00:02.000Z","pid":1,"type":"http","oper';
    // WHEN
    const e = thrown(() => parseJournal(text, 'j.jsonl'));
    // THEN
    expect(e.code).toBe('MP_JOURNAL_NOT_JSON');
    expect(e.message).toMatch(/line 3 /);
    expect(e.hint).toMatch(/It is the last line: .* remove that line/);
  });

  it.each([
    ['an array', '[1, 2]', /line 2 is not a journal record: it has no "type"/],
    ['a record without a type', '{"ts":"2026-12-01T10:00:00.000Z"}', /line 2 is not a journal record: it has no "type"/],
    ['an http record without its operation', '{"ts":"2026-12-01T10:00:00.000Z","type":"http","method":"GET","path":"/","attempt":1,"durationMs":1}', /line 2 is not a valid "http" record: operation: /],
    ['a record with a bad time', '{"ts":"yesterday","type":"signal","signal":"SIGINT","count":1}', /line 2 is not a valid "signal" record: ts: /],
    [
      'a move event with an unknown phase',
      '{"ts":"2026-12-01T10:00:00.000Z","type":"event","event":{"type":"move","ts":"2026-12-01T10:00:00.000Z","key":"k","server":"s","from":"a","to":"b","elapsed":0,"phase":"teleporting"}}',
      /line 2 is not a valid "event" record: event\.phase: /,
    ],
  ])('GIVEN %s WHEN parsed THEN MP_JOURNAL_INVALID says which line and field', (_what, line, says) => {
    // GIVEN
    const lines = minimal().text().split('\n');
    const text = [lines[0], line, lines[1]].join('\n');
    // WHEN
    const e = thrown(() => parseJournal(text, 'j.jsonl'));
    // THEN
    expect(e.code).toBe('MP_JOURNAL_INVALID');
    expect(e.message).toMatch(says);
    expect(e.hint).toMatch(/--journal/);
  });

  it.each([
    ['an empty file', '', /j\.jsonl is empty/],
    ['only blank lines', '\n\n  \n', /j\.jsonl is empty/],
    ['only API calls (a pass that stopped in planning)', new JournalBuilder().http('2026-12-01T10:00:00.000Z', 'list pools', { status: 403 }).text(), /holds no run/],
    ['only a pass with nothing to apply', new JournalBuilder().raw({ ts: '2026-12-01T10:00:00.000Z', type: 'run', phase: 'end', moves: 0, exitCode: 0 }).text(), /holds no run/],
  ])('GIVEN %s WHEN parsed THEN MP_JOURNAL_NO_RUN', (_what, text, says) => {
    // WHEN
    const e = thrown(() => parseJournal(text, 'j.jsonl'));
    // THEN
    expect(e.code).toBe('MP_JOURNAL_NO_RUN');
    expect(e.message).toMatch(says);
    expect(e.hint).toMatch(/apply/);
  });

  it('GIVEN record kinds of a newer version, blank lines and CRLF WHEN parsed THEN those are skipped and the rest is read', () => {
    // GIVEN
    const text = minimal().raw({ ts: '2026-12-01T10:00:02.000Z', type: 'hologram', what: 1 }).text().replace(/\n/g, '\r\n\r\n');
    // WHEN
    const { records, skipped } = parseJournal(text, 'j.jsonl');
    // THEN
    expect(records.map((r) => r.type)).toEqual(['run', 'run']);
    expect(records.map((r) => r.line)).toEqual([1, 3]);
    expect(skipped).toBe(1);
  });

  it('GIVEN the two-run journal WHEN parsed THEN its "nothing to apply" line is an idle record', () => {
    // WHEN
    const { records } = parseJournal(twoRunJournal(), 'j.jsonl');
    // THEN
    expect(records[records.length - 1]).toMatchObject({ type: 'idle', pid: 300, exitCode: 0 });
    expect(records.filter((r) => r.type === 'run' && r.event.phase === 'start')).toHaveLength(2);
  });

  it('GIVEN an event with fields this version does not know (added later) WHEN parsed THEN it is read without them', () => {
    // GIVEN
    const text = minimal()
      .move('2026-12-01T10:00:00.500Z', { key: 'k', server: 's' }, 'done', { newServerId: 's2', exportLocations: [{ shareId: 'sh', before: ['a:/x'], after: ['b:/x'], changed: true }] })
      .text();
    // WHEN
    const { records } = parseJournal(text, 'j.jsonl');
    // THEN
    const m = records.find((r) => r.type === 'move');
    expect(m?.type === 'move' && m.event).toMatchObject({ key: 'k', phase: 'done', newServerId: 's2' });
  });
});
