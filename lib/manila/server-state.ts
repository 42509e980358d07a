import { compareStrings } from '../util/compare';
import { traitsOf, type ResourceKind } from './resource';

/**
 * The one reading of a share server's `status` and `task_state` (Manila's
 * `manila/common/constants.py` and the state machine of `share/manager.py`). Planning, the
 * runner, `status` and `servers` all ask these questions here, so they cannot disagree.
 * Pure: it works on a live record (`ShareServer`) and on a snapshot's record alike.
 *
 * A share being migrated reads the same way (`resource: 'share'`, ./share-record.ts): Manila
 * uses the same task states for it, and ./resource.ts says what its statuses are called.
 */

/** The fields a share server's state is read from. */
export interface ServerRecord {
  readonly id: string;
  readonly status: string;
  readonly taskState: string | null;
  readonly host: string;
  readonly sourceShareServerId: string | null;
  /** A share (share migration) rather than a share server. @default 'share-server' */
  readonly resource?: ResourceKind;
}

/** Share server statuses the tool reads. */
export const SERVER_STATUS = {
  active: 'active',
  migrating: 'server_migrating',
  migratingTo: 'server_migrating_to',
  inactive: 'inactive',
  deleting: 'deleting',
  creating: 'creating',
  error: 'error',
} as const;

/** Share server task states of a migration. */
export const TASK_STATE = {
  starting: 'migration_starting',
  inProgress: 'migration_in_progress',
  driverStarting: 'migration_driver_starting',
  driverInProgress: 'migration_driver_in_progress',
  phase1Done: 'migration_driver_phase1_done',
  completing: 'migration_completing',
  success: 'migration_success',
  error: 'migration_error',
  cancelInProgress: 'migration_cancel_in_progress',
  cancelled: 'migration_cancelled',
} as const;

/**
 * A share's host-assisted copy (the data service), which share servers never show. The tool
 * does not start host-assisted migrations (the constructs refuse them), but one someone else
 * started reads as phase 1 until `data_copying_completed`, which allows the complete.
 */
export const DATA_COPY_TASK_STATE = {
  starting: 'data_copying_starting',
  inProgress: 'data_copying_in_progress',
  completing: 'data_copying_completing',
  completed: 'data_copying_completed',
} as const;

/** Task states of phase 1, before the driver says it is done. */
export const PHASE1_TASK_STATES: ReadonlySet<string> = new Set([
  TASK_STATE.starting,
  TASK_STATE.inProgress,
  TASK_STATE.driverStarting,
  TASK_STATE.driverInProgress,
  DATA_COPY_TASK_STATE.starting,
  DATA_COPY_TASK_STATE.inProgress,
  DATA_COPY_TASK_STATE.completing,
]);

/** Task states of a migration that has started and not ended. */
export const IN_FLIGHT_TASK_STATES: ReadonlySet<string> = new Set([
  ...PHASE1_TASK_STATES,
  TASK_STATE.phase1Done,
  DATA_COPY_TASK_STATE.completed,
  TASK_STATE.completing,
  TASK_STATE.cancelInProgress,
]);

/** Task states early in phase 1, before the destination record is linked to the source. */
const BEFORE_DESTINATION: ReadonlySet<string> = new Set([TASK_STATE.starting, TASK_STATE.inProgress]);

/** The source of a migration in flight (`server_migrating`). */
export function isMigrationSource(s: ServerRecord): boolean {
  return s.status === traitsOf(s).status.migrating;
}

/** The destination of a migration in flight (`server_migrating_to`). */
export function isMigrationDestination(s: ServerRecord): boolean {
  return s.status === traitsOf(s).status.migratingTo;
}

/** Usable and not migrating: `active` for a share server, `available` for a share. */
export function isIdle(s: ServerRecord): boolean {
  return s.status === traitsOf(s).status.idle;
}

/** A task state that belongs to a migration still running. */
export function isInFlightTaskState(taskState: string | null): boolean {
  return taskState !== null && IN_FLIGHT_TASK_STATES.has(taskState);
}

/** In phase 1 (the driver copies; phase 1 is not done yet). */
export function isInPhase1(s: ServerRecord): boolean {
  return isMigrationSource(s) && s.taskState !== null && PHASE1_TASK_STATES.has(s.taskState);
}

/** Phase 1 is done: `migration_complete` is allowed now. */
export function isPhase1Done(s: ServerRecord): boolean {
  return isMigrationSource(s) && (s.taskState === TASK_STATE.phase1Done || (s.resource === 'share' && s.taskState === DATA_COPY_TASK_STATE.completed));
}

/** The switchover runs (`complete` was picked up by the destination's manager). */
export function isCompleting(s: ServerRecord): boolean {
  return s.taskState === TASK_STATE.completing;
}

/** A cancel was accepted and has not finished. */
export function isCancelling(s: ServerRecord): boolean {
  return s.taskState === TASK_STATE.cancelInProgress;
}

/** Early in phase 1: Manila has not linked the destination record to this source yet. */
export function awaitsDestinationRecord(s: ServerRecord): boolean {
  return isMigrationSource(s) && s.taskState !== null && BEFORE_DESTINATION.has(s.taskState);
}

/** The old source after a successful migration: `inactive`/`migration_success`, or being deleted. */
export function isRetiredSource(s: ServerRecord): boolean {
  // A share keeps its record (and id) through a migration: it never retires.
  if (s.resource === 'share') return false;
  return (
    ((s.status === SERVER_STATUS.inactive || s.status === SERVER_STATUS.deleting) && s.taskState === TASK_STATE.success) ||
    s.status === SERVER_STATUS.deleting
  );
}

/** A source back to `active` after its migration failed (`migration_error`). */
export function isFailedSource(s: ServerRecord): boolean {
  return isIdle(s) && s.taskState === TASK_STATE.error;
}

/** A source back to `active` after its migration was cancelled. */
export function isCancelledSource(s: ServerRecord): boolean {
  return isIdle(s) && s.taskState === TASK_STATE.cancelled;
}

/**
 * A record left behind by an earlier migration, which stands for no server: an old source
 * after success (`inactive`/`deleting` + `migration_success`), a cancelled destination
 * (`inactive`/`error` + `migration_cancelled`), or a failed destination (`inactive`/`error` +
 * `migration_error`) whose source still exists. `exists` tells whether a record id is live.
 */
export function isLeftover(s: ServerRecord, exists: (id: string) => boolean): boolean {
  if ((s.status === SERVER_STATUS.inactive || s.status === SERVER_STATUS.deleting) && s.taskState === TASK_STATE.success) return true;
  if (s.status !== SERVER_STATUS.inactive && s.status !== SERVER_STATUS.error) return false;
  if (s.taskState === TASK_STATE.cancelled) return true;
  return s.taskState === TASK_STATE.error && s.sourceShareServerId !== null && exists(s.sourceShareServerId);
}

/** A failed destination left in `error` that still points at `sourceId` (`openstack share server delete` removes it). */
export function isFailedDestinationOf(s: ServerRecord, sourceId: string): boolean {
  return s.sourceShareServerId === sourceId && s.status === SERVER_STATUS.error;
}

/** Statuses a record can have and stand for the server that replaced its source. */
const SUCCESSOR_STATUSES: ReadonlySet<string> = new Set([SERVER_STATUS.active, SERVER_STATUS.migratingTo, SERVER_STATUS.migrating]);

/**
 * The record that replaced `sourceId`, among `candidates`: the youngest live record whose
 * `source_share_server_id` names it. Cancelled or failed destinations also point at the
 * source and are never successors. With `completedOnly`, a destination still migrating does
 * not count (to follow a chain of finished migrations).
 */
export function successorOf<T extends ServerRecord & { readonly createdAt?: string }>(
  sourceId: string,
  candidates: readonly T[],
  opts: { completedOnly?: boolean } = {},
): T | undefined {
  const live = candidates.filter(
    (c) => c.sourceShareServerId === sourceId && SUCCESSOR_STATUSES.has(c.status) && !(opts.completedOnly && c.status === SERVER_STATUS.migratingTo),
  );
  live.sort((a, b) => compareStrings(a.createdAt ?? '', b.createdAt ?? '') || compareStrings(a.id, b.id));
  return live[live.length - 1];
}

/** A migration in flight as Manila's records show it. */
export interface InFlightPair<T extends ServerRecord> {
  /** The `server_migrating` source (absent when only a destination record shows it). */
  readonly source?: T;
  /** The `server_migrating_to` destination, once Manila has linked it. */
  readonly destination?: T;
  /** Host it leaves. */
  readonly from: string;
  /** Host it goes to, when a destination record shows it. */
  readonly to?: string;
}

/**
 * Every migration in flight in a list of share servers, whoever started it: each
 * `server_migrating` source with its `server_migrating_to` destination, and destinations
 * whose source no longer shows as migrating. Sorted by source host, then id.
 */
export function inFlightPairs<T extends ServerRecord>(servers: readonly T[]): Array<InFlightPair<T>> {
  const byId = new Map(servers.map((s) => [s.id, s] as const));
  const destOf = new Map<string, T>();
  for (const d of servers) if (isMigrationDestination(d) && d.sourceShareServerId !== null) destOf.set(d.sourceShareServerId, d);
  const out: Array<InFlightPair<T>> = [];
  for (const s of servers) {
    if (!isMigrationSource(s)) continue;
    const d = destOf.get(s.id);
    out.push({ source: s, destination: d, from: s.host, to: d?.host });
  }
  for (const [sourceId, d] of destOf) {
    const s = byId.get(sourceId);
    if (s && isMigrationSource(s)) continue;
    out.push({ destination: d, from: s?.host ?? '', to: d.host });
  }
  return out.sort((a, b) => compareStrings(a.from, b.from) || compareStrings(a.source?.id ?? a.destination?.id ?? '', b.source?.id ?? b.destination?.id ?? ''));
}
