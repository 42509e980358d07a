/**
 * What reading share servers costs on this cloud, measured on the answers: the time Manila
 * took for a list of every share server and for a GET by id (a moving average, the wait for
 * the request budget left out). A Zed list loads every server and queries each one's share
 * network, so its cost grows with the cloud; a GET does not. The loop reads by list when that
 * costs less than the GETs it replaces.
 */

/** Kinds of share server read. */
export type ServerRead = 'list' | 'get';

/** Weight of the newest answer in the moving average. */
const ALPHA = 0.3;

export class ReadCosts {
  private readonly ms: Partial<Record<ServerRead, number>> = {};

  /** Records how long one answer took, in ms. */
  public record(kind: ServerRead, ms: number): void {
    const prev = this.ms[kind];
    this.ms[kind] = prev === undefined ? ms : prev + ALPHA * (ms - prev);
  }

  /** The average time of a read of this kind, in ms, once one was measured. */
  public of(kind: ServerRead): number | undefined {
    return this.ms[kind];
  }
}

/**
 * How much more of Manila's time one list may take than the GETs it replaces when the request
 * budget cannot serve those GETs now: the budget is the operator's bound on the load, and a list
 * is one request of it, so the moves are seen without waiting for tokens.
 */
export const SHORT_BUDGET_LIST_FACTOR = 2;

/**
 * True when one list costs Manila less than `due` GETs by id (each request also costs one
 * token of the budget, so a tie goes to the list), or, with fewer than `due` tokens free, up to
 * SHORT_BUDGET_LIST_FACTOR times as much. Unmeasured kinds count as equal. Pure.
 */
export function listIsCheaper(due: number, costs: { readonly list?: number; readonly get?: number }, tokensFree = Infinity): boolean {
  if (due <= 1) return false;
  const list = costs.list ?? costs.get ?? 1;
  const get = costs.get ?? list;
  const factor = tokensFree < due ? SHORT_BUDGET_LIST_FACTOR : 1;
  return factor * due * Math.max(get, 1e-3) >= list;
}
