import { snapshotDigest, type CloudSnapshot } from '../snapshot/model';
import { compareStrings } from '../util/compare';

/**
 * Planning sees a snapshot with every list in a fixed order, so that the same cloud listed in
 * another order gives the same plan. `refresh` already writes this order; normalising is then
 * a no-op.
 */

const byId = <T extends { id: string }>(a: T, b: T): number => compareStrings(a.id, b.id);

/** The snapshot with every list sorted (servers, shares and snapshots by id, services by host, pools by name, networks and subnets by id). */
export function normalizeSnapshot(s: CloudSnapshot): CloudSnapshot {
  return {
    ...s,
    shareServers: s.shareServers
      .map((srv) => ({
        ...srv,
        shareNetworkSubnetIds: [...srv.shareNetworkSubnetIds].sort(compareStrings),
        shares: srv.shares.map((sh) => ({ ...sh, snapshots: [...sh.snapshots].sort(byId) })).sort(byId),
      }))
      .sort(byId),
    ...(s.flatShares !== undefined ? { flatShares: s.flatShares.map((sh) => ({ ...sh, snapshots: [...sh.snapshots].sort(byId) })).sort(byId) } : {}),
    services: [...s.services].sort(
      (a, b) => compareStrings(a.host, b.host) || compareStrings(a.zone, b.zone) || compareStrings(a.status, b.status) || compareStrings(a.state, b.state),
    ),
    pools: [...s.pools].sort((a, b) => compareStrings(a.name, b.name)),
    shareNetworks: s.shareNetworks.map((n) => ({ ...n, subnets: [...n.subnets].sort(byId) })).sort(byId),
    ...(s.shareTypes !== undefined ? { shareTypes: [...s.shareTypes].sort(byId) } : {}),
  };
}

/** Digest a plan records for its snapshot: `snapshotDigest` of the normalised snapshot, so list order does not matter. */
export function planSnapshotDigest(s: CloudSnapshot): string {
  return snapshotDigest(normalizeSnapshot(s));
}
