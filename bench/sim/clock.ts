import type { Clock } from '../../lib/util/clock';
import { MinHeap } from './heap';

/**
 * Virtual time for the simulator: a Clock (lib/manila/http.ts) whose `sleep` registers a timer
 * instead of waiting, and a driver that runs an async function to completion by jumping from
 * one timer to the next. Hours of Manila (900 s driver polls, phase 1 of six hours) pass in
 * seconds of wall time, and the same seed always gives the same run.
 *
 * The one rule that makes it correct: time may only jump when nothing could still happen at the
 * current instant. The driver waits until the process is quiescent (no timer registered, no
 * request handled, no file-system request pending, for several event-loop turns in a row)
 * before it fires the next timer. Promise chains, undici's body streams (process.nextTick) and
 * MockAgent replies all settle within one turn; proper-lockfile's mkdir/stat/rmdir are real
 * file-system requests, seen through `process.getActiveResourcesInfo()`.
 */

/** A timer set on the virtual clock. */
export interface VirtualTimer {
  /** Removes it; no effect once it fired. */
  cancel(): void;
}

interface Entry {
  readonly at: number;
  readonly seq: number;
  readonly fire: () => void;
  cancelled: boolean;
}

/** Options of a virtual clock. */
export interface VirtualClockOptions {
  /** Virtual time at the start, in ms since the epoch. @default 2026-12-07T00:00:00Z (a Monday) */
  readonly start?: number;
}

/** A Clock whose time only moves when the driver moves it. */
export class VirtualClock implements Clock {
  private t: number;
  private seq = 0;
  private readonly queue = new MinHeap<Entry>((a, b) => a.at < b.at || (a.at === b.at && a.seq < b.seq));
  private marks = 0;
  private holds = 0;
  /** Timers fired so far. */
  public fired = 0;

  constructor(opts: VirtualClockOptions = {}) {
    this.t = opts.start ?? Date.parse('2026-12-07T00:00:00Z');
  }

  /** Virtual milliseconds since the epoch. */
  public now(): number {
    return this.t;
  }

  /** Resolves when virtual time reaches now + ms (at the next advance for ms <= 0). */
  public sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.at(this.t + Math.max(0, ms), resolve);
    });
  }

  /** Runs `fire` when virtual time reaches `at` (at once in virtual time if `at` is past). */
  public at(at: number, fire: () => void): VirtualTimer {
    const e: Entry = { at: Math.max(at, this.t), seq: this.seq++, fire, cancelled: false };
    this.queue.push(e);
    this.marks++;
    return { cancel: () => void (e.cancelled = true) };
  }

  /** Runs `fire` after `ms` virtual milliseconds. */
  public after(ms: number, fire: () => void): VirtualTimer {
    return this.at(this.t + ms, fire);
  }

  /** Records that something happened (a request handled): the driver waits for quiet again. */
  public touch(): void {
    this.marks++;
  }

  /** Work in progress outside the clock's sight: time does not move until `release()`. */
  public hold(): void {
    this.holds++;
    this.marks++;
  }

  /** Ends one `hold()`. */
  public release(): void {
    this.holds = Math.max(0, this.holds - 1);
    this.marks++;
  }

  /** Activity counter: changes whenever a timer is set, a request handled or a hold taken or released. */
  public get mark(): number {
    return this.marks;
  }

  /** Holds not yet released. */
  public get held(): number {
    return this.holds;
  }

  /** Time of the next live timer, if any. */
  public nextAt(): number | undefined {
    this.dropCancelled();
    return this.queue.peek()?.at;
  }

  /** Timers waiting. */
  public get pending(): number {
    return this.queue.size;
  }

  /** Moves time to the next timer and fires it. False when no timer is left. */
  public advance(): boolean {
    this.dropCancelled();
    const e = this.queue.pop();
    if (!e) return false;
    this.t = Math.max(this.t, e.at);
    this.fired++;
    e.fire();
    return true;
  }

  private dropCancelled(): void {
    while (this.queue.peek()?.cancelled) this.queue.pop();
  }
}

/** The function never settled and nothing was left to move time forward. */
export class VirtualDeadlockError extends Error {
  public readonly code = 'SIM_DEADLOCK';
  constructor(public readonly virtualTime: number, public readonly resources: readonly string[]) {
    super(
      `virtual run deadlocked at ${new Date(virtualTime).toISOString()}: no timer left and no activity (active resources: ${resources.join(', ') || 'none'})`
    );
    this.name = 'VirtualDeadlockError';
  }
}

/** Virtual time passed the run's limit before the function settled. */
export class VirtualTimeLimitError extends Error {
  public readonly code = 'SIM_TIME_LIMIT';
  constructor(public readonly limit: number) {
    super(`virtual run passed its limit of ${new Date(limit).toISOString()} before finishing`);
    this.name = 'VirtualTimeLimitError';
  }
}

/** Options of a virtual run. */
export interface RunOptions {
  /** Event-loop turns with no activity before time may jump. @default 3 */
  readonly quietTurns?: number;
  /** Real milliseconds without any timer or activity before the run is called deadlocked. @default 10000 */
  readonly deadlockMs?: number;
  /** Stop with VirtualTimeLimitError past this virtual time (ms since the epoch). @default none */
  readonly until?: number;
}

/** Statistics of a virtual run. */
export interface RunStats {
  /** Timers fired. */
  readonly timers: number;
  /** Event-loop turns spent waiting for quiet. */
  readonly turns: number;
  /** Times the driver waited for file-system requests or holds. */
  readonly ioWaits: number;
}

const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

/** True while a file-system request (proper-lockfile's mkdir, stat, rmdir...) is pending. */
export function fileSystemBusy(): boolean {
  return process.getActiveResourcesInfo().some((r) => r.startsWith('FSReq'));
}

/**
 * Runs `fn` to completion in virtual time: waits for quiet, fires the earliest timer, and again,
 * until `fn` settles. Returns its value (or throws its error) and the run's statistics.
 */
export async function runInVirtualTime<T>(clock: VirtualClock, fn: () => Promise<T>, opts: RunOptions = {}): Promise<{ value: T; stats: RunStats }> {
  const quietTurns = opts.quietTurns ?? 3;
  const deadlockMs = opts.deadlockMs ?? 10_000;
  let settled = false;
  let value: T | undefined;
  let error: unknown;
  let failed = false;
  const stats = { timers: 0, turns: 0, ioWaits: 0 };
  const p = fn().then(
    (v) => {
      value = v;
      settled = true;
    },
    (e) => {
      error = e;
      failed = true;
      settled = true;
    }
  );
  // Waits until `quietTurns` turns pass with no activity, no hold and no file-system request.
  const quiesce = async (): Promise<void> => {
    let quiet = 0;
    let mark = clock.mark;
    while (quiet < quietTurns) {
      await turn();
      stats.turns++;
      const busy = clock.held > 0 || fileSystemBusy();
      if (busy) stats.ioWaits++;
      if (busy || clock.mark !== mark) {
        quiet = 0;
        mark = clock.mark;
      } else quiet++;
    }
  };
  let idleSince: number | undefined;
  for (;;) {
    await quiesce();
    if (settled) break;
    const next = clock.nextAt();
    if (next !== undefined) {
      if (opts.until !== undefined && next > opts.until) throw new VirtualTimeLimitError(opts.until);
      idleSince = undefined;
      clock.advance();
      stats.timers++;
      continue;
    }
    // No timer: only real I/O or real timers (a contended lock's retry) can move things on.
    idleSince ??= Date.now();
    if (Date.now() - idleSince > deadlockMs) throw new VirtualDeadlockError(clock.now(), process.getActiveResourcesInfo());
    await new Promise((r) => setTimeout(r, 5));
  }
  await p;
  if (failed) throw error;
  return { value: value as T, stats };
}
