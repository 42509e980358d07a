import { execFileSync } from 'node:child_process';

/**
 * The commit of the tree and how many lib/ files differ from it, for a bench's report: the runs
 * measure the working tree, which another engineer may be editing. Read-only git calls;
 * `undefined` outside a git checkout.
 */
export function libVersion(repo: string): { commit: string; dirtyFiles: number } | undefined {
  try {
    const commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: repo, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['--no-optional-locks', 'status', '--porcelain', '--', 'lib'], { cwd: repo, encoding: 'utf8' }).split('\n').filter(Boolean).length;
    return { commit, dirtyFiles: dirty };
  } catch {
    return undefined;
  }
}
