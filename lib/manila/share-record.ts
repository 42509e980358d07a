import { isMigrationDestination, TASK_STATE } from './server-state';
import type { Share, ShareInstance, ShareServer } from './types';

/**
 * A share as the record a move follows (share migration). The runner, admission and the state
 * reading work on one record shape, so a share enters as a record with `resource: 'share'`:
 * its id, status, task state and pool-qualified host are the share's. Its destination is its
 * `migrating_to` instance, linked back to the share the way a share server destination is
 * linked to its source (`sourceShareServerId`).
 */

const base = { sourceShareServerId: null, shareNetworkSubnetIds: [] as string[], resource: 'share' as const };

/** A share read by id (`GET /shares/{id}`): status and host are its source instance's while it migrates. */
export function shareRecord(s: Share): ShareServer {
  return {
    ...base,
    id: s.id,
    projectId: s.projectId,
    status: s.status,
    host: s.host ?? '',
    shareNetworkId: s.shareNetworkId,
    taskState: s.taskState ?? null,
    createdAt: s.createdAt,
    updatedAt: s.updatedAt,
  };
}

/** The `migrating_to` instance of a share, as its migration's destination record. */
export function destinationOf(shareId: string, instances: readonly ShareInstance[]): ShareServer | undefined {
  const d = instances.find((i) => i.status === 'migrating_to');
  if (!d) return undefined;
  return { ...base, id: d.id, projectId: '', status: d.status, host: d.host ?? '', taskState: null, sourceShareServerId: shareId, updatedAt: d.updatedAt };
}

/**
 * Every share's state as `GET /share_instances` shows it, one record per share plus one per
 * destination instance: what admission counts in flight (whoever started it) and checks the
 * candidates against. Instances carry no task state: a source whose destination instance does
 * not exist yet is given `migration_starting`, which Manila shows at that moment, so it counts
 * toward every per-destination limit until its destination shows.
 */
export function shareRecordsFromInstances(instances: readonly ShareInstance[]): ShareServer[] {
  const out: ShareServer[] = [];
  const destinations = new Set(instances.filter((i) => i.status === 'migrating_to' && i.shareId).map((i) => i.shareId as string));
  for (const i of instances) {
    if (!i.shareId) continue;
    if (i.status === 'migrating_to') {
      out.push({ ...base, id: i.id, projectId: '', status: i.status, host: i.host ?? '', taskState: null, sourceShareServerId: i.shareId });
      continue;
    }
    const migrating = i.status === 'migrating';
    out.push({
      ...base,
      id: i.shareId,
      projectId: '',
      status: i.status,
      host: i.host ?? '',
      taskState: migrating && !destinations.has(i.shareId) ? TASK_STATE.starting : null,
    });
  }
  return out;
}

/** Whether a record is a share's destination instance. */
export function isShareDestination(r: ShareServer): boolean {
  return r.resource === 'share' && isMigrationDestination(r);
}
