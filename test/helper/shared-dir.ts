import * as fs from 'node:fs';
import * as path from 'node:path';
import * as lockfile from 'proper-lockfile';

/**
 * Holds a directory of the repository that tests on different test beds write into (an
 * example's cdktf.out and snapshot): test files run side by side, and the Zed and Epoxy runs
 * of one file must not plan in one directory at once. Resolves with the release function.
 */
export async function holdDir(dir: string, waitMs = 900_000): Promise<() => Promise<void>> {
  const lock = path.join(dir, '.test-lock');
  fs.mkdirSync(dir, { recursive: true });
  const retries = { retries: Math.ceil(waitMs / 1000), factor: 1, minTimeout: 1000, maxTimeout: 1000 };
  // A holder's event loop can stand still for a while (resetTestbed runs the test bed's reset
  // synchronously, 30 s and more on a busy machine): a short stale time let proper-lockfile
  // declare the lock compromised and throw outside any test. Ten minutes only bounds how long a
  // killed worker's lock blocks the other run of the file.
  return lockfile.lock(dir, {
    lockfilePath: lock,
    stale: 600_000,
    update: 5_000,
    retries,
    onCompromised: (e) => console.warn(`test lock ${lock} was not kept fresh: ${e.message}`),
  });
}
