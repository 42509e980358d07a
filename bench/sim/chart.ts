/**
 * The in-flight chart of the production runs (bench/results/simulation-inflight.svg), written
 * by hand like bench/lib/svg.ts: for each run a panel of the total in flight with the parallel
 * limit, then one small panel per destination host with its limit, on one time axis in virtual
 * hours. Step lines: a count holds until the next state change.
 */

/** One run's series. */
export interface ChartRun {
  readonly title: string;
  /** Change points [virtual ms from the start, count] of the total. */
  readonly total: ReadonlyArray<readonly [number, number]>;
  readonly totalLimit: number;
  /** Per destination host, change points. */
  readonly perHost: ReadonlyArray<{ readonly host: string; readonly points: ReadonlyArray<readonly [number, number]> }>;
  readonly hostLimit: number;
  /** Where windows are open, [from, to] ms from the start. */
  readonly windows?: ReadonlyArray<readonly [number, number]>;
  /** Run end (ms from the start), drawn dashed. */
  readonly endMs: number;
}

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const f1 = (x: number): string => (Math.round(x * 10) / 10).toString();

/** Renders the runs on one time axis. */
export function inflightSvg(title: string, subtitle: string, runs: readonly ChartRun[]): string {
  const W = 1000;
  const LABEL = 150;
  const RIGHT = 20;
  const plotW = W - LABEL - RIGHT;
  const maxMs = Math.max(1, ...runs.map((r) => r.endMs));
  const hours = maxMs / 3_600_000;
  const stepH = [1, 2, 4, 6, 12, 24].find((s) => hours / s <= 14) ?? 48;
  const axisH = Math.ceil(hours / stepH) * stepH;
  const x = (ms: number): number => LABEL + (Math.max(0, ms) / (axisH * 3_600_000)) * plotW;
  const out: string[] = [];
  const grid: string[] = [];
  // Heading block first, with its own height: no label may reach into it.
  out.push(`<text x="${LABEL}" y="22" font-size="15" font-weight="bold">${esc(title)}</text>`);
  out.push(`<text x="${LABEL}" y="40" font-size="11" fill="#555">${esc(subtitle)}</text>`);
  out.push(`<rect x="${LABEL}" y="50" width="14" height="8" fill="#e8f3e8"/><text x="${LABEL + 18}" y="58" font-size="10">completion window open</text>`);
  out.push(
    `<line x1="${LABEL + 160}" y1="54" x2="${LABEL + 180}" y2="54" stroke="#d62728" stroke-dasharray="5 3"/><text x="${
      LABEL + 184
    }" y="58" font-size="10">limit</text>`
  );
  out.push(
    `<line x1="${LABEL + 230}" y1="54" x2="${LABEL + 250}" y2="54" stroke="#4e79a7" stroke-width="1.5"/><text x="${
      LABEL + 254
    }" y="58" font-size="10">migrations in flight (Manila's records, every state change)</text>`
  );
  let y = 80;
  const plotTop = y;
  const panel = (label: string, points: ReadonlyArray<readonly [number, number]>, limit: number, h: number, r: ChartRun, bold = false): void => {
    const top = y;
    const max = Math.max(limit, ...points.map((p) => p[1])) * 1.15;
    const py = (n: number): number => top + h - (n / max) * h;
    for (const [a, b] of r.windows ?? []) out.push(`<rect x="${f1(x(a))}" y="${top}" width="${f1(Math.max(0.5, x(b) - x(a)))}" height="${h}" fill="#e8f3e8"/>`);
    out.push(`<rect x="${LABEL}" y="${top}" width="${plotW}" height="${h}" fill="none" stroke="#ccc"/>`);
    out.push(
      `<text x="${LABEL - 6}" y="${top + h / 2 + 4}" font-size="10" text-anchor="end" font-family="monospace"${bold ? ' font-weight="bold"' : ''}>${esc(
        label
      )}</text>`
    );
    out.push(`<line x1="${LABEL}" y1="${f1(py(limit))}" x2="${LABEL + plotW}" y2="${f1(py(limit))}" stroke="#d62728" stroke-dasharray="5 3"/>`);
    out.push(`<text x="${LABEL + plotW - 2}" y="${f1(py(limit) - 2)}" font-size="9" text-anchor="end" fill="#d62728">${limit}</text>`);
    let d = `M${f1(x(0))},${f1(py(0))}`;
    let prev = 0;
    for (const [t, n] of points) {
      d += ` L${f1(x(t))},${f1(py(prev))} L${f1(x(t))},${f1(py(n))}`;
      prev = n;
    }
    d += ` L${f1(x(r.endMs))},${f1(py(prev))}`;
    out.push(`<path d="${d}" fill="none" stroke="#4e79a7" stroke-width="${bold ? 1.2 : 1}"/>`);
    y += h + 6;
  };
  for (const r of runs) {
    out.push(`<text x="8" y="${y + 12}" font-size="12" font-weight="bold">${esc(r.title)}</text>`);
    y += 20;
    const top = y;
    panel('total', r.total, r.totalLimit, 70, r, true);
    for (const h of r.perHost) panel(h.host, h.points, r.hostLimit, 26, r);
    const ex = f1(x(r.endMs));
    out.push(`<line x1="${ex}" y1="${top}" x2="${ex}" y2="${y - 6}" stroke="#333" stroke-dasharray="4 3"/>`);
    out.push(
      `<text x="${ex}" y="${top - 4}" font-size="10" text-anchor="${r.endMs / (axisH * 3_600_000) > 0.8 ? 'end' : 'start'}">done at ${f1(
        r.endMs / 3_600_000
      )} h</text>`
    );
    y += 14;
  }
  for (let h = 0; h <= axisH + 1e-9; h += stepH) {
    grid.push(`<line x1="${f1(x(h * 3_600_000))}" y1="${plotTop}" x2="${f1(x(h * 3_600_000))}" y2="${y}" stroke="#eee"/>`);
    grid.push(`<text x="${f1(x(h * 3_600_000))}" y="${y + 14}" font-size="10" text-anchor="middle">${h}</text>`);
  }
  grid.push(`<text x="${LABEL + plotW / 2}" y="${y + 30}" font-size="11" text-anchor="middle">virtual hours since the run started</text>`);
  const H = y + 40;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="Helvetica, Arial, sans-serif">\n<rect width="${W}" height="${H}" fill="#ffffff"/>\n${[
    ...grid,
    ...out,
  ].join('\n')}\n</svg>\n`;
}
