/**
 * Host patterns: which manila-share hosts a rebalance considers, written as a glob on the whole
 * `name@backend` (`*` any run of characters, `?` one character, e.g. `node*@netapp*`) or as a
 * regular expression between slashes (`/^node[12]@(alpha|beta)$/`, flag `i` allowed), which
 * matches anywhere unless anchored.
 */

/** A compiled host pattern. */
export type HostMatcher = (host: string) => boolean;

const REGEX_FORM = /^\/(.+)\/([a-z]*)$/s;

function globToRegExp(glob: string): RegExp {
  const body = glob.replace(/[.+^${}()|[\]\\/]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`);
}

/** What is wrong with a pattern, or `undefined` when it compiles. */
export function hostPatternProblem(pattern: string): string | undefined {
  if (pattern.trim().length === 0) return 'is empty';
  const m = REGEX_FORM.exec(pattern);
  if (!m) return /\s/.test(pattern) ? 'contains white space, which no host name has' : undefined;
  const flags = m[2];
  if (/[^i]/.test(flags)) return `has the regular expression flags "${flags}"; only "i" is allowed (g and y make matching stateful)`;
  try {
    new RegExp(m[1], flags);
  } catch (e) {
    return `is not a valid regular expression (${(e as Error).message})`;
  }
  return undefined;
}

/**
 * Compiles a pattern.
 * @throws Error when `hostPatternProblem` reports a problem (constructs check first).
 */
export function compileHostPattern(pattern: string): HostMatcher {
  const problem = hostPatternProblem(pattern);
  if (problem) throw new Error(`host pattern "${pattern}" ${problem}`);
  const m = REGEX_FORM.exec(pattern);
  const re = m ? new RegExp(m[1], m[2]) : globToRegExp(pattern);
  return (host) => re.test(host);
}
