import type { BalanceServer } from './rebalance-model';
import { compareStrings } from '../util/compare';

/**
 * The movable servers of each host, grouped so that one check answers for a whole group:
 * servers with the same allowed zones and the same first host (which Manila's same-backend rule
 * looks at) form a shelf, kept sorted by size then id. Finding the best server of a shelf for a
 * move is then a binary search, never a scan.
 */

/** Servers of one host with the same allowed zones and the same first host. */
export interface Shelf {
  /** Host the servers were on before the plan. */
  readonly origin: number;
  /** Zones their share network has a subnet in; null: any. */
  readonly zones: ReadonlySet<string> | null;
  /** Server indices sorted by size, then id. */
  readonly members: number[];
}

function zoneKey(zones: ReadonlySet<string> | null): string {
  return zones === null ? '*' : [...zones].sort(compareStrings).join(',');
}

/** Every host's shelves. */
export class Shelves {
  private readonly byHost: Array<Map<string, Shelf>>;
  private readonly keys: string[];

  constructor(
    hostCount: number,
    private readonly servers: readonly BalanceServer[],
  ) {
    this.byHost = Array.from({ length: hostCount }, () => new Map<string, Shelf>());
    this.keys = servers.map((s) => zoneKey(s.zones));
  }

  /** Orders servers by size, then id. */
  public compare(a: number, b: number): number {
    const sa = this.servers[a];
    const sb = this.servers[b];
    return sa.sizeGb - sb.sizeGb || compareStrings(sa.id, sb.id);
  }

  /** Puts server `s` (first on `origin`) on `host`. */
  public add(host: number, s: number, origin: number): void {
    const key = `${this.keys[s]}\u0000${origin}`;
    let shelf = this.byHost[host].get(key);
    if (!shelf) {
      shelf = { origin, zones: this.servers[s].zones, members: [] };
      this.byHost[host].set(key, shelf);
    }
    const m = shelf.members;
    m.splice(this.position(m, s), 0, s);
  }

  /** Where `s` is, or would go, in a shelf's members (kept sorted by `compare`): binary search. */
  private position(m: readonly number[], s: number): number {
    let lo = 0;
    let hi = m.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.compare(m[mid], s) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Takes server `s` (first on `origin`) off `host`. */
  public remove(host: number, s: number, origin: number): void {
    const key = `${this.keys[s]}\u0000${origin}`;
    const shelf = this.byHost[host].get(key);
    if (!shelf) throw new Error(`internal: server ${this.servers[s].id} is not on host ${host}`);
    const m = shelf.members;
    const lo = this.position(m, s);
    if (m[lo] !== s) throw new Error(`internal: server ${this.servers[s].id} is not on its shelf`);
    m.splice(lo, 1);
    if (m.length === 0) this.byHost[host].delete(key);
  }

  /** The shelves of a host (non-empty). */
  public of(host: number): IterableIterator<Shelf> {
    return this.byHost[host].values();
  }

  /** True when the host has no movable server. */
  public isEmpty(host: number): boolean {
    return this.byHost[host].size === 0;
  }

  /** GiB of the largest movable server of a host (0 when none). */
  public largest(host: number): number {
    let max = 0;
    for (const shelf of this.byHost[host].values()) max = Math.max(max, this.servers[shelf.members[shelf.members.length - 1]].sizeGb);
    return max;
  }

  /** Index in `members` of the first server of at least `size` GiB. */
  public firstAtLeast(members: readonly number[], size: number): number {
    return this.firstWhere(members, (gb) => gb >= size);
  }

  /** Index in `members` of the first server of more than `size` GiB. */
  public firstAbove(members: readonly number[], size: number): number {
    return this.firstWhere(members, (gb) => gb > size);
  }

  /** Binary search over `members` (sorted by size): the first index whose size satisfies `ok`. */
  private firstWhere(members: readonly number[], ok: (sizeGb: number) => boolean): number {
    let lo = 0;
    let hi = members.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (ok(this.servers[members[mid]].sizeGb)) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
}
