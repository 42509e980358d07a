/** ANSI colours, or none (NO_COLOR, --no-color, not a TTY). */
export interface Paint {
  readonly green: (s: string) => string;
  readonly yellow: (s: string) => string;
  readonly red: (s: string) => string;
  readonly cyan: (s: string) => string;
  readonly dim: (s: string) => string;
  readonly bold: (s: string) => string;
}

/** Colours when wanted. */
export function paint(enabled: boolean): Paint {
  const c = (code: string) => (s: string) => (enabled ? `\x1b[${code}m${s}\x1b[0m` : s);
  return { green: c('32'), yellow: c('33'), red: c('31'), cyan: c('36'), dim: c('2'), bold: c('1') };
}

/** Whether to colour a stream: a TTY, no NO_COLOR, no --no-color. */
export function colourWanted(stream: NodeJS.WriteStream, flag: boolean | undefined, env = process.env): boolean {
  if (flag === false) return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  return Boolean(stream.isTTY);
}
