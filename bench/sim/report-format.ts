import type { Stats } from './production';

/** The numbers of the simulator's reports (simulation.md, shares.md), written one way. */

/** Milliseconds as hours, 2 decimals. */
export const h = (ms: number): string => (ms / 3_600_000).toFixed(2);
/** A whole number with thousands separators. */
export const n0 = (x: number): string => Math.round(x).toLocaleString('en-US');
/** One decimal. */
export const n1 = (x: number): string => x.toFixed(1);
/** p50, p95 and max of a distribution, each divided by `scale`, with `unit`; '–' when empty. */
export const st = (s: Stats, unit = '', scale = 1): string =>
  s.n ? `p50 ${n1(s.p50 / scale)}${unit}, p95 ${n1(s.p95 / scale)}${unit}, max ${n1(s.max / scale)}${unit}` : '–';
