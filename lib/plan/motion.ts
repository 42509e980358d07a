import { isCancelling, isInFlightTaskState, isMigrationDestination, isMigrationSource } from '../manila/server-state';
import type { SnapshotShareServer } from '../snapshot/model';
import type { Lineage } from './lineage';

/**
 * Whether a lineage is in the middle of a migration, and toward which host. Read from the
 * records' `status` and `task_state` only: Manila is the source of truth.
 */
export type Motion =
  | { readonly moving: false }
  | {
      readonly moving: true;
      /** Host the server is migrating to, when a destination record shows it. */
      readonly toward?: string;
      /** Host it is migrating from. */
      readonly from: string;
      /** A cancel was requested and has not finished. */
      readonly cancelling: boolean;
    };

/** The motion of a lineage; `byId` holds every record of the snapshot (to find a deleted-or-not source's host). */
export function motionOf(l: Lineage, byId: ReadonlyMap<string, SnapshotShareServer>): Motion {
  const c = l.current;
  const sourceHost = (c.sourceShareServerId !== null ? byId.get(c.sourceShareServerId)?.host : undefined) ?? c.host;
  const cancelling = isCancelling(c) || (l.destination !== undefined && isCancelling(l.destination));
  if (isMigrationDestination(c)) {
    // Only the destination is live: it is on its way to its own host.
    return { moving: true, toward: c.host, from: sourceHost, cancelling };
  }
  if (!isMigrationSource(c) && !isInFlightTaskState(c.taskState)) return { moving: false };
  if (l.destination) return { moving: true, toward: l.destination.host, from: c.host, cancelling };
  if (!isMigrationSource(c) && c.sourceShareServerId !== null) {
    // The destination record itself, already switched over, finishing its task.
    return { moving: true, toward: c.host, from: sourceHost, cancelling };
  }
  return { moving: true, from: c.host, cancelling };
}

/** Host a lineage occupies once its running migration ends (its current host when idle or when the destination is unknown). */
export function effectiveHost(l: Lineage, byId: ReadonlyMap<string, SnapshotShareServer>): string {
  const m = motionOf(l, byId);
  return m.moving && m.toward !== undefined && !m.cancelling ? m.toward : l.current.host;
}
