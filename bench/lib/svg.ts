/**
 * A small SVG timeline chart, written by hand (no dependency): panels of rows, each row a
 * sequence of coloured segments on a shared time axis in seconds.
 */

/** What a segment stands for; sets its colour and height. */
export type SegmentKind = 'tool' | 'phase1' | 'wait' | 'completion';

/** A stretch of one row, seconds from the panel's origin. */
export interface Segment {
  readonly from: number;
  readonly to: number;
  readonly kind: SegmentKind;
}

/** One row: a server in one tool's run. */
export interface Row {
  readonly label: string;
  readonly segments: readonly Segment[];
}

/** A group of rows with a heading, and the tool's whole run as a dashed end line. */
export interface Panel {
  readonly title: string;
  readonly rows: readonly Row[];
  /** Process wall time of the tool, drawn as a dashed line. */
  readonly endS?: number;
}

const COLOURS: Record<SegmentKind, string> = { tool: '#9c9c9c', phase1: '#4e79a7', wait: '#f28e2b', completion: '#59a14f' };
const LEGEND: Array<[SegmentKind, string]> = [
  ['tool', "tool's own time (before start accepted, after destination active)"],
  ['phase1', 'phase 1 (start accepted → phase1_done)'],
  ['wait', 'waiting for complete (phase1_done → complete received)'],
  ['completion', 'completion (complete received → destination active)'],
];

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const f1 = (x: number): string => (Math.round(x * 10) / 10).toString();

/** Renders panels on one time axis. */
export function timelineSvg(title: string, subtitle: string, panels: readonly Panel[]): string {
  const W = 980;
  const LABEL = 170;
  const RIGHT = 20;
  const ROW = 18;
  const BAR = 12;
  const plotW = W - LABEL - RIGHT;
  const maxS = Math.max(1, ...panels.flatMap((p) => [p.endS ?? 0, ...p.rows.flatMap((r) => r.segments.map((s) => s.to))]));
  const step = [1, 2, 5, 10, 15, 20, 30, 60, 120, 300].find((s) => maxS / s <= 12) ?? 600;
  const axisMax = Math.ceil(maxS / step) * step;
  const x = (s: number): number => LABEL + (Math.max(0, s) / axisMax) * plotW;

  const out: string[] = [];
  let y = 20;
  out.push(`<text x="${LABEL}" y="${y}" font-size="15" font-weight="bold">${esc(title)}</text>`);
  y += 18;
  out.push(`<text x="${LABEL}" y="${y}" font-size="11" fill="#555">${esc(subtitle)}</text>`);
  y += 14;
  // Legend.
  let lx = LABEL;
  for (const [kind, text] of LEGEND) {
    const width = 18 + text.length * 5.2;
    if (lx > LABEL && lx + width > W - RIGHT) {
      lx = LABEL;
      y += 16;
    }
    const h = kind === 'tool' ? 4 : BAR;
    out.push(`<rect x="${lx}" y="${y + (BAR - h) / 2}" width="14" height="${h}" fill="${COLOURS[kind]}"/>`);
    out.push(`<text x="${lx + 18}" y="${y + 10}" font-size="10">${esc(text)}</text>`);
    lx += width + 14;
  }
  y += 26;
  const plotTop = y;
  for (const p of panels) {
    out.push(`<text x="8" y="${y + 12}" font-size="12" font-weight="bold">${esc(p.title)}</text>`);
    y += 20;
    const top = y;
    for (const r of p.rows) {
      out.push(`<text x="${LABEL - 6}" y="${y + BAR - 2}" font-size="10" text-anchor="end" font-family="monospace">${esc(r.label)}</text>`);
      for (const s of r.segments) {
        if (!(s.to > s.from)) continue;
        const h = s.kind === 'tool' ? 4 : BAR;
        out.push(
          `<rect x="${f1(x(s.from))}" y="${f1(y + (BAR - h) / 2)}" width="${f1(Math.max(0.5, x(s.to) - x(s.from)))}" height="${h}" fill="${COLOURS[s.kind]}"><title>${esc(`${r.label}: ${s.kind} ${f1(s.from)}–${f1(s.to)} s (${f1(s.to - s.from)} s)`)}</title></rect>`,
        );
      }
      y += ROW;
    }
    if (p.endS !== undefined) {
      // The label goes under the lanes: above them it ran into the panel's heading.
      const ex = f1(x(p.endS));
      out.push(`<line x1="${ex}" y1="${top - 4}" x2="${ex}" y2="${y + 2}" stroke="#333" stroke-dasharray="4 3"/>`);
      out.push(`<text x="${ex}" y="${y + 12}" font-size="10" text-anchor="${p.endS / axisMax > 0.85 ? 'end' : 'middle'}">process ends ${f1(p.endS)} s</text>`);
      y += 12;
    }
    y += 14;
  }
  // Axis and grid.
  const grid: string[] = [];
  for (let s = 0; s <= axisMax + 1e-9; s += step) {
    grid.push(`<line x1="${f1(x(s))}" y1="${plotTop}" x2="${f1(x(s))}" y2="${y}" stroke="#e4e4e4"/>`);
    grid.push(`<text x="${f1(x(s))}" y="${y + 14}" font-size="10" text-anchor="middle">${s}</text>`);
  }
  grid.push(`<text x="${LABEL + plotW / 2}" y="${y + 30}" font-size="11" text-anchor="middle">seconds since the tool was started</text>`);
  const H = y + 40;
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="Helvetica, Arial, sans-serif">\n` +
    `<rect width="${W}" height="${H}" fill="#ffffff"/>\n` +
    [...grid, ...out].join('\n') +
    '\n</svg>\n'
  );
}
