import { countOutcomes, isMovePhase, OUTCOME_WORD, OUTCOMES, outcomeLabel, outcomeOf, outcomeParts, outcomeSummary as summaryOf, type Outcome } from '../apply/outcome';
import type { MovePhase } from '../apply/events';
import { plural } from '../util/plural';
import { clock, duration, esc, iso } from './format';
import { toneOf, type CallView, type MoveView, type OperationCount, type Rollout, type RunView, type Segment } from './rollout';
import { KIND_STYLE, OUTCOME_STYLE, timelineSvg } from './timeline';

/**
 * The report page: one self-contained HTML document (inline CSS, inline SVG, a few lines of
 * inline JS; nothing fetched, which the Content-Security-Policy enforces). Every text from the
 * journal is escaped. Pure.
 */

/** What the page says about its own making. */
export interface PageInfo {
  /** When the page was written (ISO); omitted when absent, so that tests get stable output. */
  readonly generatedAt?: string;
  /** manila-placement version. */
  readonly version?: string;
}

/**
 * Rows of one call list shown at each end: a move's first calls (check, start) and last ones
 * (complete, verify) say the most; the middle is polling. The journal keeps them all.
 */
const CALL_ROWS_EACH_END = 100;

/** The whole page. */
export function renderReport(r: Rollout, info: PageInfo = {}): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<title>${esc(`Rollout report: ${outcomeSummary(r)} (${r.source})`)}</title>
<style>${CSS}</style>
</head>
<body>
${header(r, info)}
${timeline(r)}
${outcomes(r)}
${runs(r)}
${moves(r)}
${runCalls(r)}
<footer>Written by manila-placement report${info.version ? ` ${esc(info.version)}` : ''}${info.generatedAt ? ` at ${esc(info.generatedAt)}` : ''} from <code>${esc(r.source)}</code>. Times are UTC.</footer>
<script>${SCRIPT}</script>
</body>
</html>
`;
}

/** The headline: the rows' outcomes, counted (`18 moves: 1 blocked, 17 done`). */
function outcomeSummary(r: Rollout): string {
  return summaryOf(r.totals.outcomes);
}

/** A move's outcome as its row, its section and its stages show it: `✕ blocked (stale)`, in its outcome's colour. */
function badge(phase: MovePhase): string {
  const tone = toneOf(outcomeOf(phase));
  return `<span class="badge badge-${tone}">${OUTCOME_STYLE[tone].mark} ${esc(outcomeLabel(phase))}</span>`;
}

function header(r: Rollout, info: PageInfo): string {
  const passes = r.passes.length
    ? ` <span class="muted">(+ ${plural(r.passes.length, 'pass', 'passes')} without a run: ${r.passes.filter((p) => p.kind === 'idle').length} with nothing to apply, ${r.passes.filter((p) => p.kind === 'aborted').length} stopped before starting)</span>`
    : '';
  const phases = Object.entries(r.totals.phases)
    .sort((a, b) => b[1] - a[1])
    .map(([p, n]) => `${n} ${esc(p)}`)
    .join(', ');
  const seen = OUTCOMES.filter((o) => r.totals.outcomes[o] > 0).map(toneOf);
  const status = seen.includes('failed') ? 'failed' : seen.includes('unfinished') ? 'unfinished' : 'done';
  return `<header class="status-${status}">
<h1>Rollout report <span class="headline">${esc(outcomeSummary(r))}</span></h1>
<dl class="facts header-facts">
<dt>Journal</dt><dd><code>${esc(r.source)}</code>${r.skippedLines ? ` <span class="muted">(${plural(r.skippedLines, 'line')} of unknown kinds skipped)</span>` : ''}</dd>
<dt>Time span</dt><dd>${esc(iso(r.from))} → ${esc(iso(r.to))} <span class="muted">(${esc(duration(r.to - r.from))})</span></dd>
<dt>Runs</dt><dd>${r.totals.runs}${passes}</dd>
<dt>Moves</dt><dd>${r.totals.moves}${phases ? ` <span class="muted">(${phases})</span>` : ''}</dd>
<dt>API calls</dt><dd>${r.totals.calls} <span class="muted">(${r.totals.calls - r.runCalls.length} for moves, ${r.runCalls.length} outside any move)</span>, <span class="${r.totals.errors ? 'err' : ''}">${plural(r.totals.errors, 'error')}</span></dd>
${info.generatedAt ? `<dt>Written</dt><dd>${esc(info.generatedAt)}</dd>` : ''}
</dl>
</header>`;
}

function outcomes(r: Rollout): string {
  const rows = r.moves.map((m, i) => {
    const tone = toneOf(m.final.outcome);
    const server = m.newServerId
      ? `<code>${esc(m.server)}</code> → <code>${esc(m.newServerId)}</code>`
      : `<code>${esc(m.server)}</code> → <span class="muted">${tone === 'failed' ? 'no new server' : 'not yet'}</span>`;
    return `<tr class="outcome outcome-${tone}" data-key="${esc(m.key)}" data-phase="${esc(m.final.phase)}" data-outcome="${m.final.outcome}">
<td class="key"><a href="#move-${i + 1}"><code>${esc(m.key)}</code></a></td>
<td class="server">${server}${m.project ? `<div class="muted">project ${m.project.name !== undefined ? `${esc(m.project.name)} <code>${esc(m.project.id)}</code>` : `<code>${esc(m.project.id)}</code>`}</div>` : ''}${m.earlierServers.length ? `<div class="muted">earlier: ${m.earlierServers.map((s) => `<code>${esc(s)}</code>`).join(', ')}</div>` : ''}</td>
<td class="route"><code>${esc(m.from)}</code> → <code>${esc(m.to)}</code></td>
<td class="phase">${badge(m.final.phase)}</td>
<td class="code">${m.final.code ? `<code>${esc(m.final.code)}</code>` : ''}</td>
<td class="message">${esc(m.final.message)}</td>
<td class="hint">${esc(m.final.hint)}</td>
<td class="activity">${esc(`${plural(m.runs.length, 'run')} · ${duration(m.last - m.first)}`)}<br>${esc(plural(m.calls.length, 'call'))}${m.errors.length ? `, <span class="err">${esc(plural(m.errors.length, 'error'))}</span>` : ''}</td>
</tr>`;
  });
  return `<section id="outcomes"><h2>Outcome</h2>
<table class="outcomes">
<thead><tr><th>Move</th><th>Server (old → new)</th><th>From → to</th><th>Outcome</th><th>Code</th><th>Message</th><th>Hint</th><th>Activity</th></tr></thead>
<tbody>
${rows.join('\n')}
</tbody>
</table></section>`;
}

function timeline(r: Rollout): string {
  // Only what this rollout shows: a key of fifteen entries for three colours hides the three.
  const segs = r.moves.flatMap((m) => m.segments);
  const kinds = new Set(segs.filter((s) => s.watched).map((s) => s.kind));
  const outcomesSeen = new Set<Outcome>(segs.filter((s) => s.kind === 'final').map((s) => s.outcome ?? 'unfinished'));
  const item = (swatch: string, label: string): string => `<span class="key-item">${swatch}${esc(label)}</span>`;
  const legend = [
    ...(Object.keys(KIND_STYLE) as Array<keyof typeof KIND_STYLE>).filter((k) => kinds.has(k)).map((k) => item(`<span class="swatch" style="background:${KIND_STYLE[k].fill}"></span>`, KIND_STYLE[k].label)),
    ...(segs.some((s) => !s.watched) ? [item('<span class="swatch hatched"></span>', 'hatched: between runs, no runner watching')] : []),
    ...OUTCOMES.filter((o) => outcomesSeen.has(o)).map((o) => item(`<span class="dot" style="background:${OUTCOME_STYLE[toneOf(o)].fill}">${OUTCOME_STYLE[toneOf(o)].mark}</span>`, OUTCOME_WORD[o])),
    item('<span class="tick"></span>', 'API call'),
    ...(r.moves.some((m) => m.errors.length) ? [item('<span class="tick tick-err"></span>', 'API error')] : []),
  ].join('');
  const broken = r.runs.length + r.passes.length > 1 ? ' Long gaps between runs are shortened: grey bands, with their length in the runs lane.' : '';
  return `<section id="timeline"><h2>Timeline</h2>
<p class="legend">${legend}</p>
<div class="scroll">${timelineSvg(r)}</div>
<p class="muted small">Hover for times and durations; click a move for its stages and API calls. Dashed lines: a run starts.${broken}</p>
</section>`;
}

/** A run's end record (moves per phase) in the words of the header and rows: `1 blocked, 1 done`; a phase this version does not know, as written. */
function runOutcome(byPhase: Readonly<Record<string, number>>): string {
  const counts = countOutcomes([]);
  const unknown: string[] = [];
  for (const [p, n] of Object.entries(byPhase)) {
    if (isMovePhase(p)) counts[outcomeOf(p)] += n;
    else unknown.push(`${n} ${p}`);
  }
  return [...outcomeParts(counts), ...unknown].join(', ');
}

function runs(r: Rollout): string {
  const row = (x: RunView): string => {
    const outcome = x.outcome ? runOutcome(x.outcome) : '';
    const notes = [
      x.ended ? '' : '<span class="err">no end record: killed, or still running</span>',
      ...x.signals.map((s) => esc(`${s.signal} at ${clock(s.at)} (${s.count === 1 ? 'detach' : 'exit'})`)),
      ...x.warnings.map((w) => `<span class="warn">${esc(w.message)}</span>`),
      ...x.outages.filter((o, i, all) => o.kind !== 'outage-begun' || i === all.length - 1).map((o) => `<span class="${o.kind === 'outage-limit' ? 'err' : 'warn'}">${esc(`${clock(o.at)}: ${o.message}`)}</span>`),
    ].filter(Boolean);
    return `<tr data-run="${x.index}"><td>${x.index}</td><td>${esc(x.pid)}</td><td>${esc(iso(x.from))}</td><td>${esc(iso(x.to))}</td><td>${esc(duration(x.to - x.from))}</td><td>${x.moves}</td><td>${esc(outcome)}</td><td>${esc(x.exitCode)}</td><td>${x.calls}</td><td class="${x.errors ? 'err' : ''}">${x.errors}</td><td>${notes.join('<br>')}</td><td class="muted">${x.firstLine}–${x.lastLine}</td></tr>`;
  };
  const passRows = r.passes.map(
    (p) =>
      `<tr class="pass-row"><td>–</td><td>${esc(p.pid)}</td><td>${esc(iso(p.from))}</td><td>${esc(iso(p.to))}</td><td>${esc(duration(p.to - p.from))}</td><td>0</td><td></td><td>${esc(p.exitCode)}</td><td>${p.calls}</td><td class="${p.errors ? 'err' : ''}">${p.errors}</td><td>${p.kind === 'idle' ? 'nothing to apply' : '<span class="err">stopped before a run began (see the calls outside any move)</span>'}</td><td class="muted">${p.firstLine}–${p.lastLine}</td></tr>`,
  );
  return `<section id="runs"><h2>Runs</h2>
<p class="muted small">A run spans its process's journal lines, from planning to its end record.</p>
<table class="runs">
<thead><tr><th>#</th><th>pid</th><th>From</th><th>To</th><th>Duration</th><th>Moves</th><th>Outcome</th><th>Exit</th><th>Calls</th><th>Errors</th><th>Notes</th><th>Lines</th></tr></thead>
<tbody>
${r.runs.map(row).concat(passRows).join('\n')}
</tbody>
</table></section>`;
}

function segmentRow(s: Segment, i: number): string {
  const name = s.kind === 'final' ? badge(s.phases[0]) : `<span class="swatch" style="background:${KIND_STYLE[s.kind].fill}"></span>${esc(KIND_STYLE[s.kind].label)}`;
  return `<tr class="${s.watched ? '' : 'unwatched'}"><td>${i + 1}</td><td>${name}</td><td><code>${esc(s.phases.join(', '))}</code></td><td>${s.run ?? '<span class="muted">between runs</span>'}</td><td>${esc(iso(s.from))}</td><td>${s.kind === 'final' ? '' : esc(iso(s.to))}</td><td>${s.kind === 'final' ? '' : esc(duration(s.to - s.from))}</td><td>${s.notes.map(esc).join('<br>')}</td></tr>`;
}

function callRow(c: CallView, withMove: boolean): string {
  return `<tr class="${c.failed ? 'call-failed' : ''}"><td>${esc(iso(c.at))}</td><td>${c.run ?? '–'}</td>${withMove ? `<td>${c.move ? `<code>${esc(c.move)}</code>` : ''}</td>` : ''}<td>${esc(c.operation)}</td><td><code>${esc(c.method)} ${esc(c.path)}</code></td><td class="${c.failed ? 'err' : ''}">${esc(c.status ?? c.error)}</td><td><code>${esc(c.requestId)}</code></td><td>${c.attempt}</td><td>${c.durationMs}</td><td class="muted">${c.line}</td></tr>`;
}

function callTable(calls: readonly CallView[], withMove = false): string {
  const cols = withMove ? 10 : 9;
  const n = CALL_ROWS_EACH_END;
  const rows =
    calls.length <= 2 * n
      ? calls.map((c) => callRow(c, withMove))
      : [
          ...calls.slice(0, n).map((c) => callRow(c, withMove)),
          `<tr class="elided"><td colspan="${cols}" class="muted">… ${calls.length - 2 * n} more in the journal, lines ${calls[n].line}–${calls[calls.length - n - 1].line} …</td></tr>`,
          ...calls.slice(-n).map((c) => callRow(c, withMove)),
        ];
  return `<table class="calls"><thead><tr><th>Time</th><th>Run</th>${withMove ? '<th>Move</th>' : ''}<th>Operation</th><th>Request</th><th>Status</th><th>Request id</th><th>Attempt</th><th>ms</th><th>Line</th></tr></thead>
<tbody>
${rows.join('\n')}
</tbody></table>`;
}

function operationTable(ops: readonly OperationCount[]): string {
  if (!ops.length) return '<p class="muted">None.</p>';
  return `<table class="ops"><thead><tr><th>Method</th><th>Operation</th><th>Calls</th><th>Errors</th></tr></thead><tbody>
${ops.map((o) => `<tr><td><code>${esc(o.method)}</code></td><td>${esc(o.operation)}</td><td>${o.count}</td><td class="${o.errors ? 'err' : ''}">${o.errors}</td></tr>`).join('\n')}
</tbody></table>`;
}

function errorsBlock(errors: readonly CallView[], withMove = false): string {
  return errors.length ? callTable(errors, withMove) : '<p class="muted">No API call failed.</p>';
}

function moveSection(m: MoveView, i: number): string {
  const facts: Array<[string, string]> = [
    ['Key', `<code>${esc(m.key)}</code>`],
    ['Server', `<code>${esc(m.server)}</code>${m.earlierServers.length ? ` <span class="muted">(earlier runs: ${m.earlierServers.map((s) => `<code>${esc(s)}</code>`).join(', ')})</span>` : ''}`],
    ['From → to', `<code>${esc(m.from)}</code> → <code>${esc(m.to)}</code>`],
    ...(m.newServerId ? ([['New server', `<code>${esc(m.newServerId)}</code>`]] as Array<[string, string]>) : []),
    ...(m.destinationId && m.destinationId !== m.newServerId ? ([['Destination server', `<code>${esc(m.destinationId)}</code>`]] as Array<[string, string]>) : []),
    ['Outcome', `${badge(m.final.phase)} at ${esc(iso(m.final.at))}${m.final.run !== undefined ? ` (run ${m.final.run})` : ''}`],
    ...(m.final.code ? ([['Code', `<code>${esc(m.final.code)}</code>`]] as Array<[string, string]>) : []),
    ...(m.final.message ? ([['Message', esc(m.final.message)]] as Array<[string, string]>) : []),
    ...(m.final.hint ? ([['Hint', esc(m.final.hint)]] as Array<[string, string]>) : []),
    ...(m.check ? ([['Check', `requested <code>${esc(JSON.stringify(m.check.requested))}</code>, supported <code>${esc(JSON.stringify(m.check.supported))}</code>`]] as Array<[string, string]>) : []),
    ['Runs', esc(m.runs.join(', ') || '–')],
    ['Time', `${esc(iso(m.first))} → ${esc(iso(m.last))} (${esc(duration(m.last - m.first))})`],
    ['API calls', `${m.calls.length}${m.errors.length ? `, <span class="err">${plural(m.errors.length, 'error')}</span>` : ', no error'}`],
  ];
  // Failed and unfinished moves open: they are what the reader came for.
  const open = m.final.outcome !== 'done' ? ' open' : '';
  return `<section class="move move-${toneOf(m.final.outcome)}" id="move-${i + 1}" data-key="${esc(m.key)}">
<details${open}>
<summary>${badge(m.final.phase)} <code>${esc(m.key)}</code> <span class="muted">${esc(m.from)} → ${esc(m.to)} · ${esc(plural(m.calls.length, 'call'))}</span>${m.errors.length ? ` <span class="err">${esc(plural(m.errors.length, 'error'))}</span>` : ''}</summary>
<dl class="facts">${facts.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${v}</dd>`).join('')}</dl>
<h4>Stages</h4>
<table class="segments"><thead><tr><th>#</th><th>Stage</th><th>Phases</th><th>Run</th><th>Start</th><th>End</th><th>Duration</th><th>Notes</th></tr></thead><tbody>
${m.segments.map(segmentRow).join('\n')}
</tbody></table>
<h4>API call errors</h4>
${errorsBlock(m.errors)}
<h4>API calls by operation</h4>
${operationTable(m.operations)}
${m.calls.length ? `<details class="all-calls"><summary>All ${plural(m.calls.length, 'API call')}</summary>${callTable(m.calls)}</details>` : ''}
</details>
</section>`;
}

function moves(r: Rollout): string {
  return `<section id="moves"><h2>Moves</h2>
${r.moves.map(moveSection).join('\n')}
</section>`;
}

function runCalls(r: Rollout): string {
  return `<section id="run-calls"><h2>API calls outside any move</h2>
<p class="muted small">Planning, version discovery, listings for admission and state: ${plural(r.runCalls.length, 'call')}, ${plural(r.runErrors.length, 'error')}.</p>
<h4>Errors</h4>
${errorsBlock(r.runErrors, true)}
<h4>By operation</h4>
${operationTable(r.runOperations)}
${r.runCalls.length ? `<details class="all-calls"><summary>All ${plural(r.runCalls.length, 'call')}</summary>${callTable(r.runCalls, true)}</details>` : ''}
</section>`;
}

const CSS = `
:root { --fg: #0f172a; --muted: #64748b; --line: #e2e8f0; --err: #b91c1c; --warn: #92400e; }
* { box-sizing: border-box; }
body { margin: 0; padding: 20px 24px 40px; color: var(--fg); font: 14px/1.45 'DejaVu Sans', system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif; background: #fff; }
code { font-family: 'DejaVu Sans Mono', Menlo, Consolas, monospace; font-size: 12px; }
h1 { font-size: 22px; margin: 0 0 10px; }
h1 .headline { font-weight: normal; color: var(--muted); margin-left: 8px; }
header.status-failed h1 .headline { color: var(--err); font-weight: bold; }
h2 { font-size: 17px; margin: 26px 0 8px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
h4 { margin: 14px 0 6px; font-size: 13px; }
header { border-left: 6px solid #15803d; padding: 6px 0 6px 14px; }
header.status-failed { border-left-color: #dc2626; }
header.status-unfinished { border-left-color: #b45309; }
.facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 14px; margin: 0; }
.facts dt { color: var(--muted); }
.facts dd { margin: 0; overflow-wrap: anywhere; }
.muted { color: var(--muted); }
.small { font-size: 12px; }
.err { color: var(--err); font-weight: bold; }
.warn { color: var(--warn); }
table { border-collapse: collapse; width: 100%; font-size: 13px; }
th, td { text-align: left; vertical-align: top; padding: 5px 8px; border-bottom: 1px solid var(--line); }
th { background: #f8fafc; font-weight: 600; white-space: nowrap; }
table.outcomes td.key code, table.outcomes td.server code { overflow-wrap: anywhere; }
table.outcomes td.key { width: 17%; }
table.outcomes td.server { width: 17%; }
table.outcomes td.route { white-space: nowrap; }
table.outcomes td.message { width: 18%; }
table.outcomes td.hint { width: 24%; }
table.outcomes td.activity { white-space: nowrap; font-size: 12px; }
tr.outcome-failed td { background: #fef2f2; }
tr.outcome-failed td:first-child { box-shadow: inset 4px 0 0 #dc2626; }
tr.outcome-unfinished td { background: #fffbeb; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 10px; font-weight: bold; font-size: 12px; white-space: nowrap; color: #fff; }
.badge-done { background: #15803d; }
.badge-failed { background: #dc2626; }
.badge-unfinished { background: #b45309; }
.legend { display: flex; flex-wrap: wrap; gap: 4px 16px; margin: 4px 0; font-size: 12px; }
.key-item { display: inline-flex; align-items: center; gap: 6px; }
.swatch { display: inline-block; width: 18px; height: 11px; border-radius: 2px; vertical-align: middle; margin-right: 4px; }
.swatch.hatched { background: repeating-linear-gradient(45deg, #2563eb 0 2px, #bfdbfe 2px 6px); }
.dot { display: inline-flex; width: 15px; height: 15px; border-radius: 50%; color: #fff; font-size: 10px; font-weight: bold; align-items: center; justify-content: center; }
.tick { display: inline-block; width: 1px; height: 10px; background: #64748b; }
.tick-err { width: 2px; background: #dc2626; }
.scroll { overflow-x: auto; }
svg.timeline { display: block; }
svg.timeline a text:hover { text-decoration: underline; }
section.move { margin: 6px 0; border: 1px solid var(--line); border-radius: 6px; }
section.move.move-failed { border-color: #fca5a5; }
section.move > details > summary { cursor: pointer; padding: 8px 10px; background: #f8fafc; border-radius: 6px; }
section.move.move-failed > details > summary { background: #fef2f2; }
section.move > details > :not(summary) { margin-left: 12px; margin-right: 12px; }
section.move > details > table { width: calc(100% - 24px); }
section.move > details { padding-bottom: 8px; }
section.move:target { outline: 3px solid #6366f1; }
tr.unwatched td { color: var(--muted); font-style: italic; }
tr.call-failed td { background: #fef2f2; }
details.all-calls > summary { cursor: pointer; margin: 10px 0 6px; color: #3730a3; }
footer { margin-top: 30px; color: var(--muted); font-size: 12px; }
@media print { .scroll { overflow: visible; } details { display: block; } }
`;

// Following a link to a move opens its section, even when it was folded.
const SCRIPT = `
(function () {
  function openTarget() {
    var id = decodeURIComponent(location.hash.slice(1));
    var el = id && document.getElementById(id);
    var d = el && el.querySelector('details');
    if (d) d.open = true;
  }
  window.addEventListener('hashchange', openTarget);
  openTarget();
})();
`;
