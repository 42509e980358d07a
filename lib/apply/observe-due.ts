import type { ManilaClient } from '../manila/client';
import { listIsCheaper } from '../manila/read-costs';
import type { LoopMove } from './memory';
import { fleetOf, listInFlightView, observeById, observeInFleet, type Fleet, type Known } from './observation';
import type { Observation } from './stage';

/** What the observe step needs of the loop. */
export interface ObserveHost {
  readonly client: ManilaClient;
  /** Keys of the moves not over yet, in fair order. */
  active(): string[];
  move(key: string): LoopMove;
  known(key: string): Known;
  /** Runs `fn` in the move's scope (its calls are counted and journalled for the move). */
  scoped<T>(key: string, fn: () => Promise<T>): Promise<T>;
  /** A read of the move failed. */
  readFailed(key: string, e: unknown): void;
  /** A read of Manila succeeded (an outage under way is over). */
  readOk(): void;
}

/**
 * Reads the due moves: one list when counts are needed, when ids cannot tell, or when one
 * list costs Manila less than the GETs (as measured on this cloud); else GETs by id. A list
 * read anyway shows every active move, so all of them are decided on it. Returns the list
 * too, when one was read (the in-flight counts come from it).
 */
export async function observeDue(
  host: ObserveHost,
  due: readonly string[],
  needsCounts: boolean,
): Promise<{ observations: Map<string, Observation>; fleet?: Fleet }> {
  const observations = new Map<string, Observation>();
  let fleet: Fleet | undefined;
  let fleetError: unknown;
  // A share's task state is only in its own record: share moves are always read by id, and
  // the list (for the counts) then also holds every share's instances.
  const isShare = (k: string): boolean => host.known(k).kind === 'share';
  const active = host.active();
  const withShares = active.some(isShare);
  const readFleet = async (): Promise<Fleet | undefined> => {
    if (fleet || fleetError) return fleet;
    try {
      fleet = fleetOf(await listInFlightView(host.client, withShares));
    } catch (e) {
      fleetError = e;
    }
    return fleet;
  };
  const costs = host.client.readCosts;
  const servers = due.filter((k) => !isShare(k));
  let byFleet: string[] = [];
  let byId: readonly string[] = due;
  if (needsCounts || listIsCheaper(servers.length, { list: costs.of('list'), get: costs.of('get') }, host.client.budget.available())) {
    byFleet = active.filter((k) => !isShare(k));
    byId = due.filter(isShare);
  }
  await Promise.all(
    byId.map((k) =>
      host.scoped(k, async () => {
        try {
          const r = await observeById(host.client, host.known(k));
          if ('observation' in r) {
            observations.set(k, r.observation);
            host.move(k).readFailures = 0;
            host.readOk();
          } else byFleet.push(k);
        } catch (e) {
          host.readFailed(k, e);
        }
      }),
    ),
  );
  if (byFleet.length || needsCounts) {
    const f = await readFleet();
    if (f) host.readOk();
    const dueNow = new Set(due);
    for (const k of byFleet) {
      if (f) {
        observations.set(k, observeInFleet(f, host.known(k)));
        host.move(k).readFailures = 0;
      } else if (dueNow.has(k)) host.readFailed(k, fleetError);
    }
  }
  return { observations, fleet };
}
