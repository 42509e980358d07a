import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** Points the runner's default file locks at a fresh temporary directory (they stay the real proper-lockfile locks). */
export function useTempLockDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mp-sim-locks-'));
  process.env.MANILA_PLACEMENT_LOCK_DIR = dir;
  return dir;
}
