import { badRequest } from './faults';
import type { SimServer, SimStore } from './model';

/**
 * How Zed's list calls filter and page. Share servers: exact-match string filters over the row
 * (an unknown key gives an empty list, a boolean never matches), `share_network` by name or id,
 * no paging. Share networks: always cut at osapi_max_limit (`common.limited`). Shares and
 * snapshots: cut only when `limit` is sent.
 */

/** Query parameters of a request. */
export type Query = ReadonlyMap<string, string>;

const SERVER_ATTRIBUTES: Readonly<Record<string, (s: SimServer) => unknown>> = {
  id: (s) => s.id,
  host: (s) => s.host,
  status: (s) => s.status,
  task_state: (s) => s.taskState,
  source_share_server_id: (s) => s.sourceShareServerId,
  identifier: (s) => s.identifier,
  project_id: (s) => s.projectId,
  share_network_id: (s) => s.shareNetworkId,
  is_auto_deletable: (s) => s.isAutoDeletable,
};

/** Python's str() of an attribute, as Zed compares it. */
function pyStr(v: unknown): string {
  if (v === null || v === undefined) return 'None';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  return String(v);
}

/** Share servers matching the query, in database order. */
export function filterServers(store: SimStore, q: Query): SimServer[] {
  let rows = [...store.servers.values()].sort((a, b) => a.seq - b.seq);
  for (const [k, v] of q) {
    if (k === 'share_network') {
      rows = rows.filter((s) => {
        const n = store.networks.get(s.shareNetworkId);
        return s.shareNetworkId === v || n?.name === v;
      });
    } else if (k === 'share_network_subnet_id') {
      rows = rows.filter((s) => s.subnetIds.includes(v));
    } else if (k === 'is_auto_deletable') {
      rows = []; // compared as a string to a boolean: never equal
    } else {
      const get = SERVER_ATTRIBUTES[k];
      rows = get ? rows.filter((s) => pyStr(get(s)) === v) : [];
    }
  }
  return rows;
}

function intParam(q: Query, key: string): number | undefined {
  const v = q.get(key);
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v)) throw badRequest(`${key} param must be an integer`);
  return Number(v);
}

/**
 * One page of `items`: from `offset`, at most `limit` (capped at `maxLimit`). With `always`,
 * the cap applies even without `limit` (share networks); otherwise only when `limit` is sent.
 */
export function page<T>(items: readonly T[], q: Query, maxLimit: number, always: boolean): T[] {
  const offset = intParam(q, 'offset') ?? 0;
  const limit = intParam(q, 'limit');
  if (limit === undefined && !always) return items.slice(offset);
  return items.slice(offset, offset + Math.min(limit ?? maxLimit, maxLimit));
}

/** Sorts by `sort_key` (created_at or id) and `sort_dir`; Manila's default is created_at desc. */
export function sorted<T extends { createdAt: number; id: string }>(items: readonly T[], q: Query): T[] {
  const key = q.get('sort_key') ?? 'created_at';
  const dir = (q.get('sort_dir') ?? 'desc') === 'asc' ? 1 : -1;
  const cmp = key === 'id' ? (a: T, b: T) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0) : (a: T, b: T) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1);
  return [...items].sort((a, b) => dir * cmp(a, b));
}
