import { ProtocolError } from '../errors';
import type { HttpResponse } from './http';

/**
 * Reading Manila's JSON answers: the list or the object under a key, each item parsed (a
 * malformed one is a ProtocolError naming it), and a list read page by page.
 */

/** The list under `key` in the body, to parse item by item; a ProtocolError when there is none. */
export function bodyArray(res: HttpResponse, key: string, op: string): { map<T>(parse: (raw: unknown) => T): T[] } {
  const v = (res.body as Record<string, unknown> | undefined)?.[key];
  if (!Array.isArray(v)) throw new ProtocolError(op, `no '${key}' list in the body`);
  return {
    map: <T>(parse: (raw: unknown) => T): T[] =>
      v.map((item, i) => {
        try {
          return parse(item);
        } catch (e) {
          throw new ProtocolError(op, `item ${i} of '${key}' is malformed: ${(e as Error).message.slice(0, 200)}`);
        }
      }),
  };
}

/** The object under `key` in the body; a ProtocolError when there is none. */
export function bodyObject(res: HttpResponse, key: string, op: string): unknown {
  const v = (res.body as Record<string, unknown> | undefined)?.[key];
  if (!v || typeof v !== 'object') throw new ProtocolError(op, `no '${key}' object in the body`);
  return v;
}

/**
 * The one pager: reads a list Manila may cut at `osapi_max_limit` (share networks always,
 * shares and snapshots when `limit` is sent) page by page with `limit` and `offset`. The
 * server's cap is unknown, so a page shorter than asked is not taken as the last one: the
 * pager stops at an empty page, or at a page shorter than an earlier one (the tail). Items
 * seen twice (the list moved under the pager) are kept once.
 *
 * `largestSeen` is the longest page an earlier read of the same list got: Manila never answers
 * more than its cap, so the cap is at least that, and a shorter page is the last one without
 * asking for an empty page to confirm it (a filtered list of a few items costs one request).
 *
 * `rowLimited` lists (shares, snapshots) are cut by the database, not by the API: Manila's
 * SQL `LIMIT`/`OFFSET` count the rows of the joined instances, export locations and metadata
 * (db/sqlalchemy/api.py joinedload + paginate_query), so an item with five export locations
 * fills a page of five alone. Their pages come short in the middle, and only an empty page
 * ends them; the offset moves by the items read, never past a row not yet returned.
 */
export async function readAllPages<T extends { id: string }>(
  get: (page: { limit: string; offset: string }) => Promise<HttpResponse>,
  list: {
    readonly operation: string;
    readonly key: string;
    readonly pageSize: number;
    readonly parse: (raw: unknown) => T;
    /** The longest page of this list read before. @default 0 */
    readonly largestSeen?: number;
    /** Told the longest page of this read. */
    readonly onLargest?: (n: number) => void;
    /** Pages may come short mid-list (the database counts joined rows): only an empty page ends. @default false */
    readonly rowLimited?: boolean;
  },
): Promise<T[]> {
  const out: T[] = [];
  const seen = new Set<string>();
  let largest = list.largestSeen ?? 0;
  for (let offset = 0; ; ) {
    const res = await get({ limit: String(list.pageSize), offset: String(offset) });
    const page = bodyArray(res, list.key, list.operation).map(list.parse);
    for (const item of page) {
      if (seen.has(item.id)) continue;
      seen.add(item.id);
      out.push(item);
    }
    if (page.length === 0 || (!list.rowLimited && page.length < largest)) {
      list.onLargest?.(largest);
      return out;
    }
    largest = Math.max(largest, page.length);
    offset += page.length;
  }
}
