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
  return lockfile.lock(dir, { lockfilePath: lock, stale: 30_000, update: 5_000, retries });
}
