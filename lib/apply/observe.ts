import type { ManilaClient } from '../manila/client';
import type { ShareServer } from '../manila/types';

/** Task states of phase 1, before the driver says it is done. */
export const PHASE1_STATES: ReadonlySet<string> = new Set([
  'migration_starting',
  'migration_in_progress',
  'migration_driver_starting',
  'migration_driver_in_progress',
]);

/** What Manila shows of one move, read fresh. */
export interface Observation {
  /** The server the plan named, or `undefined` when Manila answers 404. */
  readonly source?: ShareServer;
  /** When the source is gone (or inactive after success): the server that replaced it. */
  readonly successor?: ShareServer;
  /** The in-flight destination (`server_migrating_to`), if any. */
  readonly destination?: ShareServer;
}

/** Where a move stands, derived only from Manila's state. */
export type Stage =
  | { readonly kind: 'ready'; readonly server: ShareServer }
  | { readonly kind: 'at-target'; readonly server: ShareServer }
  | { readonly kind: 'phase1'; readonly server: ShareServer; readonly destination?: ShareServer }
  | { readonly kind: 'phase1-done'; readonly server: ShareServer; readonly destination?: ShareServer }
  | { readonly kind: 'completing'; readonly server: ShareServer; readonly destination?: ShareServer }
  | { readonly kind: 'cancelling'; readonly server: ShareServer }
  | { readonly kind: 'elsewhere'; readonly server: ShareServer; readonly destinationHost?: string }
  | { readonly kind: 'moved-elsewhere'; readonly server: ShareServer }
  | { readonly kind: 'stuck'; readonly server: ShareServer; readonly why: string }
  | { readonly kind: 'gone' };

/**
 * Classifies an observation for a move toward `target`. Pure: the same observation always gives
 * the same stage, so a rerun after a crash picks up exactly where Manila is.
 */
export function classify(obs: Observation, target: string): Stage {
  const s = obs.source;
  if (!s || (s.status === 'inactive' && s.taskState === 'migration_success') || s.status === 'deleting') {
    const next = obs.successor;
    if (!next) return s ? { kind: 'completing', server: s } : { kind: 'gone' };
    if (next.status === 'active' && next.host === target && next.taskState !== 'migration_completing') return { kind: 'at-target', server: next };
    if (next.status === 'active') return { kind: 'moved-elsewhere', server: next };
    return { kind: 'completing', server: s ?? next, destination: next };
  }
  if (s.status === 'server_migrating') {
    const d = obs.destination;
    if (d && d.host !== target) return { kind: 'elsewhere', server: s, destinationHost: d.host };
    switch (s.taskState) {
      case 'migration_driver_phase1_done':
        return { kind: 'phase1-done', server: s, destination: d };
      case 'migration_completing':
        return { kind: 'completing', server: s, destination: d };
      case 'migration_cancel_in_progress':
        return { kind: 'cancelling', server: s };
      default:
        if (s.taskState && PHASE1_STATES.has(s.taskState)) return { kind: 'phase1', server: s, destination: d };
        return { kind: 'stuck', server: s, why: `status server_migrating with task_state ${s.taskState ?? 'null'}` };
    }
  }
  if (s.status === 'active') {
    if (s.taskState === 'migration_completing') return { kind: 'completing', server: s };
    if (s.host === target) return { kind: 'at-target', server: s };
    return { kind: 'ready', server: s };
  }
  return { kind: 'stuck', server: s, why: `status ${s.status}${s.taskState ? ` with task_state ${s.taskState}` : ''}` };
}

/**
 * Reads what Manila shows for a move: the server, its in-flight destination (unless already
 * known) and, once it is gone, its successor. Follows lineage (a migrated server's successor names it in
 * `source_share_server_id`).
 */
export async function observe(client: ManilaClient, serverId: string, knownDestination?: ShareServer, destinationId?: string): Promise<Observation> {
  const source = await client.findShareServer(serverId);
  if (source && source.status === 'server_migrating') {
    // A migration's destination does not change while it runs: once found, it is not listed
    // again on every poll (a list is the slowest read in Zed, filtered in Python).
    if (knownDestination) return { source, destination: knownDestination };
    const dests = await client.listShareServers({ source_share_server_id: serverId, status: 'server_migrating_to' });
    return { source, destination: dests[0] };
  }
  if (!source || source.status === 'inactive' || source.status === 'deleting') {
    // After our own complete, the destination id is known (Manila returned it): read it by id.
    if (destinationId) {
      const d = await client.findShareServer(destinationId);
      if (d && d.sourceShareServerId === serverId && LIVE.has(d.status)) return { source, successor: d };
    }
    let successor = await findSuccessor(client, serverId, LIVE);
    // Follow completed later migrations of the successor (bounded: servers rarely move often).
    for (let hops = 0; successor && successor.status === 'active' && hops < 8; hops++) {
      const next = await findSuccessor(client, successor.id, DONE);
      if (!next) break;
      successor = next;
    }
    return { source, successor };
  }
  return { source };
}

const LIVE: ReadonlySet<string> = new Set(['active', 'server_migrating_to', 'server_migrating']);
const DONE: ReadonlySet<string> = new Set(['active', 'server_migrating']);

async function findSuccessor(client: ManilaClient, id: string, statuses: ReadonlySet<string>): Promise<ShareServer | undefined> {
  const children = await client.listShareServers({ source_share_server_id: id });
  // Cancelled or failed destinations also point at the source: only a live one is a successor.
  const live = children.filter((c) => statuses.has(c.status));
  live.sort((a, b) => (a.createdAt ?? '').localeCompare(b.createdAt ?? '') || a.id.localeCompare(b.id));
  return live[live.length - 1];
}
