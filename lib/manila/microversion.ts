/** Manila API microversions: `2.57`-style strings compared numerically, part by part. */

/** The oldest microversion with share server migration. */
export const MIN_MICROVERSION = '2.57';

/**
 * The newest microversion this client asks for. Every field it reads is optional, so later
 * versions that add fields are fine; tested live against Zed (2.73) and Epoxy (2.89); recordings in
 * test/fixtures/releases/.
 */
export const MAX_MICROVERSION = '2.95';

/** Parses `2.57` into `[2, 57]`; `undefined` when it is not a microversion. */
export function parseMicroversion(v: string): [number, number] | undefined {
  const m = /^\s*(\d+)\.(\d+)\s*$/.exec(v);
  return m ? [Number(m[1]), Number(m[2])] : undefined;
}

/** Negative, zero or positive as a < b, a = b, a > b. */
export function compareMicroversions(a: string, b: string): number {
  const pa = parseMicroversion(a);
  const pb = parseMicroversion(b);
  if (!pa || !pb) throw new Error(`not a microversion: ${!pa ? a : b}`);
  return pa[0] - pb[0] || pa[1] - pb[1];
}

/** The smallest of the given microversions. */
export function minMicroversion(...vs: string[]): string {
  return vs.reduce((m, v) => (compareMicroversions(v, m) < 0 ? v : m));
}
