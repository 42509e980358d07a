import { timeScale, type TimeScale } from './axis';
import { plural } from '../util/plural';
import { duration, esc, iso, roughDuration, shorten } from './format';
import { OUTCOME_WORD, outcomeLabel } from '../apply/outcome';
import { toneOf, type MoveView, type Rollout, type Segment, type SegmentKind, type Tone } from './rollout';

/**
 * The timeline of a rollout as one inline SVG: a time axis (UTC, long idle gaps shortened),
 * a lane with the runs, and one lane per move with its stages, its API calls as ticks (errors in
 * red) and its outcome. Pure. Text widths are estimated (no layout engine here), generously, so
 * a label is drawn only where it fits.
 */

/** Colour and name of each stage; the page's legend uses the same. */
export const KIND_STYLE: Readonly<Record<Exclude<SegmentKind, 'final'>, { readonly label: string; readonly fill: string; readonly text: string }>> = {
  queued: { label: 'queued', fill: '#94a3b8', text: '#0f172a' },
  check: { label: 'check & start', fill: '#0369a1', text: '#ffffff' },
  phase1: { label: 'phase 1', fill: '#2563eb', text: '#ffffff' },
  window: { label: 'waiting for window', fill: '#f59e0b', text: '#451a03' },
  completing: { label: 'completing', fill: '#7c3aed', text: '#ffffff' },
  verifying: { label: 'verify', fill: '#0d9488', text: '#ffffff' },
  cancelling: { label: 'cancelling', fill: '#ea580c', text: '#ffffff' },
  idle: { label: 'between runs', fill: '#cbd5e1', text: '#0f172a' },
};

/** Colour and mark of each outcome's tone (`toneOf`). */
export const OUTCOME_STYLE: Readonly<Record<Tone, { readonly fill: string; readonly mark: string; readonly tint: string }>> = {
  done: { fill: '#15803d', mark: '✓', tint: '#f0fdf4' },
  failed: { fill: '#dc2626', mark: '✕', tint: '#fef2f2' },
  unfinished: { fill: '#b45309', mark: '…', tint: '#fffbeb' },
};

// Layout, in px.
const WIDTH = 1320;
const LABEL_X = 8;
const LABEL_W = 288;
const PLOT_X0 = 312;
const PLOT_W = 860;
const OUT_X = 1190;
const OUT_W = WIDTH - OUT_X - 4;
const AXIS_Y = 26;
const RUN_Y = 32;
const RUN_H = 20;
const LANES_Y = 64;
const LANE_H = 50;
const BAR_DY = 8;
const BAR_H = 20;
/** Wide enough for `29 min 19 s` at 10 px. */
const BREAK_W = 84;
/** Room kept free at both ends of a bar label: the marker of a final phase sits on a bar's end. */
const BAR_PAD = 12;

const SANS = "'DejaVu Sans', system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif";
const MONO = "'DejaVu Sans Mono', Menlo, Consolas, monospace";

/** Generous width estimates of text at `size` px (DejaVu is among the widest common faces). */
const sansWidth = (s: string, size: number): number => s.length * size * 0.64;
const monoCharW = (size: number): number => size * 0.61;

/** The page's timeline. */
export function timelineSvg(r: Rollout): string {
  const active: Array<readonly [number, number]> = [...r.runs.map((x) => [x.from, x.to] as const), ...r.passes.map((p) => [p.from, p.to] as const)];
  const scale = timeScale(r.from, r.to, active, PLOT_W, { breakWidth: BREAK_W });
  const X = (at: number): number => round(PLOT_X0 + scale.x(at));
  const height = LANES_Y + r.moves.length * LANE_H + 10;
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" class="timeline" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" role="img" aria-label="Timeline of ${esc(plural(r.moves.length, 'move'))} across ${esc(plural(r.runs.length, 'run'))}" font-family="${SANS}" font-size="11">`,
  );
  out.push(defs());
  // Lane backgrounds first: everything else draws over them.
  r.moves.forEach((m, i) => {
    const y = LANES_Y + i * LANE_H;
    const failed = toneOf(m.final.outcome) === 'failed';
    const tint = failed ? OUTCOME_STYLE.failed.tint : i % 2 ? '#f8fafc' : '#ffffff';
    out.push(`<rect x="0" y="${y}" width="${WIDTH}" height="${LANE_H}" fill="${tint}"/>`);
    if (failed) out.push(`<rect x="0" y="${y}" width="4" height="${LANE_H}" fill="${OUTCOME_STYLE.failed.fill}"/>`);
  });
  out.push(breaks(scale, height));
  out.push(axis(scale, height));
  out.push(runsLane(r, X, height));
  r.moves.forEach((m, i) => out.push(lane(m, i, LANES_Y + i * LANE_H, X)));
  out.push('</svg>');
  return out.join('\n');
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}

function defs(): string {
  // Between runs nobody watched: the stage's colour, hatched.
  const patterns = Object.entries(KIND_STYLE).map(
    ([k, s]) =>
      `<pattern id="hatch-${k}" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="${s.fill}" fill-opacity="0.28"/><rect width="2.5" height="6" fill="${s.fill}"/></pattern>`,
  );
  return `<defs>${patterns.join('')}</defs>`;
}

/** Shortened gaps: a light band over every lane, a `//` on the axis, and the real length in the runs lane. */
function breaks(scale: TimeScale, height: number): string {
  return scale.pieces
    .filter((p) => p.broken)
    .map((p) => {
      const x0 = round(PLOT_X0 + p.x0);
      const x1 = round(PLOT_X0 + p.x1);
      const mid = round((x0 + x1) / 2);
      const label = roughDuration(p.to - p.from);
      return (
        `<g class="axis-break"><title>${esc(`${iso(p.from)} → ${iso(p.to)}: ${duration(p.to - p.from)} without a run (shortened on this axis)`)}</title>` +
        `<rect x="${x0}" y="${AXIS_Y}" width="${round(x1 - x0)}" height="${height - AXIS_Y}" fill="#e2e8f0" fill-opacity="0.55"/>` +
        `<path d="M${mid - 7} ${AXIS_Y + 5} l6 -10 M${mid + 1} ${AXIS_Y + 5} l6 -10" stroke="#475569" stroke-width="1.5"/>` +
        `<text x="${mid}" y="${RUN_Y + 14}" text-anchor="middle" font-size="10" fill="#334155">${esc(label)}</text></g>`
      );
    })
    .join('');
}

function axis(scale: TimeScale, height: number): string {
  const parts: string[] = [];
  parts.push(`<text x="${PLOT_X0 - 12}" y="${AXIS_Y - 8}" text-anchor="end" fill="#475569">time (UTC)</text>`);
  parts.push(`<line x1="${PLOT_X0}" y1="${AXIS_Y}" x2="${PLOT_X0 + PLOT_W}" y2="${AXIS_Y}" stroke="#94a3b8"/>`);
  const broken = scale.pieces.filter((p) => p.broken);
  for (const t of scale.ticks) {
    const x = round(PLOT_X0 + t.x);
    const w = sansWidth(t.label, 11);
    const [l, r] = t.x < w / 2 ? [t.x, t.x + w] : t.x > PLOT_W - w / 2 ? [t.x - w, t.x] : [t.x - w / 2, t.x + w / 2];
    // A label over a break's `//` would read as the time of the break.
    if (broken.some((p) => l < p.x1 + 2 && r > p.x0 - 2)) continue;
    parts.push(`<line x1="${x}" y1="${AXIS_Y - 4}" x2="${x}" y2="${height}" stroke="#e2e8f0"/>`);
    parts.push(`<line x1="${x}" y1="${AXIS_Y - 4}" x2="${x}" y2="${AXIS_Y}" stroke="#64748b"/>`);
    // Labels at the plot's ends grow inward: centred, they would run into the caption or off the plot.
    const half = sansWidth(t.label, 11) / 2;
    const anchor = t.x < half ? 'start' : t.x > PLOT_W - half ? 'end' : 'middle';
    parts.push(`<text x="${x}" y="${AXIS_Y - 8}" text-anchor="${anchor}" fill="#334155"><title>${esc(iso(t.at))}</title>${esc(t.label)}</text>`);
  }
  return `<g class="axis">${parts.join('')}</g>`;
}

function runsLane(r: Rollout, X: (at: number) => number, height: number): string {
  const parts: string[] = [`<text x="${LABEL_X}" y="${RUN_Y + 14}" font-weight="600" fill="#334155">runs</text>`];
  for (const run of r.runs) {
    const x0 = X(run.from);
    const w = Math.max(3, X(run.to) - x0);
    const xs = X(run.startedAt);
    const title = [
      `run ${run.index}${run.pid !== undefined ? ` (pid ${run.pid})` : ''}`,
      `${iso(run.from)} → ${iso(run.to)} (${duration(run.to - run.from)})`,
      run.ended ? `exit code ${run.exitCode ?? '?'}` : 'no end record: the process was killed, or is still running',
    ].join('\n');
    const name = [`run ${run.index} · ${duration(run.to - run.from)}`, `run ${run.index}`, String(run.index)].find((s) => sansWidth(s, 11) + 6 <= w);
    parts.push(
      `<g class="run" data-run="${run.index}"><title>${esc(title)}</title>` +
        `<line x1="${xs}" y1="${RUN_Y}" x2="${xs}" y2="${height}" stroke="#4f46e5" stroke-opacity="0.55" stroke-dasharray="4 3"/>` +
        `<rect x="${x0}" y="${RUN_Y}" width="${round(w)}" height="${RUN_H}" rx="3" fill="#e0e7ff" stroke="${run.ended ? '#6366f1' : '#dc2626'}"${run.ended ? '' : ' stroke-dasharray="3 2"'}/>` +
        (name ? `<text x="${round(x0 + w / 2)}" y="${RUN_Y + 14}" text-anchor="middle" fill="#312e81">${esc(name)}</text>` : '') +
        '</g>',
    );
    for (const s of run.signals) {
      const x = X(s.at);
      parts.push(`<path d="M${x - 5} ${RUN_Y - 2} h10 l-5 8 z" fill="#ea580c"><title>${esc(`${s.signal} (${s.count === 1 ? 'first: detach' : 'second: exit now'}) at ${iso(s.at)}`)}</title></path>`);
    }
  }
  for (const p of r.passes) {
    // At the pass's middle: its start is the edge of the break before it, where that break's label ends.
    const x = X((p.from + p.to) / 2);
    const what = p.kind === 'idle' ? 'apply pass with nothing to apply' : 'apply pass that stopped before a run began (planning or preflight error?)';
    const title = `${what}${p.pid !== undefined ? `, pid ${p.pid}` : ''}\n${iso(p.from)}\n${plural(p.calls, 'API call')}, ${plural(p.errors, 'error')}`;
    parts.push(
      `<circle class="pass pass-${p.kind}" cx="${x}" cy="${RUN_Y + RUN_H / 2}" r="4.5" fill="${p.kind === 'idle' ? '#94a3b8' : '#ffffff'}" stroke="${p.kind === 'idle' ? '#475569' : '#dc2626'}" stroke-width="1.5"><title>${esc(title)}</title></circle>`,
    );
  }
  return `<g class="runs">${parts.join('')}</g>`;
}

function segmentTitle(s: Segment): string {
  const what = s.kind === 'final' ? s.phases[0] : KIND_STYLE[s.kind].label;
  const where = s.run !== undefined ? `run ${s.run}` : 'between runs (not watched)';
  const lines = [`${what} (${s.phases.join(', ')}), ${where}`, s.kind === 'final' ? iso(s.from) : `${iso(s.from)} → ${iso(s.to)} (${duration(s.to - s.from)})`, ...s.notes];
  return lines.join('\n');
}

function lane(m: MoveView, i: number, y: number, X: (at: number) => number): string {
  const parts: string[] = [];
  const barY = y + BAR_DY;
  const o = OUTCOME_STYLE[toneOf(m.final.outcome)];
  // Label column: key and route; both link to the move's section below.
  const keyChars = Math.floor(LABEL_W / monoCharW(12));
  const route = `${m.from} → ${m.to}`;
  parts.push(
    `<a href="#move-${i + 1}"><title>${esc(`${m.key}\n${m.server}: ${route}`)}</title>` +
      `<text x="${LABEL_X + 4}" y="${y + 20}" font-family="${MONO}" font-size="12" font-weight="bold" fill="#0f172a">${esc(shorten(m.key, keyChars))}</text>` +
      `<text x="${LABEL_X + 4}" y="${y + 37}" fill="#475569">${esc(shorten(route, Math.floor(LABEL_W / (11 * 0.64))))}</text></a>`,
  );
  for (const s of m.segments) {
    if (s.kind === 'final') continue;
    const st = KIND_STYLE[s.kind];
    const x0 = X(s.from);
    const w = Math.max(2, X(s.to) - x0);
    const fill = s.watched ? st.fill : `url(#hatch-${s.kind})`;
    const name = st.label;
    const text = [`${name} · ${duration(s.to - s.from)}`, name, duration(s.to - s.from)].find((t) => sansWidth(t, 11) + 2 * BAR_PAD <= w);
    parts.push(
      `<g class="segment seg-${s.kind}${s.watched ? '' : ' unwatched'}"><title>${esc(segmentTitle(s))}</title>` +
        `<rect x="${x0}" y="${barY}" width="${round(w)}" height="${BAR_H}" fill="${fill}"${s.watched ? '' : ` stroke="${st.fill}"`}/>` +
        (text
          ? `<text x="${round(x0 + w / 2)}" y="${barY + 14}" text-anchor="middle" fill="${s.watched ? st.text : '#0f172a'}"${s.watched ? '' : ' stroke="#ffffff" stroke-width="3" paint-order="stroke"'}>${esc(text)}</text>`
          : '') +
        '</g>',
    );
  }
  // API calls as ticks under the bar: one path for all (a long move has thousands), errors apart with their own tooltip.
  const ok = m.calls.filter((c) => !c.failed);
  if (ok.length) {
    // Polls closer than a pixel are one tick: the same picture, a fraction of the page.
    const d = [...new Set(ok.map((c) => Math.round(X(c.at) * 2) / 2))].map((x) => `M${x} ${barY + BAR_H + 5}v6`).join('');
    parts.push(`<path class="calls" d="${d}" stroke="#64748b" stroke-opacity="0.8" stroke-width="1"><title>${esc(plural(m.calls.length, 'API call'))}</title></path>`);
  }
  for (const c of m.errors) {
    const x = X(c.at);
    parts.push(
      `<path class="call-error" d="M${x} ${barY + BAR_H + 3}v10 M${x - 4} ${barY + BAR_H + 13}h8" stroke="#dc2626" stroke-width="2"><title>${esc(`${iso(c.at)} ${c.operation}: ${c.status ?? c.error}${c.requestId ? ` [${c.requestId}]` : ''}`)}</title></path>`,
    );
  }
  // Final phases: where a run left the move; the last one in the outcome's colour and size.
  const finals = m.segments.filter((s) => s.kind === 'final');
  finals.forEach((s, j) => {
    const x = X(s.from);
    const cy = barY + BAR_H / 2;
    const so = OUTCOME_STYLE[toneOf(s.outcome ?? 'unfinished')];
    if (j < finals.length - 1) {
      parts.push(`<path class="final-mark" d="M${x} ${cy - 6} l6 6 l-6 6 l-6 -6 z" fill="${so.fill}" stroke="#ffffff" stroke-width="1.5"><title>${esc(segmentTitle(s))}</title></path>`);
    } else {
      parts.push(
        `<g class="final-mark final-${s.outcome}"><title>${esc(segmentTitle(s))}</title><circle cx="${x}" cy="${cy}" r="9" fill="${so.fill}" stroke="#ffffff" stroke-width="2"/>` +
          `<text x="${x}" y="${cy + 4}" text-anchor="middle" font-size="12" font-weight="bold" fill="#ffffff">${so.mark}</text></g>`,
      );
    }
  });
  // Outcome column: the outcome as the header counts it, then the code (or the phase, where it says more).
  const word = OUTCOME_WORD[m.final.outcome];
  const detail = m.final.code ?? (m.final.phase !== word ? m.final.phase : undefined);
  parts.push(
    `<g class="lane-outcome"><title>${esc(`${outcomeLabel(m.final.phase)}${m.final.code ? `: ${m.final.code}` : ''}`)}</title>` +
      `<text x="${OUT_X}" y="${y + 20}" font-size="12" font-weight="bold" fill="${o.fill}">${esc(`${o.mark} ${shorten(word, 16)}`)}</text>` +
      (detail ? `<text x="${OUT_X}" y="${y + 37}" font-family="${MONO}" font-size="10" fill="#334155">${esc(shorten(detail, Math.floor(OUT_W / monoCharW(10))))}</text>` : '') +
      '</g>',
  );
  return `<g class="lane" data-key="${esc(m.key)}" data-outcome="${m.final.outcome}">${parts.join('')}</g>`;
}
