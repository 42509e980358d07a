import { AsyncLocalStorage } from 'node:async_hooks';
import type { Clock } from '../util/clock';

/**
 * A token bucket that bounds the request rate of one client, whatever the number of
 * migrations it watches. Waiting requests are served by priority, first come first served
 * within one: what changes the cloud (and the read right before it) goes first, then the
 * reads decisions depend on, then the reads that only describe a move (its shares' export
 * locations, the checks after a switchover). Background reads leave the last few tokens to the
 * others, so a move that just finished phase 1 is completed without waiting behind them.
 * Requests that only feed the display (`migration_get_progress`) are skipped when the bucket
 * runs low, so they never delay anything.
 */

/** Options of a request budget. */
export interface RequestBudgetOptions {
  /** Requests per second, sustained. `Infinity` turns the budget off. @default 2 */
  readonly ratePerSecond?: number;
  /** Requests that may go at once after a quiet spell. @default 10 */
  readonly burst?: number;
  /**
   * Tokens only `urgent` and `decision` requests may take: `background` ones wait while the
   * bucket holds fewer than this plus one (at most the burst less one). @default 2
   */
  readonly reserve?: number;
  /** Injected time. */
  readonly clock: Clock;
}

/**
 * How much a request matters, most first: `urgent` (start, complete, cancel and the read
 * under a lock right before one), `decision` (the polls and lists decisions are made on),
 * `background` (reads that describe a move: impact and verification), `display` (skipped
 * when the bucket runs low).
 */
export type RequestPriority = 'urgent' | 'decision' | 'background' | 'display';

/** The priority requests made inside `fn` get when the caller names none. */
export function withPriority<T>(priority: RequestPriority, fn: () => Promise<T>): Promise<T> {
  return priorityScope.run(priority, fn);
}

/** The priority of the current async context (see withPriority). @default 'decision' */
export function currentPriority(): RequestPriority {
  return priorityScope.getStore() ?? 'decision';
}

const priorityScope = new AsyncLocalStorage<RequestPriority>();
const WAITING_ORDER = ['urgent', 'decision', 'background'] as const;
type WaitingPriority = (typeof WAITING_ORDER)[number];

/** Default sustained request rate, in requests per second. */
export const DEFAULT_MAX_REQUEST_RATE = 2;

/** A display-only request left out because the request budget ran low. */
export class BudgetSkipped extends Error {
  constructor(operation: string) {
    super(`${operation}: skipped to stay within the request budget`);
    this.name = 'BudgetSkipped';
  }
}

export class RequestBudget {
  /** Requests per second. */
  public readonly rate: number;
  private readonly burst: number;
  private readonly reserve: number;
  private readonly clock: Clock;
  private tokens: number;
  private refilledAt: number;
  /** Callers waiting for a token, by priority, first come first served within one. */
  private readonly waiting: Record<WaitingPriority, Array<() => void>> = { urgent: [], decision: [], background: [] };
  private pumping = false;
  /** The pump sleeps with tokens left, only because background reads wait for the reserve. */
  private holdingReserve = false;
  private waitedMs = 0;
  private skipped = 0;
  private grantedCount = 0;

  constructor(opts: RequestBudgetOptions) {
    this.rate = opts.ratePerSecond ?? DEFAULT_MAX_REQUEST_RATE;
    if (!(this.rate > 0)) throw new RangeError(`request rate must be above 0, got ${this.rate}`);
    this.burst = Math.max(1, opts.burst ?? 10);
    this.reserve = Math.max(0, Math.min(opts.reserve ?? 2, this.burst - 1));
    this.clock = opts.clock;
    this.tokens = this.burst;
    this.refilledAt = opts.clock.now();
  }

  /** Requests let through so far (every one when the budget is off): what the live view's rate is measured on. */
  public get granted(): number {
    return this.grantedCount;
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

  /** Refills, then takes one token if at least `need` are there. */
  private takeIfAtLeast(need: number): boolean {
    this.refill();
    if (this.tokens < need) return false;
    this.tokens -= 1;
    return true;
  }

  /**
   * Takes a token: `display` gets one only when nobody waits and at least half the burst is
   * left, else `false` at once; every other priority waits its turn (background ones also for
   * the reserve).
   */
  public take(priority: RequestPriority = currentPriority()): Promise<boolean> {
    if (!Number.isFinite(this.rate)) return this.grant();
    if (priority === 'display') {
      if (this.queued() === 0 && this.takeIfAtLeast(this.burst / 2)) return this.grant();
      this.skipped++;
      return Promise.resolve(false);
    }
    // Only background reads wait, for the reserve, which this one may take: go now.
    const onlyReserveHeld = this.holdingReserve && !this.waiting.urgent.length && !this.waiting.decision.length;
    if (priority !== 'background' && onlyReserveHeld && this.takeIfAtLeast(1)) return this.grant();
    return new Promise<boolean>((resolve) => {
      this.waiting[priority].push(() => {
        this.grantedCount++;
        resolve(true);
      });
      void this.pump();
    });
  }

  private grant(): Promise<boolean> {
    this.grantedCount++;
    return Promise.resolve(true);
  }

  /** Tokens free now for new requests (those already waiting served first); may be below 0. */
  public available(): number {
    if (!Number.isFinite(this.rate)) return Infinity;
    this.refill();
    return this.tokens - this.queued();
  }

  private queued(): number {
    return WAITING_ORDER.reduce((n, p) => n + this.waiting[p].length, 0);
  }

  /** Hands out tokens, most important waiter first, sleeping while the bucket is empty (or, for background reads, down to the reserve). */
  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      for (;;) {
        const priority = WAITING_ORDER.find((p) => this.waiting[p].length > 0);
        if (!priority) return;
        const need = priority === 'background' ? 1 + this.reserve : 1;
        if (this.takeIfAtLeast(need)) {
          this.waiting[priority].shift()!();
          continue;
        }
        // One token at a time: an urgent or decision request that comes meanwhile is served at
        // the next token, or at once in take() while only background reads wait for the reserve.
        const target = Math.min(need, Math.floor(this.tokens) + 1);
        const ms = Math.ceil(((target - this.tokens) * 1000) / this.rate);
        this.waitedMs += ms;
        this.holdingReserve = this.tokens >= 1;
        try {
          await this.clock.sleep(ms);
        } finally {
          this.holdingReserve = false;
        }
      }
    } finally {
      this.pumping = false;
    }
  }
}
