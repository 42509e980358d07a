import type { Completion, EvacuationDeclaration, PlacementDeclaration, RebalanceDeclaration, ServerSelector } from '../../../lib/plan/types';
import type { MigrationFlags } from '../../../lib/manila/types';

/** Plain declarations for plan() tests, with the defaults the constructs apply. */

export const NO_FLAGS: MigrationFlags = { writable: false, nondisruptive: false, preserveSnapshots: false };

export function placement(
  path: string,
  select: ServerSelector,
  host: string,
  o: { flags?: Partial<MigrationFlags>; newShareNetwork?: string; completion?: Completion } = {},
): PlacementDeclaration {
  return {
    kind: 'placement',
    path,
    select,
    host,
    flags: { ...NO_FLAGS, ...o.flags },
    ...(o.newShareNetwork !== undefined ? { newShareNetwork: o.newShareNetwork } : {}),
    completion: o.completion ?? 'auto',
  };
}

export function evacuation(
  path: string,
  sourceHost: string,
  targets: readonly string[],
  o: { maxPerTarget?: number; flags?: Partial<MigrationFlags>; completion?: Completion } = {},
): EvacuationDeclaration {
  return {
    kind: 'evacuation',
    path,
    sourceHost,
    targets,
    ...(o.maxPerTarget !== undefined ? { maxPerTarget: o.maxPerTarget } : {}),
    flags: { ...NO_FLAGS, ...o.flags },
    completion: o.completion ?? 'auto',
  };
}

/** A rebalance by server count over the test bed's three hosts, with the constructs' defaults. */
export function rebalance(over: Partial<RebalanceDeclaration> = {}): RebalanceDeclaration {
  return {
    kind: 'rebalance',
    path: 'app/balance',
    hosts: ['node1@alpha', 'node1@beta', 'node1@gamma'],
    objective: 'server-count',
    drain: [],
    exclude: [],
    tolerance: 1,
    minGain: 1,
    reserveGb: 0,
    reserveRatio: 0,
    flags: NO_FLAGS,
    completion: 'auto',
    ...over,
  };
}
