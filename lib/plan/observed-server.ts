import type { SnapshotShareServer } from '../snapshot/model';
import type { ObservedServer } from './types';
import { compareStrings } from '../util/compare';

/** What a plan records of a server, for the runner's stale-plan check. */
export function observedServer(s: SnapshotShareServer): ObservedServer {
  return {
    id: s.id,
    host: s.host,
    status: s.status,
    taskState: s.taskState,
    shareNetworkId: s.shareNetworkId,
    shareNetworkName: s.shareNetworkName,
    projectId: s.projectId,
    ...(s.projectName !== undefined ? { projectName: s.projectName } : {}),
    shareIds: s.shares.map((sh) => sh.id).sort(compareStrings),
    shares: [...s.shares]
      .sort((a, b) => compareStrings(a.id, b.id))
      .map((sh) => ({
        id: sh.id,
        ...(sh.name !== undefined ? { name: sh.name } : {}),
        size: sh.size,
        ...(sh.protocol !== undefined ? { protocol: sh.protocol } : {}),
        snapshots: sh.snapshots.length,
      })),
  };
}
