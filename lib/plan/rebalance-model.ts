import type { RebalanceObjective, RebalanceStop } from './types';

/**
 * The rebalancing problem as plain numbers, independent of snapshots: hosts with a load,
 * movable servers with a size, limits. `rebalance.ts` builds it from a snapshot;
 * `rebalance-greedy.ts` solves it.
 *
 * Load of a host, by objective:
 * - `server-count`: servers on it (every server weighs 1);
 * - `allocated-gb`: GiB of the shares of its servers (a server weighs its GiB);
 * - `free-ratio`: 1 - free/total GiB of its pools, the used share (a server of s GiB weighs
 *   s/total on that host). Shown to people as the free ratio, 1 - load.
 */

/** A host of the rebalance. */
export interface BalanceHost {
  /** `name@backend`. */
  readonly name: string;
  /** Part after `@`: Manila refuses a move between two hosts with the same one. */
  readonly backend: string;
  /** Availability zone of its manila-share service, when known. */
  readonly zone?: string;
  /** `balance` hosts are evened out; `drain` hosts are emptied and never receive. */
  readonly role: 'balance' | 'drain';
  /** Counted in the balance (free-ratio needs the pools' capacity). Drained hosts are never counted. */
  readonly counted: boolean;
  /** May receive servers: a counted balance host whose service is enabled and up, with a DHSS pool. */
  readonly receives: boolean;
  /** Total GiB of its pools, when they report it (and it is positive). */
  readonly totalGb?: number;
  /** Free GiB of its pools, when they report it. */
  readonly freeGb?: number;
  /** Load of the servers that count here but do not move (server-count and allocated-gb only). */
  readonly pinnedLoad: number;
  /** Number of servers that count here but do not move. */
  readonly pinnedServers: number;
}

/** A share server the rebalance may move. */
export interface BalanceServer {
  /** Id of its current record: the last tie-break. */
  readonly id: string;
  /** Index of the host it is on. */
  readonly host: number;
  /** GiB of its shares. */
  readonly sizeGb: number;
  /** Zones where its share network has a subnet; null when any zone will do (a default subnet, or none recorded). */
  readonly zones: ReadonlySet<string> | null;
}

/** The limits of a rebalance, in the objective's unit. */
export interface BalanceLimits {
  readonly objective: RebalanceObjective;
  readonly tolerance: number;
  /** Positive. */
  readonly minGain: number;
  readonly reserveGb: number;
  readonly reserveRatio: number;
  readonly maxMoves?: number;
}

/** One move as the greedy made it (a server may move more than once within a plan; the plan keeps its first source and last destination). */
export interface BalanceStep {
  readonly kind: 'balance' | 'drain';
  readonly server: number;
  readonly from: number;
  readonly to: number;
  /** Loads (objective's internal unit) of `from` and `to` before and after this step. */
  readonly fromBefore: number;
  readonly fromAfter: number;
  readonly toBefore: number;
  readonly toAfter: number;
}

/** Why a server of a drained host stays. */
export type Unplaced = 'max-moves' | 'no-host' | 'no-room';

/** What the greedy decided. */
export interface BalanceOutcome {
  /** Final host of each server (index into hosts). */
  readonly placement: readonly number[];
  /** Every step, in order. */
  readonly steps: readonly BalanceStep[];
  /** Loads before and after (NaN for hosts that are not counted and have no load). */
  readonly before: readonly number[];
  readonly after: readonly number[];
  /** Free GiB of each host after the plan (undefined when unknown). */
  readonly freeAfter: ReadonlyArray<number | undefined>;
  /** Servers left on drained hosts, by index, and why. */
  readonly unplaced: ReadonlyMap<number, Unplaced>;
  /** Servers whose final host differs from their first. */
  readonly moves: number;
  /** Spread of the counted balance hosts before and after. */
  readonly spreadBefore: number;
  readonly spreadAfter: number;
  readonly stop: RebalanceStop;
  /** True if the safety ceiling on steps was reached (never expected: every step strictly improves the loads). */
  readonly ceilingReached: boolean;
}

/** Defaults of tolerance and minGain per objective, in its unit. */
export const OBJECTIVE_DEFAULTS: Readonly<Record<RebalanceObjective, { readonly tolerance: number; readonly minGain: number }>> = {
  'server-count': { tolerance: 1, minGain: 1 },
  'allocated-gb': { tolerance: 10, minGain: 1 },
  'free-ratio': { tolerance: 0.05, minGain: 0.005 },
};

/** Every objective. */
export { REBALANCE_OBJECTIVES } from './schema';

/** True for the objective that reads the pools' capacity. */
export function usesCapacity(o: RebalanceObjective): boolean {
  return o === 'free-ratio';
}

/** Rounds away floating point noise for what people and plan files see. */
export function tidy(v: number, o: RebalanceObjective): number {
  const f = o === 'free-ratio' ? 1e4 : 1e3;
  return Math.round(v * f) / f;
}

/** The value people see for an internal load: free ratio for `free-ratio`, the load itself otherwise. */
export function shown(load: number, o: RebalanceObjective): number {
  return tidy(o === 'free-ratio' ? 1 - load : load, o);
}

/** A load change with its unit, for messages: `6→5`, `600→550 GiB`, `free 40.0%→42.5%` (`?` for an unknown load). */
export function formatChange(beforeLoad: number, afterLoad: number, o: RebalanceObjective): string {
  const v = (load: number): string => {
    if (Number.isNaN(load)) return '?';
    const x = shown(load, o);
    return o === 'free-ratio' ? `${(x * 100).toFixed(1)}%` : String(x);
  };
  const change = `${v(beforeLoad)}→${v(afterLoad)}`;
  return o === 'server-count' ? change : o === 'allocated-gb' ? `${change} GiB` : `free ${change}`;
}

/** A spread or tolerance with its unit, for messages. */
export function formatAmount(v: number, o: RebalanceObjective): string {
  if (o === 'server-count') return `${v} server${v === 1 ? '' : 's'}`;
  if (o === 'allocated-gb') return `${v} GiB`;
  return `${(v * 100).toFixed(1)} points of free ratio`;
}
