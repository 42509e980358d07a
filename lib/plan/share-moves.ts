import type { SnapshotFlatShare, SnapshotPool, SnapshotShare, SnapshotShareServer, SnapshotShareType } from '../snapshot/model';
import { isInFlightTaskState, SERVER_STATUS, TASK_STATE } from '../manila/server-state';
import { RESOURCES } from '../manila/resource';
import type { BlockedReason, EvacuationDeclaration, ObservedServer, PlacementDeclaration, PlanEntry } from './types';
import { destinationBlockers, destinationZone, subnetBlockers } from './blockers';
import type { PlanContext } from './plan-context';
import { compareStrings } from '../util/compare';
import { plural } from '../util/plural';
import { entryKey, unmatchedKey } from './key';

/**
 * Shares that no share server holds (backends with driver_handles_share_servers = False), and
 * shares named one by one off their share server, move one by one with share migration. They
 * enter the plan as moves whose record is the share itself (`resource: 'share'`), going to a
 * pool (`host@backend#pool`, which Manila needs:
 * docs/share-migration.md §0.2). Manila has no read-only check for shares, so every reason it
 * would refuse that a snapshot can reveal is found here (share/api.py `migration_start`, the
 * scheduler's capacity and capabilities filters, and the manager's snapshot rule).
 */

const reason = (code: string, message: string): BlockedReason => ({ code, message });
const nameOf = (sh: { id: string; name?: string }): string => (sh.name ? `${sh.name} (${sh.id})` : sh.id);
const RESET = RESOURCES.share.resetTaskStateCommand;

/** What a plan records of a share that moves by itself: it carries itself. */
export function observedFlatShare(sh: SnapshotFlatShare): ObservedServer {
  return {
    resource: 'share',
    id: sh.id,
    host: sh.host,
    status: sh.status,
    taskState: sh.taskState ?? null,
    ...(sh.shareNetworkId !== undefined ? { shareNetworkId: sh.shareNetworkId } : {}),
    projectId: sh.projectId,
    ...(sh.projectName !== undefined ? { projectName: sh.projectName } : {}),
    shareIds: [sh.id],
    shares: [
      {
        id: sh.id,
        ...(sh.name !== undefined ? { name: sh.name } : {}),
        size: sh.size,
        ...(sh.protocol !== undefined ? { protocol: sh.protocol } : {}),
        snapshots: sh.snapshots.length,
      },
    ],
  };
}

/** A share migration in flight (Manila shows `migrating` and a busy task state). */
export function isFlatShareMoving(sh: SnapshotFlatShare): boolean {
  return sh.status === RESOURCES.share.status.migrating || isInFlightTaskState(sh.taskState ?? null);
}

/** Why a share in flight elsewhere (or nowhere known) is left alone. */
function movingMessage(sh: SnapshotFlatShare, wanted: string): string {
  const where = sh.migratingTo ? `to ${sh.migratingTo}, not to ${wanted}` : `(${sh.taskState ?? sh.status}) and no destination instance shows where`;
  return `share ${nameOf(sh)} is migrating ${where}; let that migration end or cancel it (manila-placement cancel ${sh.id}), then plan again`;
}

/** Reasons on the share itself, whatever the pool. */
export function flatShareBlockers(sh: SnapshotFlatShare): BlockedReason[] {
  const n = nameOf(sh);
  const out: BlockedReason[] = [];
  if (sh.isSoftDeleted) out.push(reason('SHARE_SOFT_DELETED', `share ${n} is in the recycle bin; restore or purge it first`));
  if (sh.status !== 'available') out.push(reason('SHARE_NOT_AVAILABLE', `share ${n} is ${sh.status}; Manila migrates only available shares`));
  if (sh.hasReplicas) out.push(reason('SHARE_HAS_REPLICAS', `share ${n} has replicas; Manila refuses to migrate it until they are removed`));
  if (sh.shareGroupId) out.push(reason('SHARE_IN_GROUP', `share ${n} belongs to share group ${sh.shareGroupId}; Manila refuses to migrate group members`));
  for (const snap of sh.snapshots) {
    if (snap.status !== 'available') out.push(reason('SNAPSHOT_NOT_AVAILABLE', `snapshot ${snap.id} of share ${n} is ${snap.status}; every snapshot must be available`));
  }
  if (sh.accessRulesStatus === 'error') out.push(reason('ACCESS_RULES_ERROR', `share ${n} has access rules in error; fix or remove them first`));
  if (sh.taskState === TASK_STATE.cancelled) {
    out.push(reason('LAST_MIGRATION_CANCELLED', `the last migration of share ${n} was cancelled; a new plan does not undo a cancel. To move it again, clear Manila's mark (${RESET} ${sh.id}) and plan again`));
  }
  if (sh.taskState === TASK_STATE.error) {
    out.push(reason('LAST_MIGRATION_FAILED', `the last migration of share ${n} failed (migration_error; see manila-share.log on its host). Fix the cause; to move it again, clear Manila's mark (${RESET} ${sh.id}) and plan again`));
  }
  return out;
}

/**
 * Reasons a pool cannot take a share: not in the snapshot, a different DHSS mode than the
 * share's type (the scheduler's capabilities filter; the share's pool stands for its type), a
 * zone its type's `availability_zones` leaves out (share/api.py migration_start refuses it), or
 * too little free space for its size (the capacity filter; `free` is what is left after the
 * moves planned so far). `type` is the type it lands with: a retype's, or its own.
 */
export function poolBlockers(sh: SnapshotFlatShare, poolName: string, free: number | undefined, ctx: PlanContext, type?: SnapshotShareType): BlockedReason[] {
  const pool = ctx.poolsByName.get(poolName);
  if (!pool) return [reason('DEST_POOL_UNKNOWN', `pool ${poolName} is not in the snapshot's pools (GET /scheduler-stats/pools); give host@backend#pool as Manila lists it`)];
  const out: BlockedReason[] = [];
  const source = ctx.poolsByName.get(sh.host);
  const want = type?.dhss ?? source?.dhss ?? false;
  if (pool.dhss !== undefined && pool.dhss !== want) {
    const of = type ? `share type ${type.name ?? type.id}` : `share ${nameOf(sh)}'s pool`;
    out.push(reason('DEST_DHSS_MISMATCH', `pool ${poolName} has driver_handles_share_servers=${pool.dhss ? 'True' : 'False'}, and ${of} has ${want ? 'True' : 'False'}; share ${nameOf(sh)} cannot be placed there`));
  }
  const t = type ?? (sh.shareTypeId !== undefined ? ctx.shareTypesById.get(sh.shareTypeId) : undefined);
  const zone = destinationZone(pool.backendHost, ctx);
  const zones = (t?.availabilityZones ?? '').split(',').filter((z) => z !== '');
  if (t && zone !== undefined && zones.length > 0 && !zones.includes(zone)) {
    out.push(reason('TYPE_ZONE_MISMATCH', `share type ${t.name ?? t.id} allows the zones ${zones.join(', ')}, and ${pool.backendHost} is in ${zone}; Manila refuses the move`));
  }
  if (free !== undefined && free < sh.size) {
    out.push(reason('NO_CAPACITY', `pool ${poolName} has ${free} GiB free (after the moves planned before this one), and share ${nameOf(sh)} needs ${sh.size} GiB`));
  }
  return out;
}

/** A share placement's `newShareType`, resolved: the type, or why it cannot be used for any share. */
function resolveNewType(name: string | undefined, ctx: PlanContext): { type?: SnapshotShareType; reasons: BlockedReason[] } {
  if (name === undefined) return { reasons: [] };
  const hits = (ctx.snapshot.shareTypes ?? []).filter((t) => t.id === name || t.name === name);
  if (hits.length === 0) {
    return { reasons: [reason('NEW_SHARE_TYPE_UNKNOWN', `share type "${name}" is not in the snapshot (it records the types in use and those without share servers); give a type without share servers by name or id, as \`openstack share type list\` shows it`)] };
  }
  const type = hits.find((t) => t.id === name) ?? hits[0];
  if (type.dhss === true) {
    return { type, reasons: [reason('NEW_SHARE_TYPE_DHSS', `share type ${type.name ?? type.id} has driver_handles_share_servers=True; Manila needs a new share network to retype a share without one to it, and a SharePlacement gives none. Choose a type with driver_handles_share_servers=False`)] };
  }
  return { type, reasons: [] };
}

/** Whether a retype's size limits (provisioning:min/max_share_size) refuse a share (share_types.provision_filter_on_size). */
function sizeBlockers(sh: SnapshotFlatShare, t: SnapshotShareType | undefined): BlockedReason[] {
  if (!t) return [];
  if (t.minSizeGb !== undefined && sh.size < t.minSizeGb) return [reason('NEW_SHARE_TYPE_SIZE', `share ${nameOf(sh)} is ${sh.size} GiB, below share type ${t.name ?? t.id}'s minimum of ${t.minSizeGb} GiB`)];
  if (t.maxSizeGb !== undefined && sh.size > t.maxSizeGb) return [reason('NEW_SHARE_TYPE_SIZE', `share ${nameOf(sh)} is ${sh.size} GiB, above share type ${t.name ?? t.id}'s maximum of ${t.maxSizeGb} GiB`)];
  return [];
}

/** The pools a target names: itself when it has `#pool`, else every pool of the host. */
export function poolsOfTarget(target: string, ctx: PlanContext): string[] {
  if (target.includes('#')) return [target];
  return (ctx.poolsByHost.get(target) ?? []).map((p: SnapshotPool) => p.name).sort(compareStrings);
}

/** The pool with the most free space (the first of equals, so name order decides ties); `pools` is not empty. */
export function roomiestPool(pools: readonly string[], free: ReadonlyMap<string, number | undefined>): string {
  return pools.reduce((best, p) => ((free.get(p) ?? 0) > (free.get(best) ?? 0) ? p : best));
}

/** Free GiB of a pool as the plan counts it down; undefined when the pool does not report it. */
function freeMap(ctx: PlanContext): Map<string, number | undefined> {
  return new Map(ctx.snapshot.pools.map((p) => [p.name, p.freeCapacityGb] as const));
}

/**
 * The share moves of an evacuation: every share without a share server on the source host
 * goes to a pool of the least loaded target (by shares already there and planned, under
 * `maxPerTarget`), on the pool with the most free space, ties broken by name. `targetReasons`
 * are the reasons found on each target host alone (its service).
 */
export function planShareEvacuation(d: EvacuationDeclaration, ctx: PlanContext, targetReasons: ReadonlyMap<string, readonly BlockedReason[]>): PlanEntry[] {
  const shares = ctx.flatSharesByHost.get(d.sourceHost) ?? [];
  if (shares.length === 0) return [];
  const targets = [...new Set(d.targets)].sort(compareStrings);
  const targetList = targets.join(',');
  const hostOf = (t: string): string => t.split('#')[0];
  const load = new Map(targets.map((t) => [t, (ctx.flatSharesByHost.get(hostOf(t)) ?? []).filter((sh) => !t.includes('#') || sh.host === t).length] as [string, number]));
  const free = freeMap(ctx);
  const out: PlanEntry[] = [];
  for (const sh of shares) {
    const base = { key: entryKey(d.path, sh.id), declaration: d.path, server: observedFlatShare(sh) };
    if (isFlatShareMoving(sh)) {
      // Already going to a target of this evacuation (an earlier pass started it): resumed.
      const toward = sh.migratingTo;
      if (toward !== undefined && targets.some((t) => t === toward || t === toward.split('#')[0])) {
        out.push({ ...base, action: 'resume', from: sh.host, to: toward, flags: d.flags, newShareNetworkId: null, completion: d.completion });
        continue;
      }
      out.push({ ...base, action: 'conflict', to: targetList, ...(toward ? { migratingTo: toward } : {}), message: movingMessage(sh, targetList) });
      continue;
    }
    const own = flatShareBlockers(sh);
    const usable = targets.filter((t) => (targetReasons.get(t) ?? []).length === 0);
    if (usable.length === 0) {
      out.push({ ...base, action: 'blocked', to: targetList, reasons: [...own, ...targets.flatMap((t) => targetReasons.get(t) ?? [])] });
      continue;
    }
    if (own.length > 0) {
      out.push({ ...base, action: 'blocked', to: targetList, reasons: own });
      continue;
    }
    const why: BlockedReason[] = [];
    const fits = new Map<string, string[]>();
    for (const t of usable) {
      const ok = poolsOfTarget(t, ctx).filter((p) => {
        if (p === sh.host) return false;
        const rs = poolBlockers(sh, p, free.get(p), ctx);
        why.push(...rs);
        return rs.length === 0;
      });
      if (ok.length) fits.set(t, ok);
      else if (poolsOfTarget(t, ctx).length === 0) why.push(reason('DEST_POOL_UNKNOWN', `${t} reports no pool in the snapshot`));
    }
    const max = d.maxPerTarget;
    const withRoom = [...fits.keys()].filter((t) => max === undefined || (load.get(t) ?? 0) < max);
    if (withRoom.length === 0) {
      const reasons = fits.size === 0 ? why : [reason('NO_CAPACITY', `every target that could take share ${nameOf(sh)} is full under maxPerTarget ${max}: ${[...fits.keys()].map((t) => `${t} ${load.get(t)}/${max}`).join(', ')}`)];
      out.push({ ...base, action: 'blocked', to: targetList, reasons });
      continue;
    }
    const target = withRoom.reduce((best, t) => ((load.get(t) ?? 0) < (load.get(best) ?? 0) ? t : best));
    const pools = fits.get(target) ?? [];
    const pool = roomiestPool(pools, free);
    const after = (load.get(target) ?? 0) + 1;
    load.set(target, after);
    const left = free.get(pool);
    if (left !== undefined) free.set(pool, left - sh.size);
    out.push({
      ...base,
      action: 'migrate',
      from: sh.host,
      to: pool,
      flags: d.flags,
      newShareNetworkId: null,
      completion: d.completion,
      why: `least loaded target (${plural(after, 'share')} after this move)${pools.length > 1 ? `; the pool with the most free space of ${pools.length}` : ''}`,
    });
  }
  return out;
}

/**
 * A share on a share server, seen as a share that moves by itself: its own pool, its server's
 * project and share network (Manila keeps the network, and builds or reuses a share server for
 * it on the destination: share/manager.py `_migration_start_driver`). Undefined when the
 * snapshot does not record its pool (written before such shares could move).
 */
function heldShareView(srv: SnapshotShareServer, sh: SnapshotShare): SnapshotFlatShare | undefined {
  if (sh.host === undefined) return undefined;
  return {
    ...sh,
    host: sh.host,
    projectId: srv.projectId,
    ...(srv.projectName !== undefined ? { projectName: srv.projectName } : {}),
    ...(srv.shareNetworkId !== undefined ? { shareNetworkId: srv.shareNetworkId } : {}),
  };
}

/** The shares a share placement selects, and which of them a share server holds (by share id). */
export interface ShareSelection {
  readonly shares: readonly SnapshotFlatShare[];
  /** The shares named that live on a share server, with that server: each leaves it by itself. */
  readonly held: ReadonlyMap<string, SnapshotShareServer>;
  readonly onServers: readonly string[];
  readonly problems: readonly string[];
}

/**
 * The shares a share placement selects: those named (name or id), and those without a share
 * server that match every attribute given (share type, share network, metadata), each narrowed
 * by project. A share on a share server is selected only by name or id: it leaves its server.
 */
export function selectShares(d: PlacementDeclaration, ctx: PlanContext): ShareSelection {
  // The rules between declarations and the plan both ask, on one context: resolved once.
  let memo = selections.get(ctx);
  if (!memo) selections.set(ctx, (memo = new WeakMap()));
  let sel = memo.get(d);
  if (!sel) memo.set(d, (sel = resolveShares(d, ctx)));
  return sel;
}

const selections = new WeakMap<PlanContext, WeakMap<PlacementDeclaration, ShareSelection>>();

function resolveShares(d: PlacementDeclaration, ctx: PlanContext): ShareSelection {
  const all = ctx.snapshot.flatShares ?? [];
  const sel = d.select;
  const inProject = (sh: { projectId: string }): boolean => sel.project === undefined || sh.projectId === sel.project;
  const inProjectText = sel.project ? ` in project ${sel.project}` : '';
  const problems: string[] = [];
  const found = new Map<string, SnapshotFlatShare>();
  const held = new Map<string, SnapshotShareServer>();
  const onServers: string[] = [];
  for (const want of sel.shares ?? []) {
    let hits: SnapshotFlatShare[] = all.filter((sh) => (sh.id === want || sh.name === want) && inProject(sh));
    if (hits.length === 0) {
      const lineages = [...(ctx.index.sharesById.get(want) ?? []), ...(ctx.index.sharesByName.get(want) ?? []).map((x) => x.l)];
      const onServer = [...new Set(lineages.map((l) => l.current))].filter(inProject);
      const pairs = onServer.flatMap((srv) => srv.shares.filter((sh) => sh.id === want || sh.name === want).map((sh) => [srv, sh] as const));
      for (const [srv, sh] of pairs) {
        const view = heldShareView(srv, sh);
        if (view === undefined) {
          onServers.push(`share ${want} lives on share server ${srv.id} (${srv.host}), and this snapshot does not record its pool (it was written before such a share could move by itself); run manila-placement refresh, then plan again`);
        } else {
          hits.push(view);
          held.set(sh.id, srv);
        }
      }
      if (pairs.length === 0) problems.push(`no share has the name or id "${want}"${inProjectText}`);
    }
    if (hits.length > 1 && hits.some((h) => h.id !== want)) {
      problems.push(`${hits.length} shares are named "${want}"; give the id, or narrow with project`);
      for (const h of hits) held.delete(h.id);
      hits = [];
    }
    for (const h of hits) found.set(h.id, h);
  }
  const tests: Array<(sh: SnapshotFlatShare) => boolean> = [];
  const what: string[] = [];
  if (sel.shareType !== undefined) {
    const types = new Set((ctx.snapshot.shareTypes ?? []).filter((t) => t.id === sel.shareType || t.name === sel.shareType).map((t) => t.id));
    tests.push((sh) => sh.shareTypeId !== undefined && types.has(sh.shareTypeId));
    what.push(`the share type "${sel.shareType}"`);
  }
  if (sel.shareNetwork !== undefined) {
    const nets = new Set([sel.shareNetwork, ...ctx.snapshot.shareNetworks.filter((n) => n.name === sel.shareNetwork && inProject(n)).map((n) => n.id)]);
    tests.push((sh) => sh.shareNetworkId !== undefined && nets.has(sh.shareNetworkId));
    what.push(`the share network "${sel.shareNetwork}"`);
  }
  if (sel.metadata !== undefined) {
    const pairs = Object.entries(sel.metadata).sort(([a], [b]) => compareStrings(a, b));
    tests.push((sh) => pairs.every(([k, v]) => sh.metadata?.[k] === v));
    what.push(`the metadata ${pairs.map(([k, v]) => `${k}=${v}`).join(', ')}`);
  }
  if (tests.length > 0) {
    const hits = all.filter((sh) => inProject(sh) && tests.every((t) => t(sh)));
    if (hits.length === 0) problems.push(`no share without a share server has ${what.join(' and ')}${inProjectText}`);
    for (const h of hits) found.set(h.id, h);
  }
  return { shares: [...found.values()].sort((a, b) => compareStrings(a.id, b.id)), held, onServers, problems };
}

/** Reasons a share cannot leave its share server now: the server is not settled, or its share network cannot reach the destination. */
function leaveServerBlockers(sh: SnapshotFlatShare, srv: SnapshotShareServer, host: string, ctx: PlanContext): BlockedReason[] {
  const out: BlockedReason[] = [];
  if (srv.status !== SERVER_STATUS.active || isInFlightTaskState(srv.taskState)) {
    out.push(reason('SHARE_SERVER_BUSY', `share server ${srv.id}, which holds share ${nameOf(sh)}, is ${srv.status}${srv.taskState ? ` (${srv.taskState})` : ''}; let it settle, then plan again`));
  }
  const network = srv.shareNetworkId !== undefined ? ctx.networksById.get(srv.shareNetworkId) : undefined;
  out.push(...subnetBlockers(network, host, ctx));
  return out;
}

/** Entries of a share placement: each selected share in sync on its pool (and type), or moved there. */
export function planSharePlacement(d: PlacementDeclaration, ctx: PlanContext): PlanEntry[] {
  const { shares, held, onServers, problems } = selectShares(d, ctx);
  const host = d.host.split('#')[0];
  const free = freeMap(ctx);
  const retype = resolveNewType(d.newShareType, ctx);
  const typeId = retype.type !== undefined ? { newShareTypeId: retype.type.id } : {};
  const entries: PlanEntry[] = shares.map((sh) => {
    const base = { key: entryKey(d.path, sh.id), declaration: d.path, server: observedFlatShare(sh) };
    const move = { flags: d.flags, newShareNetworkId: null, ...typeId, completion: d.completion };
    if (isFlatShareMoving(sh)) {
      if (sh.migratingTo === d.host) return { ...base, action: 'resume', from: sh.host, to: d.host, ...move };
      return { ...base, action: 'conflict', to: d.host, ...(sh.migratingTo ? { migratingTo: sh.migratingTo } : {}), message: movingMessage(sh, d.host) };
    }
    if (sh.host === d.host) {
      if (retype.type === undefined || sh.shareTypeId === retype.type.id) return { ...base, action: 'in-sync', host: d.host };
      // The runner reads "on its pool" as done, so a retype without a move is not offered.
      const why = `share ${nameOf(sh)} is already on ${d.host} with another share type; a retype goes with a move here: declare another pool, or retype it with the openstack client`;
      return { ...base, action: 'blocked', to: d.host, reasons: [reason('RETYPE_IN_PLACE', why)] };
    }
    const server = held.get(sh.id);
    const reasons = [
      ...flatShareBlockers(sh),
      ...(server !== undefined ? leaveServerBlockers(sh, server, host, ctx) : []),
      ...retype.reasons,
      ...sizeBlockers(sh, retype.type),
      ...destinationBlockers(host, ctx, 'share'),
      ...poolBlockers(sh, d.host, free.get(d.host), ctx, retype.type),
    ];
    if (reasons.length > 0) return { ...base, action: 'blocked', to: d.host, reasons };
    const left = free.get(d.host);
    if (left !== undefined) free.set(d.host, left - sh.size);
    return { ...base, action: 'migrate', from: sh.host, to: d.host, ...move };
  });
  const all = [...problems, ...onServers];
  if (all.length > 0) entries.push({ action: 'unmatched', key: unmatchedKey(d.path), declaration: d.path, message: all.join('; ') });
  return entries;
}
