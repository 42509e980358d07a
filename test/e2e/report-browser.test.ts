/**
 * The report page in a real browser: Debian's headless chromium, driven directly (no playwright).
 * It renders the fixture journal, checks the DOM chromium built (one outcome row per move, the
 * right outcomes), measures the timeline's labels in the browser's own layout (none overlap, bar
 * labels stay in their bar), and keeps a screenshot under .manila-placement/test-artifacts/.
 * Needs no test bed. Without a working chromium it reports itself SKIPPED, with the reason.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { reportCommand } from '../../lib/cli/commands/report';
import { FAULTY, FIXTURE, READONLY, twoRunJournal } from '../unit/report/journals';

jest.setTimeout(180_000);

const REPO = path.resolve(__dirname, '..', '..');
const ARTIFACTS = path.join(REPO, '.manila-placement', 'test-artifacts');

/** Headless, offline, no profile state: nothing leaves this machine, nothing stays behind. */
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--hide-scrollbars',
];

function chromium(bin: string, args: string[]): SpawnSyncReturns<string> {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'mp-chromium-'));
  try {
    return spawnSync(bin, [...FLAGS, `--user-data-dir=${profile}`, ...args], { encoding: 'utf8', timeout: 60_000, maxBuffer: 64 * 1024 * 1024 });
  } finally {
    fs.rmSync(profile, { recursive: true, force: true });
  }
}

/** A chromium that renders a page headless, or why there is none. Decided once, before the tests are declared. */
function findChromium(): { bin: string } | { why: string } {
  let why = 'no chromium on PATH (install it: apt-get install -y --no-install-recommends chromium)';
  for (const bin of [process.env.CHROMIUM, 'chromium', 'chromium-browser'].filter((b): b is string => Boolean(b))) {
    const r = chromium(bin, ['--dump-dom', 'data:text/html,<p id="probe">ok</p>']);
    if ((r.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') continue;
    if (r.status === 0 && r.stdout.includes('id="probe"')) return { bin };
    const detail = r.error ? r.error.message : (r.stderr.trim().split('\n').pop() ?? `exit ${r.status}`);
    why = `${bin} is installed but does not render headless: ${detail}`;
  }
  return { why };
}

const found = findChromium();
const bin = 'bin' in found ? found.bin : undefined;
if (!bin) process.stderr.write(`report-browser.test.ts SKIPPED: ${'why' in found ? found.why : ''}\n`);
const browserTest = bin ? test : test.skip;
const named = (what: string): string => (bin ? what : `SKIPPED (${'why' in found ? found.why : ''}): ${what}`);

/**
 * Added to a copy of the page (the page's CSP allows inline scripts, nothing fetched): measures
 * the timeline's text in the browser's layout and writes what it found into the DOM.
 */
const LAYOUT_PROBE = `<script>
(function () {
  var svg = document.querySelector('svg.timeline');
  var all = function (sel) { return Array.prototype.slice.call(svg.querySelectorAll(sel)); };
  var box = function (el, s) { var b = el.getBoundingClientRect(); return { s: s, l: b.left, r: b.right, t: b.top, b: b.bottom }; };
  var hit = function (a, c) { return a.l < c.r - 0.5 && c.l < a.r - 0.5 && a.t < c.b - 0.5 && c.t < a.b - 0.5; };
  // The glyph inside an outcome marker is meant to sit on it.
  var texts = all('text').filter(function (t) { return !t.closest('.final-mark'); }).map(function (t) { return box(t, t.textContent); });
  var marks = all('circle.pass, g.final-mark circle, path.final-mark, g.axis-break path, g.runs path').map(function (m) { return box(m, '[' + (m.getAttribute('class') || m.parentNode.getAttribute('class') || m.tagName) + ']'); });
  var overlaps = [];
  for (var i = 0; i < texts.length; i++) {
    for (var j = i + 1; j < texts.length; j++) if (hit(texts[i], texts[j])) overlaps.push([texts[i].s, texts[j].s]);
    for (var k = 0; k < marks.length; k++) if (hit(texts[i], marks[k])) overlaps.push([texts[i].s, marks[k].s]);
  }
  // Bar labels stay in their bar, break labels in their band.
  var outside = [];
  all('g.segment, g.axis-break').forEach(function (g) {
    var t = g.querySelector('text'); if (!t) return;
    var rb = g.querySelector('rect').getBoundingClientRect(), tb = t.getBoundingClientRect();
    if (tb.left < rb.left - 0.5 || tb.right > rb.right + 0.5) outside.push(t.textContent);
  });
  var plotX = svg.querySelector('g.axis line').getBoundingClientRect().left;
  var intoPlot = all('g.lane a text').filter(function (t) { return t.getBoundingClientRect().right > plotX; }).map(function (t) { return t.textContent; });
  var out = document.createElement('pre');
  out.id = 'layout-probe';
  out.textContent = JSON.stringify({ texts: texts.length, marks: marks.length, overlaps: overlaps, outside: outside, intoPlot: intoPlot });
  document.body.appendChild(out);
})();
</script>`;

const decode = (s: string): string => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');

interface Rendered {
  readonly dom: string;
  readonly probe: { texts: number; marks: number; overlaps: string[][]; outside: string[]; intoPlot: string[] };
}

/** Writes the page with `report`, loads a probed copy in chromium and returns the DOM after its scripts ran. */
async function render(journal: string, dir: string, name: string): Promise<{ page: string } & Rendered> {
  const page = path.join(dir, `${name}.html`);
  const spy = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    expect(await reportCommand({ journal, out: page })).toBe(0);
  } finally {
    spy.mockRestore();
  }
  const probed = path.join(dir, `${name}.probed.html`);
  fs.writeFileSync(probed, fs.readFileSync(page, 'utf8').replace('</body>', `${LAYOUT_PROBE}\n</body>`));
  const r = chromium(bin!, ['--window-size=1400,1000', '--dump-dom', `file://${probed}`]);
  expect(r.status).toBe(0);
  const m = /<pre id="layout-probe">([\s\S]*?)<\/pre>/.exec(r.stdout);
  expect(m).not.toBeNull();
  return { page, dom: r.stdout, probe: JSON.parse(decode(m![1])) };
}

/** Screenshot of the page as a 1400×1000 window shows it; returns the PNG's width and height. */
function screenshot(page: string, png: string): { width: number; height: number } {
  fs.mkdirSync(path.dirname(png), { recursive: true });
  fs.rmSync(png, { force: true });
  const r = chromium(bin!, [`--screenshot=${png}`, '--window-size=1400,1000', `file://${page}`]);
  expect(r.status).toBe(0);
  const buf = fs.readFileSync(png);
  expect(buf.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
  return { width: buf.readUInt32BE(16), height: buf.readUInt32BE(20) };
}

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mp-report-e2e-'));
});
afterAll(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('report page in headless chromium', () => {
  browserTest(named('GIVEN the fixture journal WHEN rendered and loaded THEN one outcome row per move (failed, done), a clean timeline, and a screenshot'), async () => {
    // WHEN
    const { page, dom, probe } = await render(FIXTURE, dir, 'report');
    // THEN: the DOM chromium built, after the page's script ran.
    const rows = dom.match(/<tr class="outcome [^"]*"[^>]*>/g) ?? [];
    const of = (tag: string, a: string): string | undefined => new RegExp(`${a}="([^"]*)"`).exec(tag)?.[1];
    expect(rows.map((t) => [of(t, 'data-key'), of(t, 'data-phase')])).toEqual([
      [FAULTY.key, 'failed'],
      [READONLY.key, 'done'],
    ]);
    expect(dom).toMatch(/<section class="move move-failed" id="move-1"[^>]*>\s*<details open="">/);
    expect((dom.match(/<g class="lane" /g) ?? []).length).toBe(2);
    // Layout as the browser made it.
    expect(probe.texts).toBeGreaterThan(10);
    expect(probe.marks).toBeGreaterThanOrEqual(2);
    expect(probe.overlaps).toEqual([]);
    expect(probe.outside).toEqual([]);
    expect(probe.intoPlot).toEqual([]);
    // The picture, kept for people to look at.
    expect(screenshot(page, path.join(ARTIFACTS, 'report.png'))).toEqual({ width: 1400, height: 1000 });
  });

  browserTest(named('GIVEN two passes around a maintenance window WHEN loaded THEN both runs, the shortened gap, and still no label overlaps'), async () => {
    // GIVEN
    const journal = path.join(dir, 'two-runs.jsonl');
    fs.writeFileSync(journal, twoRunJournal());
    // WHEN
    const { page, dom, probe } = await render(journal, dir, 'two-runs');
    // THEN
    expect((dom.match(/<g class="run" /g) ?? []).length).toBe(2);
    expect((dom.match(/<g class="axis-break">/g) ?? []).length).toBe(2);
    expect(probe.marks).toBe(6); // 2 outcome marks, the window's diamond, 1 idle pass, 2 breaks' //
    expect((dom.match(/<tr class="outcome [^"]*"[^>]*data-phase="done"/g) ?? []).length).toBe(2);
    expect(probe.overlaps).toEqual([]);
    expect(probe.outside).toEqual([]);
    expect(probe.intoPlot).toEqual([]);
    expect(screenshot(page, path.join(ARTIFACTS, 'report-two-runs.png'))).toEqual({ width: 1400, height: 1000 });
  });
});
