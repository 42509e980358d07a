import type { SnapshotShareNetwork, SnapshotShareServer, SnapshotShareType } from '../snapshot/model';
import type { BlockedReason } from './types';
import type { PlanContext } from './plan-context';
import type { Lineage } from './lineage';
import { backendName, hostProblem } from './host';
import { TASK_STATE } from '../manila/server-state';
import type { ResourceKind } from '../manila/resource';

/**
 * Every precondition of `migration_check`/`migration_start` (reference §3) that a snapshot can
 * reveal, as BlockedReasons with stable codes. Manila would refuse these moves; the plan says
 * so before anything is sent.
 */

/** Every code a BlockedReason can carry. */
export const BLOCKED_CODES = [
  'HOST_FORMAT',
  'SERVER_NOT_ACTIVE',
  'NO_SHARES',
  'STALE_DESTINATION',
  'SAME_BACKEND',
  'DEST_UNKNOWN',
  'DEST_DISABLED',
  'DEST_DOWN',
  'DEST_NOT_DHSS',
  'NO_SUBNET_IN_DEST_AZ',
  'SHARE_TYPE_AZ',
  'SHARE_NOT_AVAILABLE',
  'SHARE_SOFT_DELETED',
  'SHARE_HAS_REPLICAS',
  'SHARE_IN_GROUP',
  'SNAPSHOT_NOT_AVAILABLE',
  'SHARE_BUSY',
  'ACCESS_RULES_ERROR',
  'SHARE_NETWORK_UNKNOWN',
  'SHARE_NETWORK_NOT_ACTIVE',
  'NO_CAPACITY',
  'LAST_MIGRATION_CANCELLED',
  'LAST_MIGRATION_FAILED',
  'DEST_POOL_UNKNOWN',
  'DEST_DHSS_MISMATCH',
] as const;

/** A BlockedReason code. */
export type BlockedCode = (typeof BLOCKED_CODES)[number];

const reason = (code: BlockedCode, message: string): BlockedReason => ({ code, message });

const MOVE_AGAIN = (id: string): string => `to move it again, clear Manila's mark (manila share-server-reset-task-state ${id}) and plan again`;

const shareName = (sh: { id: string; name?: string }): string => (sh.name ? `${sh.name} (${sh.id})` : sh.id);

/** Reasons found on the server and its shares, whatever the destination. */
export function serverBlockers(l: Lineage): BlockedReason[] {
  const s = l.current;
  const out: BlockedReason[] = [];
  if (s.status !== 'active') out.push(reason('SERVER_NOT_ACTIVE', `share server ${s.id} is ${s.status}; Manila migrates only active servers`));
  if (l.destination) {
    out.push(
      reason(
        'STALE_DESTINATION',
        `destination server ${l.destination.id} (server_migrating_to on ${l.destination.host}) still points at ${s.id}; clean it up before a new migration`,
      ),
    );
  }
  // Manila keeps the mark of the last migration's end on the source. A schedule that plans
  // afresh every few minutes must not undo an operator's cancel, nor retry a failing driver
  // forever: clearing the mark is the operator's explicit "move it again", seen by every runner.
  if (s.taskState === TASK_STATE.cancelled) {
    out.push(reason('LAST_MIGRATION_CANCELLED', `the last migration of share server ${s.id} was cancelled; a new plan does not undo a cancel. ${MOVE_AGAIN(s.id)}`));
  }
  if (s.taskState === TASK_STATE.error) {
    out.push(reason('LAST_MIGRATION_FAILED', `the last migration of share server ${s.id} failed (migration_error; see manila-share.log on its destination). Fix the cause; ${MOVE_AGAIN(s.id)}`));
  }
  if (s.shares.length === 0) out.push(reason('NO_SHARES', `share server ${s.id} holds no shares; Manila refuses to migrate an empty server`));
  for (const sh of s.shares) {
    const n = shareName(sh);
    if (sh.isSoftDeleted) out.push(reason('SHARE_SOFT_DELETED', `share ${n} is in the recycle bin; restore or purge it first`));
    if (sh.status !== 'available') out.push(reason('SHARE_NOT_AVAILABLE', `share ${n} is ${sh.status}; every share must be available`));
    if (sh.hasReplicas) out.push(reason('SHARE_HAS_REPLICAS', `share ${n} has replicas; remove them before migrating its server`));
    if (sh.shareGroupId) out.push(reason('SHARE_IN_GROUP', `share ${n} belongs to share group ${sh.shareGroupId}; servers holding group members cannot migrate`));
    for (const snap of sh.snapshots) {
      if (snap.status !== 'available') out.push(reason('SNAPSHOT_NOT_AVAILABLE', `snapshot ${snap.id} of share ${n} is ${snap.status}; every snapshot must be available`));
    }
    if (sh.taskState) out.push(reason('SHARE_BUSY', `share ${n} is busy with task ${sh.taskState}`));
    if (sh.accessRulesStatus === 'error') out.push(reason('ACCESS_RULES_ERROR', `share ${n} has access rules in error; fix or remove them first`));
  }
  return out;
}

/** Reasons found on a destination host alone: its format, its service and its pools. */
export function destinationBlockers(host: string, ctx: PlanContext, kind: ResourceKind = 'share-server'): BlockedReason[] {
  const problem = hostProblem(host);
  if (problem) return [reason('HOST_FORMAT', `destination ${problem}`)];
  const services = ctx.servicesByHost.get(host) ?? [];
  if (services.length === 0) return [reason('DEST_UNKNOWN', `no manila-share service runs on ${host}`)];
  const out: BlockedReason[] = [];
  const enabled = services.filter((s) => s.status === 'enabled');
  if (enabled.length === 0) {
    const why = services.find((s) => s.disabledReason)?.disabledReason;
    out.push(reason('DEST_DISABLED', `the manila-share service on ${host} is disabled${why ? ` (${why})` : ''}`));
  }
  if (!(enabled.length > 0 ? enabled : services).some((s) => s.state === 'up')) out.push(reason('DEST_DOWN', `the manila-share service on ${host} is down`));
  const pools = ctx.poolsByHost.get(host) ?? [];
  // A share's pool is checked by itself (./share-moves.ts): its DHSS mode must match the share's.
  if (kind === 'share-server' && !pools.some((p) => p.dhss === true)) {
    out.push(reason('DEST_NOT_DHSS', `${host} reports no pool with driver_handles_share_servers=True; share servers can only move to such a backend`));
  }
  return out;
}

/** The availability zone of a destination host, from its (enabled) service. */
export function destinationZone(host: string, ctx: PlanContext): string | undefined {
  const services = ctx.servicesByHost.get(host) ?? [];
  return (services.find((s) => s.status === 'enabled') ?? services[0])?.zone;
}

/** The share network a migration would land on, resolved from the declaration. */
export interface TargetNetwork {
  /** What to send as `new_share_network_id`: null keeps the current network. */
  readonly newShareNetworkId: string | null;
  /** The network the server ends up on, when the snapshot knows it. */
  readonly network?: SnapshotShareNetwork;
  /** True when the server changes network. */
  readonly change: boolean;
  /** Why the network cannot be used. */
  readonly reasons: readonly BlockedReason[];
}

/** Resolves `newShareNetwork` (name or id; names are narrowed to the server's project) and checks the target network is active. */
export function targetNetwork(s: SnapshotShareServer, newShareNetwork: string | undefined, ctx: PlanContext): TargetNetwork {
  const current = s.shareNetworkId !== undefined ? ctx.networksById.get(s.shareNetworkId) : undefined;
  let network: SnapshotShareNetwork | undefined;
  if (newShareNetwork === undefined) {
    network = current;
  } else {
    network = ctx.networksById.get(newShareNetwork);
    if (!network) {
      let named = ctx.snapshot.shareNetworks.filter((n) => n.name === newShareNetwork);
      if (named.length > 1) named = named.filter((n) => n.projectId === s.projectId);
      if (named.length !== 1) {
        const why = named.length === 0 ? 'no share network has that name or id' : `${named.length} share networks of project ${s.projectId} have that name; give the id`;
        return { newShareNetworkId: null, change: true, reasons: [reason('SHARE_NETWORK_UNKNOWN', `new share network "${newShareNetwork}": ${why}`)] };
      }
      network = named[0];
    }
  }
  const change = network !== undefined && newShareNetwork !== undefined && network.id !== s.shareNetworkId;
  const reasons: BlockedReason[] = [];
  if (network?.status !== undefined && network.status !== 'active') {
    reasons.push(reason('SHARE_NETWORK_NOT_ACTIVE', `share network ${network.name ?? network.id} is ${network.status}; Manila needs the target network active`));
  }
  return { newShareNetworkId: change && network ? network.id : null, network, change, reasons };
}

/**
 * Whether a share type's `availability_zones` extra spec lets a share live in `zone`. Mirrors
 * Manila (share/api.py, share server migration checks): `azs and zone not in azs` on the raw
 * string, so an empty spec allows every zone and a match is by substring, as Manila decides.
 */
export function typeAllowsZone(availabilityZones: string | undefined, zone: string): boolean {
  return !availabilityZones || availabilityZones.includes(zone);
}

/** The first share type on a server whose `availability_zones` leaves out `zone`, if any. */
export function typeExcludingZone(s: SnapshotShareServer, zone: string, ctx: PlanContext): SnapshotShareType | undefined {
  for (const sh of s.shares) {
    const t = sh.shareTypeId === undefined ? undefined : ctx.shareTypesById.get(sh.shareTypeId);
    if (t && !typeAllowsZone(t.availabilityZones, zone)) return t;
  }
  return undefined;
}

/** Whether a share network can reach a host: a subnet in the host's zone, or a default subnet (Manila builds the destination's share server on it). */
export function subnetBlockers(network: SnapshotShareNetwork | undefined, host: string, ctx: PlanContext): BlockedReason[] {
  const zone = destinationZone(host, ctx);
  const subnets = network?.subnets ?? [];
  if (zone === undefined || subnets.length === 0 || subnets.some((sn) => sn.availabilityZone === null || sn.availabilityZone === zone)) return [];
  return [reason('NO_SUBNET_IN_DEST_AZ', `share network ${network?.name ?? network?.id} has no subnet in zone ${zone} of ${host}, nor a default subnet`)];
}

/** Reasons that come from this server going to this host: same backend name, no subnet in the destination's zone, a share type not offered there. */
export function pairBlockers(s: SnapshotShareServer, host: string, net: TargetNetwork, ctx: PlanContext): BlockedReason[] {
  if (hostProblem(host)) return [];
  const out: BlockedReason[] = [];
  if (backendName(s.host) === backendName(host) && !net.change) {
    out.push(
      reason(
        'SAME_BACKEND',
        `${s.host} and ${host} share the backend name "${backendName(host)}"; Manila refuses a move between them unless the share network changes too`,
      ),
    );
  }
  out.push(...subnetBlockers(net.network, host, ctx));
  const zone = destinationZone(host, ctx);
  const type = zone === undefined ? undefined : typeExcludingZone(s, zone, ctx);
  if (type !== undefined) {
    out.push(
      reason(
        'SHARE_TYPE_AZ',
        `share type ${type.name ?? type.id} of a share on this server is limited to availability zones "${type.availabilityZones}", and ${host} is in zone ${zone}`,
      ),
    );
  }
  return out;
}
