/**
 * Backends of the simulated cloud and what their drivers can do. The dummy driver's answers
 * are Manila's (`manila/tests/share/drivers/dummy.py`): writable, preserve_snapshots, cancel
 * and get_progress yes, nondisruptive no. The test bed's `faulty` driver raises in
 * share_server_migration_continue; `readonly` answers writable: false.
 */

/** What a backend's driver reports and does in a share server migration. */
export interface DriverProfile {
  /** Name for messages, e.g. `dummy`. */
  readonly kind: string;
  readonly writable: boolean;
  readonly nondisruptive: boolean;
  readonly preserveSnapshots: boolean;
  /** Share migration only: the driver keeps the share's metadata (`preserve_metadata`). */
  readonly preserveMetadata: boolean;
  readonly migrationCancel: boolean;
  readonly migrationGetProgress: boolean;
  /** share_server_migration_continue raises (phase 1 fails asynchronously). */
  readonly failsContinue: boolean;
  /** Continue calls the driver needs before it says phase 1 is done (the dummy driver: 2). */
  readonly continueCallsNeeded: number;
}

/** One backend: a manila-share service `host` with one pool. */
export interface BackendSpec {
  /** `name@backend`. */
  readonly host: string;
  readonly zone: string;
  /** driver_handles_share_servers. @default true */
  readonly dhss?: boolean;
  readonly driver: DriverProfile;
  /** Pool name (after `#`): where shares on share servers live. */
  readonly pool: string;
  /** Every pool of the backend when it has several (a NetApp backend: one per aggregate). @default [pool] */
  readonly pools?: readonly string[];
  /** Capacity of each pool. */
  readonly totalCapacityGb: number;
  /** Service status. @default 'enabled' */
  readonly status?: 'enabled' | 'disabled';
  /** Service state. @default 'up' */
  readonly state?: 'up' | 'down';
  /** Where the host's periodic-task grid starts (its manila-share start), in ms since the epoch. @default 0 (every host on one grid) */
  readonly tickPhaseMs?: number;
}

/** Manila's dummy driver. */
export const DUMMY: DriverProfile = {
  kind: 'dummy',
  writable: true,
  nondisruptive: false,
  preserveSnapshots: true,
  preserveMetadata: true,
  migrationCancel: true,
  migrationGetProgress: true,
  failsContinue: false,
  continueCallsNeeded: 2,
};

/** The test bed's FailingContinueDummyDriver. */
export const FAULTY: DriverProfile = { ...DUMMY, kind: 'faulty', failsContinue: true };

/** The test bed's ReadOnlyDummyDriver. */
export const READONLY: DriverProfile = { ...DUMMY, kind: 'readonly', writable: false };

/** A production driver (NetApp-like): one continue call once the copy is done. */
export const PRODUCTION_DRIVER: DriverProfile = { ...DUMMY, kind: 'production', continueCallsNeeded: 1 };

/** The backend name of `name@backend` (what Manila's same-backend rule compares). */
export function backendNameOf(host: string): string | undefined {
  const at = host.indexOf('@');
  return at < 0 ? undefined : host.slice(at + 1).split('#')[0];
}

/** The pools of a backend, as `host@backend#pool` (what the scheduler compares a share's destination with). */
export function poolNamesOf(b: BackendSpec): string[] {
  return (b.pools ?? [b.pool]).map((p) => `${b.host}#${p}`);
}

/**
 * What a driver answers to get_progress in phase 1: a driver that needs several continue calls
 * counts them (the dummy driver: 0, then 50); one that needs a single call reports the copy's
 * share of its phase-1 time, never 100 before the call that ends it.
 */
export function driverProgress(
  m: { readonly continueCalls: number; readonly driverStartedAt?: number; readonly fate: { readonly phase1Ms: number } },
  callsNeeded: number,
  now: number
): number {
  if (callsNeeded > 1) return Math.min(100, Math.round((100 * m.continueCalls) / callsNeeded));
  const elapsed = now - (m.driverStartedAt ?? now);
  return Math.min(99, Math.floor((100 * elapsed) / Math.max(1, m.fate.phase1Ms)));
}
