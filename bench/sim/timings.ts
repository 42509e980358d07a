/**
 * How long things take in the simulated cloud, in virtual milliseconds: the API's answers and
 * the share manager's steps. Two profiles: the test bed (dummy driver, 2 s per driver call,
 * continue interval 5 s; read off the poll timelines in live-manila-transcripts/poll-*.txt)
 * and a production cloud (real backends: seconds to create a server, a minute to switch over,
 * the driver polled every 900 s). Share migration has its own steps and poll interval (`share`).
 */

/** Latency of the API's answers. */
export interface ApiLatency {
  /** GET of one resource. */
  readonly show: number;
  /** A list: this plus `perItem` for each row Manila loads (share servers: one share network query each). */
  readonly list: number;
  readonly perItem: number;
  /** start, complete, cancel, resets (DB writes and a cast). */
  readonly action: number;
  /** migration_check: a synchronous RPC to the destination's driver. */
  readonly check: number;
  /** migration_get_progress during driver_in_progress: a synchronous RPC. */
  readonly progress: number;
  /** Keystone issuing a token. */
  readonly token: number;
}

/** Durations of the share manager's asynchronous steps. */
export interface ManagerTimings {
  /** From the API's cast to the manager picking it up. */
  readonly cast: number;
  /** The driver's compatibility check at the start of phase 1. */
  readonly compat: number;
  /** Creating the destination server on the backend (record `creating` until linked). */
  readonly setupServer: number;
  /** From linking the destination to `migration_driver_starting`. */
  readonly link: number;
  /** The driver's share_server_migration_start. */
  readonly driverStart: number;
  /** One share_server_migration_continue call (calls are sequential on a host). */
  readonly continueCall: number;
  /** The driver's share_server_migration_complete. */
  readonly driverComplete: number;
  /** From the source going `inactive` to `deleting` (the delete cast). */
  readonly deleteCast: number;
  /** From `deleting` to the row being gone. */
  readonly deleteServer: number;
  /** The driver's share_server_migration_cancel. */
  readonly driverCancel: number;
  /** From the destination going inactive to the source going back to active after a cancel. */
  readonly cancelFinish: number;
  /** Access rules settling back to active after the read-only cast is reset. */
  readonly rulesSettle: number;
}

/**
 * Durations of a share migration (docs/share-migration.md §3-§5): all of it runs on the source
 * host's manila-share, and its phase-1 poll has its own interval.
 */
export interface ShareMigrationTimings {
  /** From the API's cast, through the scheduler, to the source manager: `migration_in_progress`. */
  readonly cast: number;
  /** Creating the destination instance (`creating` until `migrating_to`). */
  readonly createInstance: number;
  /** The driver's compatibility check, then `migration_driver_starting`. */
  readonly compat: number;
  /** The driver's migration_start, then `migration_driver_in_progress`. */
  readonly driverStart: number;
  /** One migration_continue call (calls are sequential on a host). */
  readonly continueCall: number;
  /** The driver's migration_complete, the new export locations and the rules applied to the destination. */
  readonly driverComplete: number;
  /**
   * The source instance's deletion after the switch-over (`_migration_delete_instance`: the
   * driver's delete_share), while it shows `inactive` and the task is still `migration_completing`.
   */
  readonly deleteSource: number;
  /** The driver's migration_cancel and the destination instance's deletion. */
  readonly driverCancel: number;
  /** migration_driver_continue_update_interval, in ms (Manila's default: 60 s). */
  readonly continueIntervalMs: number;
}

/** A full timing profile. */
export interface TimingProfile {
  readonly api: ApiLatency;
  readonly manager: ManagerTimings;
  /** server_migration_driver_continue_update_interval, in ms. */
  readonly continueIntervalMs: number;
  /** Share migration (shares that move by themselves). */
  readonly share: ShareMigrationTimings;
}

/** The test bed: Zed with the dummy driver, 2 s delay per driver call, continue interval 5 s. */
export const TESTBED_TIMINGS: TimingProfile = {
  api: { show: 60, list: 120, perItem: 8, action: 60, check: 300, progress: 1_050, token: 30 },
  manager: {
    cast: 150,
    compat: 400,
    setupServer: 1_900,
    link: 600,
    driverStart: 1_900,
    continueCall: 1_020,
    driverComplete: 1_500,
    deleteCast: 100,
    deleteServer: 1_900,
    driverCancel: 1_040,
    cancelFinish: 500,
    rulesSettle: 1_500,
  },
  continueIntervalMs: 5_000,
  // Read off docs/transcripts/share-migration-zed.log: driver_in_progress 1.8 s after the
  // start, phase 1 done on the second 5 s tick, 4.6 s from completing to success (of which the
  // dummy driver's delete_share of the source, a 1 s call, and its DB writes about 2 s).
  share: {
    cast: 100,
    createInstance: 300,
    compat: 100,
    driverStart: 1_050,
    continueCall: 1_020,
    driverComplete: 2_500,
    deleteSource: 2_000,
    driverCancel: 1_040,
    continueIntervalMs: 5_000,
  },
};

/** A production cloud: real backends behind Manila, the driver polled every 900 s. */
export const PRODUCTION_TIMINGS: TimingProfile = {
  api: { show: 80, list: 300, perItem: 1, action: 250, check: 1_500, progress: 1_000, token: 150 },
  manager: {
    cast: 500,
    compat: 2_000,
    setupServer: 30_000,
    link: 1_000,
    driverStart: 10_000,
    continueCall: 2_000,
    driverComplete: 60_000,
    deleteCast: 500,
    deleteServer: 20_000,
    driverCancel: 30_000,
    cancelFinish: 1_000,
    rulesSettle: 5_000,
  },
  continueIntervalMs: 900_000,
  // A production backend's share migration: the share's copy is the driver's, polled every 60 s (Manila's default).
  share: {
    cast: 500,
    createInstance: 5_000,
    compat: 2_000,
    driverStart: 10_000,
    continueCall: 2_000,
    driverComplete: 40_000,
    deleteSource: 20_000,
    driverCancel: 30_000,
    continueIntervalMs: 60_000,
  },
};
