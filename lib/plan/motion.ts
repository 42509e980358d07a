import type { SnapshotShareServer } from '../snapshot/model';
import { IN_FLIGHT_TASK_STATES, type Lineage } from './lineage';

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
  const cancelling = c.taskState === 'migration_cancel_in_progress' || l.destination?.taskState === 'migration_cancel_in_progress';
  if (c.status === 'server_migrating_to') {
    // Only the destination is live: it is on its way to its own host.
    return { moving: true, toward: c.host, from: sourceHost, cancelling };
  }
  const inFlight = c.taskState !== null && IN_FLIGHT_TASK_STATES.has(c.taskState);
  if (c.status !== 'server_migrating' && !inFlight) return { moving: false };
  if (l.destination) return { moving: true, toward: l.destination.host, from: c.host, cancelling };
  if (c.status !== 'server_migrating' && c.sourceShareServerId !== null) {
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
