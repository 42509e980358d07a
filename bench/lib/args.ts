/** The one reading of a bench script's command line: `--name value` and `--flag`. */

/** The value after `name`, or `fallback` (`undefined` without one). */
export function arg(name: string): string | undefined;
export function arg(name: string, fallback: string): string;
export function arg(name: string, fallback?: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

/** Whether `name` is on the command line. */
export function flag(name: string): boolean {
  return process.argv.includes(name);
}
