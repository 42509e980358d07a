import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as lockfile from 'proper-lockfile';
import { ManilaPlacementError } from '../errors';

/**
 * Inter-process locks, with proper-lockfile (mkdir locks, kept fresh by mtime, stale after
 * 20 s so a killed runner blocks nobody for long). One lock per cloud serialises "count what
 * Manila shows in flight, then start", so two runners on one machine never both take the last
 * free slot; one lock per share server serialises `migration_complete`, which Manila records
 * only when the destination's manager picks it up, so a second runner must not send it again.
 *
 * Across machines nothing is shared but Manila: two machines may both see a free slot and both
 * start (one migration over the limit at worst per machine), and the next admission of either
 * reports the overshoot.
 */

/** The locks a run takes. */
export interface RunLocks {
  /** Runs `fn` holding the cloud's admission lock. */
  cloud<T>(fn: () => Promise<T>): Promise<T>;
  /** Runs `fn` holding the lock of one share server. */
  server<T>(serverId: string, fn: () => Promise<T>): Promise<T>;
}

/** Locks that lock nothing: for a single process that owns the cloud (tests, the simulator). */
export const NO_LOCKS: RunLocks = {
  cloud: (fn) => fn(),
  server: (_id, fn) => fn(),
};

/** Where lock files live: MANILA_PLACEMENT_LOCK_DIR, else `<tmp>/manila-placement-locks`. */
export function defaultLockDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.MANILA_PLACEMENT_LOCK_DIR || path.join(os.tmpdir(), 'manila-placement-locks');
}

/** A short stable name for a cloud: the hash of its Keystone URL and Manila endpoint. */
export function cloudKey(authUrl: string, endpoint: string): string {
  return createHash('sha256').update(`${authUrl} ${endpoint}`).digest('hex').slice(0, 16);
}

/** The lock could not be taken in time. */
export class LockTimeoutError extends ManilaPlacementError {
  constructor(file: string, waitedMs: number) {
    super(
      'MP_LOCK_TIMEOUT',
      `Another manila-placement run held ${file} for more than ${Math.round(waitedMs / 1000)} s.`,
      'Another runner is admitting or completing migrations on this machine; run apply again. A lock older than 20 s is taken over automatically.',
    );
  }
}

const STALE_MS = 20_000;
const RETRY_MS = 200;

/** File locks under `dir` for the cloud `key`. `waitMs` bounds the wait for a lock. */
export function fileLocks(dir: string, key: string, opts: { waitMs?: number } = {}): RunLocks {
  const waitMs = opts.waitMs ?? 180_000;
  const hold = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const file = path.join(dir, name);
    let release: () => Promise<void>;
    try {
      release = await lockfile.lock(file, {
        realpath: false,
        stale: STALE_MS,
        update: STALE_MS / 4,
        retries: { retries: Math.ceil(waitMs / RETRY_MS), factor: 1, minTimeout: RETRY_MS, maxTimeout: RETRY_MS },
        // A lock whose mtime could not be refreshed: the work under it is short and safe to
        // finish; the next admission counts from Manila again.
        onCompromised: () => undefined,
      });
    } catch (e) {
      if ((e as { code?: string }).code === 'ELOCKED') throw new LockTimeoutError(`${file}.lock`, waitMs);
      throw e;
    }
    try {
      return await fn();
    } finally {
      await release().catch(() => undefined);
    }
  };
  return {
    cloud: (fn) => hold(`${key}.admission`, fn),
    server: (id, fn) => hold(`${key}.server-${id.replace(/[^A-Za-z0-9-]/g, '_')}`, fn),
  };
}
