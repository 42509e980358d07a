/**
 * Backend host names as share server migration takes them: `name@backend`, never a pool.
 * Manila answers 500 to a host without `@` and 400 to one with `#pool`, so we check first.
 */

/** What is wrong with a destination host, or `undefined` when it is well formed. */
export function hostProblem(host: string): string | undefined {
  if (host.includes('#')) {
    return `"${host}" names a pool; share server migration moves a whole server to a backend host and takes no pool (use "${host.split('#')[0]}")`;
  }
  const at = host.indexOf('@');
  if (at <= 0 || at === host.length - 1 || host.indexOf('@', at + 1) !== -1) {
    return `"${host}" is not of the form hostname@backend (for example "node1@beta")`;
  }
  if (/\s/.test(host)) return `"${host}" contains white space`;
  return undefined;
}

/** True when `host` is `name@backend` with no pool. */
export function isValidHost(host: string): boolean {
  return hostProblem(host) === undefined;
}

/** The backend name (the part after `@`), which Manila compares to refuse same-backend moves. */
export function backendName(host: string): string {
  const at = host.indexOf('@');
  return at < 0 ? host : host.slice(at + 1).split('#')[0];
}
