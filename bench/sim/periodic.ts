import type { VirtualClock } from './clock';

/**
 * A periodic task of manila-share, per host, on a fixed grid (oslo's periodic tasks run every
 * interval from the service's start, not from the work's): Manila's
 * `share_server_migration_driver_continue` and `migration_driver_continue`. A run calls the
 * driver once per migration it finds, one call after the other; the task stops when a run
 * leaves nothing to poll, and the next migration arms it again, on the same grid.
 */

/** What one kind of periodic task does. */
export interface PeriodicWork {
  /** ms between two runs on a host. */
  readonly intervalMs: number;
  /** ms one driver call takes (the calls of a run are sequential). */
  readonly callMs: number;
  /** Where a host's grid starts (its manila-share start), in ms since the epoch. */
  phaseOf(host: string): number;
  /** The driver calls of one run on `host`, in order (each is called `callMs` after the one before). */
  callsAt(host: string): Array<() => void>;
  /** Whether something on `host` still needs polling after a run. */
  busy(host: string): boolean;
}

/** One periodic task on every host. */
export class PeriodicTask {
  /** Hosts whose next run is already set. */
  private readonly armed = new Set<string>();

  constructor(private readonly clock: VirtualClock, private readonly work: PeriodicWork) {}

  /** Sets the next run of `host`, on its grid, when none is set. */
  public ensure(host: string): void {
    if (this.armed.has(host)) return;
    const every = this.work.intervalMs;
    const phase = this.work.phaseOf(host);
    const next = phase + Math.floor((this.clock.now() - phase) / every + 1) * every;
    this.armed.add(host);
    this.clock.at(next, () => {
      this.armed.delete(host);
      this.run(host);
    });
  }

  private run(host: string): void {
    let at = this.clock.now();
    for (const call of this.work.callsAt(host)) {
      at += this.work.callMs;
      this.clock.at(at, call);
    }
    // Runs stop when nothing is left to poll on the host; the next start arms them again.
    this.clock.at(at, () => {
      if (this.work.busy(host)) this.ensure(host);
    });
  }
}
