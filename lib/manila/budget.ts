import type { Clock } from './http';

/**
 * A token bucket that bounds the request rate of one client, whatever the number of
 * migrations it watches. Requests a decision depends on wait for a token; requests that only
 * feed the display (`migration_get_progress`) are skipped when the bucket runs low, so they
 * never delay a decision.
 */

/** Options of a request budget. */
export interface RequestBudgetOptions {
  /** Requests per second, sustained. `Infinity` turns the budget off. @default 2 */
  readonly ratePerSecond?: number;
  /** Requests that may go at once after a quiet spell. @default 10 */
  readonly burst?: number;
  /** Injected time. */
  readonly clock: Clock;
}

/** How much a request matters. */
export type RequestPriority = 'decision' | 'display';

/** Default sustained request rate, in requests per second. */
export const DEFAULT_MAX_REQUEST_RATE = 2;

export class RequestBudget {
  /** Requests per second. */
  public readonly rate: number;
  private readonly burst: number;
  private readonly clock: Clock;
  private tokens: number;
  private refilledAt: number;
  /** Callers waiting for a token, first come first served. */
  private tail: Promise<void> = Promise.resolve();
  private waitedMs = 0;
  private skipped = 0;

  constructor(opts: RequestBudgetOptions) {
    this.rate = opts.ratePerSecond ?? DEFAULT_MAX_REQUEST_RATE;
    if (!(this.rate > 0)) throw new RangeError(`request rate must be above 0, got ${this.rate}`);
    this.burst = Math.max(1, opts.burst ?? 10);
    this.clock = opts.clock;
    this.tokens = this.burst;
    this.refilledAt = opts.clock.now();
  }

  /** Time spent waiting for tokens so far, in ms, and display requests skipped. */
  public get stats(): { readonly waitedMs: number; readonly skipped: number } {
    return { waitedMs: this.waitedMs, skipped: this.skipped };
  }

  private refill(): void {
    const now = this.clock.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.refilledAt) * this.rate) / 1000);
    this.refilledAt = now;
  }

  /**
   * Takes a token: a `decision` waits until one is free; a `display` request gets one only
   * when at least half the burst is left, else `false` at once.
   */
  public take(priority: RequestPriority = 'decision'): Promise<boolean> {
    if (!Number.isFinite(this.rate)) return Promise.resolve(true);
    if (priority === 'display') {
      this.refill();
      if (this.tokens < this.burst / 2) {
        this.skipped++;
        return Promise.resolve(false);
      }
      this.tokens -= 1;
      return Promise.resolve(true);
    }
    const turn = this.tail.then(() => this.acquire());
    this.tail = turn.then(
      () => undefined,
      () => undefined,
    );
    return turn.then(() => true);
  }

  private async acquire(): Promise<void> {
    for (;;) {
      this.refill();
      if (this.tokens >= 1) {
        this.tokens -= 1;
        return;
      }
      const ms = Math.ceil(((1 - this.tokens) * 1000) / this.rate);
      this.waitedMs += ms;
      await this.clock.sleep(ms);
    }
  }
}
