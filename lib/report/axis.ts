/**
 * The time axis of the timeline: piecewise linear, with long idle gaps between runs cut down to
 * a fixed-width break. Passes of `apply --no-wait` last seconds and come minutes or hours apart;
 * on a plain linear axis every run would be a hairline. Pure.
 */

/** One stretch of the axis. */
export interface AxisPiece {
  readonly from: number;
  readonly to: number;
  readonly x0: number;
  readonly x1: number;
  /** A shortened gap: its width says nothing of its duration (its label does). */
  readonly broken: boolean;
}

/** A tick on the axis. */
export interface AxisTick {
  readonly at: number;
  readonly x: number;
  readonly label: string;
}

/** Maps times to x positions in [0, width]. */
export interface TimeScale {
  readonly from: number;
  readonly to: number;
  readonly width: number;
  readonly pieces: readonly AxisPiece[];
  /** x of a time; times outside the domain are clamped. */
  x(at: number): number;
  readonly ticks: readonly AxisTick[];
}

/** Options of {@link timeScale}. */
export interface ScaleOptions {
  /** Width of a shortened gap in px. @default 64 */
  readonly breakWidth?: number;
  /** Least distance between two ticks in px (keeps their labels apart). @default 96 */
  readonly tickSpacing?: number;
  /** Gaps shorter than this are never shortened. @default 60000 */
  readonly minBreakMs?: number;
}

const STEPS_MS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 172800, 604800].map((s) => s * 1000);

/**
 * A scale over `[from, to]` for a plot `width` px wide. `active` are the intervals when a run
 * was going; a gap between them is shortened when it is longer than twice the longest of them
 * (and than `minBreakMs`), so runs keep most of the width and each gap shows its length instead.
 */
export function timeScale(from: number, to: number, active: ReadonlyArray<readonly [number, number]>, width: number, opts: ScaleOptions = {}): TimeScale {
  const breakWidth = opts.breakWidth ?? 64;
  const minBreakMs = opts.minBreakMs ?? 60_000;
  // A journal of one instant still needs a non-empty axis.
  if (to - from < 1000) to = from + 1000;
  const merged = mergeIntervals(active.map(([a, b]) => [Math.max(from, a), Math.min(to, b)] as const).filter(([a, b]) => b >= a));
  const longest = Math.max(1000, ...merged.map(([a, b]) => b - a));
  // Stretches in order: active intervals and the gaps around them.
  const stretches: Array<{ from: number; to: number; broken: boolean }> = [];
  let t = from;
  for (const [a, b] of merged) {
    if (a > t) stretches.push(gap(t, a));
    stretches.push({ from: Math.max(t, a), to: b, broken: false });
    t = Math.max(t, b);
  }
  if (to > t) stretches.push(gap(t, to));
  function gap(a: number, b: number): { from: number; to: number; broken: boolean } {
    return { from: a, to: b, broken: b - a > Math.max(minBreakMs, 2 * longest) };
  }
  const brokenCount = stretches.filter((s) => s.broken).length;
  // Never let the breaks eat the plot: they get at most a third of it.
  const bw = brokenCount ? Math.min(breakWidth, width / 3 / brokenCount) : 0;
  const linearMs = stretches.filter((s) => !s.broken).reduce((n, s) => n + (s.to - s.from), 0);
  const k = linearMs > 0 ? (width - bw * brokenCount) / linearMs : 0;
  const pieces: AxisPiece[] = [];
  let x = 0;
  for (const s of stretches) {
    const w = s.broken ? bw : (s.to - s.from) * k;
    pieces.push({ from: s.from, to: s.to, x0: x, x1: x + w, broken: s.broken });
    x += w;
  }
  const xOf = (at: number): number => {
    if (at <= from) return 0;
    if (at >= to) return width;
    const p = pieces.find((q) => at >= q.from && at <= q.to) ?? pieces[pieces.length - 1];
    return p.to === p.from ? p.x0 : p.x0 + ((at - p.from) / (p.to - p.from)) * (p.x1 - p.x0);
  };
  return { from, to, width, pieces, x: xOf, ticks: ticksOf(pieces, k, from, to, opts.tickSpacing ?? 96) };
}

/** Sorted, overlapping or touching intervals merged. */
function mergeIntervals(xs: ReadonlyArray<readonly [number, number]>): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (const [a, b] of [...xs].sort((p, q) => p[0] - q[0])) {
    const last = out[out.length - 1];
    if (last && a <= last[1]) last[1] = Math.max(last[1], b);
    else out.push([a, b]);
  }
  return out;
}

/** Ticks at round UTC times, far enough apart for their labels, never inside or against a break. */
function ticksOf(pieces: readonly AxisPiece[], k: number, from: number, to: number, spacing: number): AxisTick[] {
  const step = STEPS_MS.find((s) => s * k >= spacing) ?? STEPS_MS[STEPS_MS.length - 1];
  const days = new Date(from).toISOString().slice(0, 10) !== new Date(to).toISOString().slice(0, 10);
  const label = (at: number): string => {
    const iso = new Date(at).toISOString();
    const time = step >= 60_000 && at % 60_000 === 0 ? iso.slice(11, 16) : iso.slice(11, 19);
    return days ? `${iso.slice(5, 10)} ${time}` : time;
  };
  const exact = (at: number): string => {
    const iso = new Date(at).toISOString();
    return days ? `${iso.slice(5, 10)} ${iso.slice(11, 19)}` : iso.slice(11, 19);
  };
  const half = spacing / 2;
  const ticks: AxisTick[] = [];
  for (const p of pieces) {
    if (p.broken) continue;
    // Keep labels clear of a neighbouring break's label; the plot's own ends need no margin.
    const lo = p.x0 + (p.x0 > 0 ? half : 0);
    const hi = p.x1 - (p.x1 < pieces[pieces.length - 1].x1 ? half : 0);
    const mine: AxisTick[] = [];
    for (let at = Math.ceil(p.from / step) * step; at <= p.to; at += step) {
      const x = p.x0 + (at - p.from) * k;
      if (x >= lo && x <= hi) mine.push({ at, x, label: label(at) });
    }
    if (!mine.length && p.x1 - p.x0 > 0) {
      // A short run between breaks: one label at its middle, at its exact time.
      const at = Math.round((p.from + p.to) / 2 / 1000) * 1000;
      const x = p.x0 + (at - p.from) * k;
      if (x >= p.x0 && x <= p.x1) mine.push({ at, x, label: exact(at) });
    }
    for (const t of mine) {
      const prev = ticks[ticks.length - 1];
      if (!prev || t.x - prev.x >= spacing) ticks.push(t);
    }
  }
  return ticks;
}
