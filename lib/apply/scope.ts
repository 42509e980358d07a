import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Which move the current code runs for, so that HTTP exchanges (seen deep in the client) can be
 * attributed to a move in the journal and in the per-move API call counts.
 */
export const moveScope = new AsyncLocalStorage<{ readonly key: string }>();

/** Counts API calls per move key (and `-` for calls outside any move). */
export class CallCounter {
  private readonly counts = new Map<string, number>();
  /** Records one exchange for the move running now. */
  public add(): void {
    const key = moveScope.getStore()?.key ?? '-';
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }
  /** Calls made for one move. */
  public of(key: string): number {
    return this.counts.get(key) ?? 0;
  }
  /** All calls. */
  public total(): number {
    let n = 0;
    for (const v of this.counts.values()) n += v;
    return n;
  }
}
