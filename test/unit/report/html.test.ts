import { renderReport } from '../../../lib/report/html';
import { parseJournal } from '../../../lib/report/journal-read';
import { buildRollout } from '../../../lib/report/rollout';
import { BLOCKED, CANCELLED, DONE, FAILED, FAULTY, fixtureText, fourOutcomesJournal, JournalBuilder, READONLY, twoRunJournal, WIN } from './journals';

const page = (text: string, source = 'journal.jsonl'): string => renderReport(buildRollout(parseJournal(text, source), source));

/** Opening tags of outcome rows, in order. */
const outcomeRows = (html: string): string[] => html.match(/<tr class="outcome [^>]*>/g) ?? [];
const attr = (tag: string, name: string): string | undefined => new RegExp(`${name}="([^"]*)"`).exec(tag)?.[1];

describe('renderReport', () => {
  it('GIVEN the fixture WHEN rendered THEN one outcome row per move: failed with its code and hint, done with old → new server', () => {
    // WHEN
    const html = page(fixtureText());
    // THEN
    const rows = outcomeRows(html);
    expect(rows.map((r) => [attr(r, 'data-key'), attr(r, 'data-phase'), attr(r, 'data-outcome')])).toEqual([
      [FAULTY.key, 'failed', 'failed'],
      [READONLY.key, 'done', 'done'],
    ]);
    const failedRow = html.slice(html.indexOf(rows[0]), html.indexOf(rows[1]));
    expect(failedRow).toContain('<code>MP_MIGRATION_ERROR</code>');
    expect(failedRow).toContain('openstack share server delete 400bdfed-a244-4c62-8a24-7d26539a178b.');
    expect(failedRow).toContain('no new server');
    const doneRow = html.slice(html.indexOf(rows[1]), html.indexOf('</tr>', html.indexOf(rows[1])));
    expect(doneRow).toContain(`<code>${READONLY.server}</code> → <code>${READONLY.newServer}</code>`);
    expect(doneRow).toContain('<code>node1@alpha</code> → <code>node1@readonly</code>');
  });

  it('GIVEN the fixture WHEN rendered THEN the header has the journal, the span, the runs and the totals', () => {
    const html = page(fixtureText(), '/x/.manila-placement/journal.jsonl');
    expect(html).toContain('<h1>Rollout report <span class="headline">2 moves: 1 failed, 1 done</span></h1>');
    expect(html).toContain('<dt>Journal</dt><dd><code>/x/.manila-placement/journal.jsonl</code>');
    expect(html).toContain('<dt>Time span</dt><dd>2026-12-01T09:24:51.842Z → 2026-12-01T09:25:12.458Z <span class="muted">(20.6 s)</span>');
    expect(html).toContain('<dt>Runs</dt><dd>1</dd>');
    expect(html).toContain('<dt>API calls</dt><dd>42 <span class="muted">(22 for moves, 20 outside any move)</span>');
  });

  it('GIVEN the fixture WHEN rendered THEN the timeline is one inline SVG with a lane per move and the failed lane marked', () => {
    const html = page(fixtureText());
    expect(html.match(/<svg /g)).toHaveLength(1);
    const lanes = html.match(/<g class="lane" [^>]*>/g) ?? [];
    expect(lanes.map((l) => attr(l, 'data-outcome'))).toEqual(['failed', 'done']);
    expect(html).toContain('class="final-mark final-failed"');
    expect(html).toContain('class="segment seg-phase1"');
    expect(html.match(/<g class="run" /g)).toHaveLength(1);
    // Stage table of the failed move: times in ISO UTC with durations.
    expect(html).toContain('<td>2026-12-01T09:24:57.883Z</td><td>2026-12-01T09:25:02.612Z</td><td>4.7 s</td>');
  });

  it('GIVEN any journal WHEN rendered THEN the page fetches nothing: no external URL, no src, a CSP that forbids it', () => {
    for (const html of [page(fixtureText()), page(twoRunJournal())]) {
      expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="default-src 'none';`);
      // The SVG namespace is a name, not a fetch; nothing else may look like a URL.
      expect(html.replace(/xmlns="http:\/\/www\.w3\.org\/2000\/svg"/g, '')).not.toMatch(/https?:\/\/|\/\/[a-z0-9.-]+\.[a-z]{2,}\//i);
      expect(html).not.toMatch(/\ssrc=|<link|@import|url\((?!#)/i);
    }
  });

  it('GIVEN two passes around a window WHEN rendered THEN both runs, the shortened gap, the hatched wait and the errors show', () => {
    const html = page(twoRunJournal());
    expect(html.match(/<g class="run" /g)).toHaveLength(2);
    expect(html).toContain('class="pass pass-idle"');
    expect(html).toContain('<g class="axis-break">');
    expect(html).toContain('class="segment seg-window unwatched"');
    expect(html).toContain('hatched: between runs, no runner watching');
    expect(html).toContain('<code>req-get-503</code>');
    expect(html).toContain('MP_TIMEOUT');
    const rows = outcomeRows(html);
    expect(rows.map((r) => attr(r, 'data-phase'))).toEqual(['done', 'done']);
    expect(html).toContain(`<section class="move move-done" id="move-1" data-key="${WIN.key}">`);
  });

  it('GIVEN journal text with markup WHEN rendered THEN it is escaped everywhere', () => {
    // GIVEN
    const evil = { key: 'k<script>alert(1)</script>', server: 's"onmouseover="x' };
    const text = new JournalBuilder()
      .run('2026-12-01T10:00:00.000Z', 'start', { moves: 1, message: '<b>' })
      .move('2026-12-01T10:00:01.000Z', { ...evil, from: "a'<i>", to: 'b&c' }, 'failed', { code: '<C>', message: '</td><img src=x onerror=alert(1)>', hint: '<a href="javascript:x">' })
      .http('2026-12-01T10:00:01.000Z', '<op>', { move: evil.key, status: 500, requestId: '"><svg onload=alert(1)>' })
      .run('2026-12-01T10:00:02.000Z', 'end', { exitCode: 3 })
      .text();
    // WHEN
    const html = page(text, 'j<1>.jsonl');
    // THEN
    expect(html).not.toContain('<script>alert');
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<svg onload');
    expect(html).not.toContain('href="javascript');
    expect(html).not.toContain('onmouseover="x');
    expect(html).toContain('k&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('&lt;/td&gt;&lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('b&amp;c');
    expect(html).toContain('j&lt;1&gt;.jsonl');
    expect(html.match(/<script>/g)).toHaveLength(1); // the page's own
  });

  it('GIVEN a move with 250 API calls WHEN rendered THEN its call list shows the first and last 100 and where the rest are', () => {
    // GIVEN
    const K = { key: 'app/long--s1', server: 's1' };
    const b = new JournalBuilder().run('2026-12-01T10:00:00.000Z', 'start', { moves: 1 }).move('2026-12-01T10:00:00.000Z', K, 'phase1');
    for (let i = 0; i < 250; i++) b.http(new Date(Date.parse('2026-12-01T10:00:01.000Z') + i * 1000).toISOString(), 'get share server s1', { move: K.key, status: 200, requestId: `req-${i}` });
    const text = b.move('2026-12-01T10:05:00.000Z', K, 'done', { newServerId: 's2' }).run('2026-12-01T10:05:00.000Z', 'end', { exitCode: 0 }).text();
    // WHEN
    const html = page(text);
    // THEN
    const all = html.slice(html.indexOf('<details class="all-calls"><summary>All 250 API calls</summary>'));
    const table = all.slice(0, all.indexOf('</table>'));
    expect(table.match(/<tr class="(call-failed)?">/g)).toHaveLength(200);
    expect(table).toContain('<code>req-99</code>');
    expect(table).not.toContain('<code>req-100</code>');
    expect(table).toContain('… 50 more in the journal, lines 103–152 …');
    expect(table).toContain('<code>req-150</code>');
  });

  it('GIVEN moves whose first event names their project WHEN rendered THEN the row shows the name beside the id, and the id alone where no name was known', () => {
    const text = new JournalBuilder()
      .process(401)
      .run('2026-12-01T10:00:00.000Z', 'start', { moves: 2 })
      .move('2026-12-01T10:00:01.000Z', DONE, 'queued', { project: { id: 'p-admin-id', name: 'admin' } })
      .move('2026-12-01T10:00:01.000Z', FAILED, 'queued', { project: { id: 'p-other-id' } })
      .move('2026-12-01T10:00:26.000Z', DONE, 'done', { newServerId: DONE.newServer })
      .move('2026-12-01T10:00:27.000Z', FAILED, 'failed', { code: 'MP_MIGRATION_ERROR', message: 'x', hint: 'y' })
      .run('2026-12-01T10:00:27.000Z', 'end', { moves: 2, exitCode: 3 })
      .text();
    const html = page(text);
    expect(html).toContain('<div class="muted">project admin <code>p-admin-id</code></div>');
    expect(html).toContain('<div class="muted">project <code>p-other-id</code></div>');
  });

  describe('GIVEN a run with a blocked, a failed, a cancelled and a done move', () => {
    const html = page(fourOutcomesJournal());
    const rows = outcomeRows(html);
    const rowText = (key: string): string => {
      const open = rows.find((r) => attr(r, 'data-key') === key)!;
      const at = html.indexOf(open);
      return html.slice(at, html.indexOf('</tr>', at));
    };

    it('WHEN rendered THEN the header counts blocked, failed and cancelled apart', () => {
      expect(html).toContain('<h1>Rollout report <span class="headline">4 moves: 1 blocked, 1 failed, 1 cancelled, 1 done</span></h1>');
      expect(html).toContain('<title>Rollout report: 4 moves: 1 blocked, 1 failed, 1 cancelled, 1 done (journal.jsonl)</title>');
      expect(html).toContain('<header class="status-failed">');
    });

    it('WHEN rendered THEN each row says its outcome in the words of the header, and the header counts exactly the rows', () => {
      expect(rows.map((r) => [attr(r, 'data-key'), attr(r, 'data-phase'), attr(r, 'data-outcome')])).toEqual([
        [BLOCKED.key, 'blocked', 'blocked'],
        [FAILED.key, 'failed', 'failed'],
        [CANCELLED.key, 'cancelled', 'cancelled'],
        [DONE.key, 'done', 'done'],
      ]);
      expect(rowText(BLOCKED.key)).toContain('<span class="badge badge-failed">✕ blocked</span>');
      expect(rowText(BLOCKED.key)).toContain('<code>MP_INCOMPATIBLE</code>');
      expect(rowText(FAILED.key)).toContain('<span class="badge badge-failed">✕ failed</span>');
      expect(rowText(CANCELLED.key)).toContain('<span class="badge badge-failed">✕ cancelled</span>');
      expect(rowText(DONE.key)).toContain('<span class="badge badge-done">✓ done</span>');
      // The headline, read back, is the rows counted.
      const headline = /<span class="headline">\d+ moves?: ([^<]*)<\/span>/.exec(html)![1];
      const counted = new Map<string, number>();
      for (const r of rows) counted.set(attr(r, 'data-outcome')!, (counted.get(attr(r, 'data-outcome')!) ?? 0) + 1);
      expect(headline.split(', ').map((p) => p.split(' ')).map(([n, o]) => [o, Number(n)])).toEqual([...counted]);
    });

    it('WHEN rendered THEN the run, the timeline lanes and the legend use the same outcomes', () => {
      expect(html).toContain('<td>1 blocked, 1 failed, 1 cancelled, 1 done</td>');
      const lanes = html.match(/<g class="lane" [^>]*>/g) ?? [];
      expect(lanes.map((l) => attr(l, 'data-outcome'))).toEqual(['blocked', 'failed', 'cancelled', 'done']);
      expect(html).toContain('font-weight="bold" fill="#dc2626">✕ blocked</text>');
      const legend = html.slice(html.indexOf('<p class="legend">'), html.indexOf('</p>', html.indexOf('<p class="legend">')));
      expect([...legend.matchAll(/<\/span>([a-z ]+)<\/span>/g)].map((m) => m[1]).filter((w) => ['blocked', 'failed', 'cancelled', 'done'].includes(w))).toEqual([
        'blocked',
        'failed',
        'cancelled',
        'done',
      ]);
    });
  });

  it('GIVEN moves blocked by a stale plan, waiting for a window and left in phase 1 WHEN rendered THEN the header and rows say blocked, waiting, not finished', () => {
    // GIVEN
    const K = (n: number): { key: string; server: string } => ({ key: `app/k${n}--s${n}`, server: `s${n}` });
    const text = new JournalBuilder()
      .run('2026-12-01T10:00:00.000Z', 'start', { moves: 3 })
      .move('2026-12-01T10:00:01.000Z', K(1), 'stale', { code: 'MP_PLAN_STALE', message: 'moved since the plan' })
      .move('2026-12-01T10:00:01.000Z', K(2), 'awaiting-window', { waiting: 'window opens 2026-12-01T12:00:00.000Z' })
      .move('2026-12-01T10:00:01.000Z', K(3), 'phase1')
      .run('2026-12-01T10:00:02.000Z', 'end', { exitCode: 4, outcome: { stale: 1, 'awaiting-window': 1, phase1: 1 } })
      .text();
    // WHEN
    const html = page(text);
    // THEN
    expect(html).toContain('<span class="headline">3 moves: 1 blocked, 1 waiting, 1 not finished</span>');
    expect(outcomeRows(html).map((r) => attr(r, 'data-outcome'))).toEqual(['blocked', 'waiting', 'unfinished']);
    expect(html).toContain('✕ blocked (stale)</span>');
    expect(html).toContain('… waiting (awaiting-window)</span>');
    expect(html).toContain('… not finished (phase1)</span>');
    expect(html).toContain('<td>1 blocked, 1 waiting, 1 not finished</td>');
  });
});
