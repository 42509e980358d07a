import type { BlockedReason, ObservedServer } from './types';
import type { PlanContext } from './plan-context';
import type { Lineage } from './lineage';
import type { SnapshotFlatShare } from '../snapshot/model';
import { backendHostOf, type ResourceKind } from '../manila/resource';
import { TASK_STATE } from '../manila/server-state';
import { destinationBlockers, pairBlockers, serverBlockers, targetNetwork } from './blockers';
import { effectiveHost, motionOf } from './motion';
import { observedServer } from './observed-server';
import { flatShareBlockers, isFlatShareMoving, observedFlatShare, poolBlockers, poolsOfTarget, roomiestPool } from './share-moves';
import { compareStrings } from '../util/compare';

/**
 * The seam between a rebalance and what it moves. A host whose backend handles share servers
 * is balanced by its share servers; a host whose backend does not (every pool reports
 * driver_handles_share_servers=False) by its shares, each moving alone to a pool of the
 * chosen host. The greedy sees only sizes and hosts; this file says, per kind, what counts on
 * a host, what may move, what may not and why, and where a move lands.
 */

/** How a thing of the rebalance is moving, when it is. */
export interface ItemMotion {
  /** Host it counts on: its destination's, unless cancelling or unknown. */
  readonly effective: string;
  /** Destination host (`name@backend`), when known. */
  readonly toward?: string;
  /** Destination as the plan's `to` says it (a host, or a share's pool). */
  readonly towardTarget?: string;
  readonly from: string;
  readonly cancelling: boolean;
}

function motionAt(effective: string, toward: string | undefined, towardTarget: string | undefined, from: string, cancelling: boolean): ItemMotion {
  return { effective, ...(toward !== undefined ? { toward, towardTarget: towardTarget ?? toward } : {}), from, cancelling };
}

/** One thing a rebalance may count or move. */
export interface RebalanceItem {
  /** Id in the entry's key: a lineage's root id, or a share's id. */
  readonly keyId: string;
  /** Id for the last tie-break. */
  readonly id: string;
  /** Backend host it is on (`name@backend`). */
  readonly host: string;
  /** The plan's `from`: the host, or a share's pool. */
  readonly from: string;
  readonly observed: ObservedServer;
  /** GiB it weighs. */
  readonly sizeGb: number;
  /** Reasons it cannot move at all (asked only of what is on a host of the rebalance and idle). */
  blockers(): readonly BlockedReason[];
  readonly motion?: ItemMotion;
  /** A share server's lineage (for zones); absent for a share. */
  readonly lineage?: Lineage;
}

/** Per kind: the things on hosts, and the rules of a destination. */
export interface RebalanceSource {
  readonly kind: ResourceKind;
  /** How messages name one, and many. */
  readonly noun: string;
  readonly nouns: string;
  /** Everything of this kind in the snapshot, in key order. */
  items(): readonly RebalanceItem[];
  /** Why a host cannot receive any of them. */
  hostBlockers(host: string): BlockedReason[];
  /** Why one cannot go to one host (beyond the host's own reasons). */
  pairReasons(item: RebalanceItem, host: string): readonly BlockedReason[];
  /**
   * Where a move to `host` lands, the plan's `to`: the host itself, or the pool of the host
   * with the most free space that takes the share (counted down as moves are placed).
   */
  landing(item: RebalanceItem, host: string): { readonly to: string } | { readonly reasons: readonly BlockedReason[] };
}

/** The kind a host's backend moves: shares when every pool it reports (at least one) has DHSS False. */
export function hostKind(host: string, ctx: PlanContext): ResourceKind {
  const pools = ctx.poolsByHost.get(host) ?? [];
  if (pools.some((p) => p.dhss === true)) return 'share-server';
  if (pools.some((p) => p.dhss === false) || (ctx.flatSharesByHost.get(host) ?? []).length > 0) return 'share';
  return 'share-server';
}

/** Share servers: one per live lineage. */
export function serverSource(ctx: PlanContext): RebalanceSource {
  const item = (l: Lineage): RebalanceItem => {
    const s = l.current;
    const m = motionOf(l, ctx.serversById);
    return {
      keyId: l.rootId,
      id: s.id,
      host: s.host,
      from: s.host,
      observed: observedServer(s),
      sizeGb: s.shares.reduce((sum, sh) => sum + sh.size, 0),
      blockers: () => [...serverBlockers(l), ...targetNetwork(s, undefined, ctx).reasons],
      ...(m.moving ? { motion: motionAt(effectiveHost(l, ctx.serversById), m.toward, m.toward, m.from, m.cancelling) } : {}),
      lineage: l,
    };
  };
  return {
    kind: 'share-server',
    noun: 'server',
    nouns: 'servers',
    items: () => ctx.lineages.map(item),
    hostBlockers: (host) => destinationBlockers(host, ctx),
    pairReasons: (it, host) => (it.lineage ? pairBlockers(it.lineage.current, host, targetNetwork(it.lineage.current, undefined, ctx), ctx) : []),
    landing: (_it, host) => ({ to: host }),
  };
}

/** Shares without a share server: each by itself, landing on a pool. */
export function shareSource(ctx: PlanContext): RebalanceSource {
  const byId = new Map((ctx.snapshot.flatShares ?? []).map((sh) => [sh.id, sh] as const));
  const free = new Map(ctx.snapshot.pools.map((p) => [p.name, p.freeCapacityGb] as const));
  const item = (sh: SnapshotFlatShare): RebalanceItem => {
    const host = backendHostOf(sh.host);
    const moving = isFlatShareMoving(sh);
    const toward = sh.migratingTo !== undefined ? backendHostOf(sh.migratingTo) : undefined;
    const cancelling = sh.taskState === TASK_STATE.cancelInProgress;
    return {
      keyId: sh.id,
      id: sh.id,
      host,
      from: sh.host,
      observed: observedFlatShare(sh),
      sizeGb: sh.size,
      blockers: () => flatShareBlockers(sh),
      ...(moving ? { motion: motionAt(toward !== undefined && !cancelling ? toward : host, toward, sh.migratingTo, sh.host, cancelling) } : {}),
    };
  };
  const share = (it: RebalanceItem): SnapshotFlatShare => byId.get(it.id) as SnapshotFlatShare;
  const pairReasons = (it: RebalanceItem, host: string): BlockedReason[] => {
    const pools = poolsOfTarget(host, ctx);
    if (pools.length === 0) return [{ code: 'DEST_POOL_UNKNOWN', message: `${host} reports no pool in the snapshot` }];
    const each = pools.map((p) => poolBlockers(share(it), p, free.get(p), ctx));
    return each.some((rs) => rs.length === 0) ? [] : each.flat();
  };
  return {
    kind: 'share',
    noun: 'share',
    nouns: 'shares',
    items: () => [...(ctx.snapshot.flatShares ?? [])].sort((a, b) => compareStrings(a.id, b.id)).map(item),
    hostBlockers: (host) => destinationBlockers(host, ctx, 'share'),
    pairReasons,
    landing: (it, host) => {
      const ok = poolsOfTarget(host, ctx).filter((p) => p !== share(it).host && poolBlockers(share(it), p, free.get(p), ctx).length === 0);
      if (ok.length === 0) return { reasons: pairReasons(it, host) };
      const pool = roomiestPool(ok, free);
      const left = free.get(pool);
      if (left !== undefined) free.set(pool, left - it.sizeGb);
      return { to: pool };
    },
  };
}

/** The source of a kind. */
export function sourceOf(kind: ResourceKind, ctx: PlanContext): RebalanceSource {
  return kind === 'share' ? shareSource(ctx) : serverSource(ctx);
}
