import type { RunLocks } from '../../lib/apply/lock';

/**
 * The runner's own file locks (lib/apply/lock.ts, proper-lockfile), with their file-system
 * steps taken one at a time in the order they were asked for. Why: in virtual time, two locks
 * asked for at the same instant (two completes, a complete and an admission) are both real
 * mkdir calls, and the thread pool finishes them in whatever order it likes; the holders then
 * queue for the request budget in that order, and the run diverges from there. Serialising the
 * acquisitions and the releases (never the work done under a lock) makes a seed name one run
 * again. The locks themselves, their files and their semantics are unchanged.
 */
export function orderedLocks(inner: RunLocks): RunLocks {
  let gate: Promise<void> = Promise.resolve();
  /** Runs `step` after every step asked for before it; the next one waits until `step` says done. */
  const inTurn = (step: (done: () => void) => void): void => {
    const prev = gate;
    gate = new Promise<void>((next) => void prev.then(() => step(next)));
  };
  const hold = <T>(take: (fn: () => Promise<T>) => Promise<T>, fn: () => Promise<T>): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      inTurn((acquired) => {
        let released: (() => void) | undefined;
        take(async () => {
          acquired();
          try {
            return await fn();
          } finally {
            // The release (an rmdir) waits for its turn too.
            await new Promise<void>((turn) =>
              inTurn((done) => {
                released = done;
                turn();
              })
            );
          }
        })
          .then(resolve, reject)
          .finally(() => {
            if (released) released();
            else acquired(); // the lock was never taken: free the turn
          });
      });
    });
  return {
    cloud: (fn) => hold((g) => inner.cloud(g), fn),
    server: (id, fn) => hold((g) => inner.server(id, g), fn),
  };
}
