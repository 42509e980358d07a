import { backendHostOf } from '../../lib/manila/resource';
import type { SimContext } from './context';
import { badRequest, conflict, internalError, invalidShare, notFound, routeNotFound } from './faults';
import { type ActionAnswer, migrationErrorMessage, progressOfState, strictBool, validateServiceHost } from './migration-common';
import type { SimShare } from './model';
import type { SimShareManager } from './share-manager';
import { atLeast, type Version } from './views';

/**
 * The synchronous half of share migration: `POST /v2/shares/{id}/action` as Zed's controller
 * (`manila/api/v2/shares.py`) and `share/api.py` handle it (docs/share-migration.md §1, §2, §5).
 * Every action is experimental; start needs 2.29, the others 2.22 (a bare 404 otherwise, as for
 * share servers). Start checks in the order of §2's table the rows the simulator has a model
 * for (no replicas, groups or recycle bin here); complete and cancel look only at the task state.
 */

/** The actions and their least microversion. */
const MIN_VERSION: Readonly<Record<string, Version>> = {
  migration_start: [2, 29],
  migration_complete: [2, 22],
  migration_cancel: [2, 22],
  migration_get_progress: [2, 22],
  reset_task_state: [2, 22],
};

/** `BUSY_TASK_STATES` (common/constants.py). */
const BUSY = new Set([
  'migration_starting',
  'migration_in_progress',
  'migration_completing',
  'migration_driver_starting',
  'migration_driver_in_progress',
  'migration_driver_phase1_done',
  'data_copying_starting',
  'data_copying_in_progress',
  'data_copying_completing',
  'data_copying_completed',
]);

/** `TASK_STATE_STATUSES` a share's task state may be reset to (not driver_starting; null too). */
const RESETTABLE = new Set([...BUSY, 'migration_success', 'migration_error', 'migration_cancelled', 'data_copying_cancelled', 'data_copying_error']);
RESETTABLE.delete('migration_driver_starting');

const MANDATORY = ['preserve_metadata', 'writable', 'nondisruptive', 'preserve_snapshots', 'host'];

/** The simulated share migration API of one cloud. */
export class ShareMigrationApi {
  constructor(private readonly ctx: SimContext, private readonly manager: SimShareManager) {}

  /** Handles one action on share `id`. Throws SimFault for error answers. */
  public handle(id: string, body: unknown, v: Version, experimental: boolean): ActionAnswer {
    const entries = body && typeof body === 'object' ? Object.entries(body as Record<string, unknown>) : [];
    if (entries.length !== 1) throw badRequest('Malformed request body');
    const [action, params] = entries[0];
    const min = MIN_VERSION[action];
    if (!min) throw badRequest(`There is no such action: ${action}`);
    if (!atLeast(v, min) || !experimental) throw routeNotFound();
    const sh = this.ctx.store.shares.get(id);
    if (!sh) throw notFound(`Share ${id} not found.`);
    switch (action) {
      case 'migration_start':
        return this.start(sh, params);
      case 'migration_complete':
        return this.complete(sh);
      case 'migration_cancel':
        return this.cancel(sh);
      case 'migration_get_progress':
        return this.progress(sh, v);
      default:
        return this.resetTaskState(sh, params);
    }
  }

  /** The controller's parsing (§1), then `API.migration_start` (§2 rows 9-21). */
  private start(sh: SimShare, params: unknown): ActionAnswer {
    const { store } = this.ctx;
    if (params === null || params === undefined || (typeof params === 'object' && Object.keys(params as object).length === 0)) throw badRequest('Request is missing body.');
    const raw = params as Record<string, unknown>;
    if (MANDATORY.some((k) => !(k in raw))) throw badRequest(`Must specify all mandatory parameters: [${MANDATORY.map((k) => `'${k}'`).join(', ')}]`);
    const writable = strictBool('writable', raw.writable);
    const nondisruptive = strictBool('nondisruptive', raw.nondisruptive);
    const preserveSnapshots = strictBool('preserve_snapshots', raw.preserve_snapshots);
    const preserveMetadata = strictBool('preserve_metadata', raw.preserve_metadata);
    const hostAssisted = raw.force_host_assisted_migration === undefined ? false : strictBool('force_host_assisted_migration', raw.force_host_assisted_migration);
    const host = String(raw.host);
    const newNet = typeof raw.new_share_network_id === 'string' && raw.new_share_network_id !== '' ? raw.new_share_network_id : null;
    const newType = typeof raw.new_share_type_id === 'string' && raw.new_share_type_id !== '' ? raw.new_share_type_id : null;
    const netId = newNet ?? sh.shareNetworkId;
    if (netId !== null) {
      const net = store.networks.get(netId);
      if (!net) throw badRequest(`Share network ${netId} not found.`);
      if (net.status !== 'active') {
        throw badRequest(`The share network ${net.id} used isn't in an 'active' state. Current status is ${net.status}. The action may be retried after the share network has changed its state.`);
      }
    }
    if (newType !== null && !store.types.has(newType)) throw badRequest(`Share type ${newType} not found.`);
    if (hostAssisted && (writable || nondisruptive || preserveSnapshots || preserveMetadata)) {
      throw badRequest(
        'Invalid input received: Invalid parameter combination. Cannot set parameters "nondisruptive", "writable", "preserve_snapshots" or "preserve_metadata" to True when enabling the "force_host_assisted_migration" option..'
      );
    }
    if (sh.status !== 'available') throw invalidShare(`Share instance ${sh.instanceId} status must be available, but current status is: ${sh.status}.`);
    if (sh.accessRulesStatus === 'error') throw invalidShare(`Share instance ${sh.instanceId} access rules status must not be in error when attempting to start a migration.`);
    if (sh.taskState !== null && BUSY.has(sh.taskState)) throw badRequest(`Share is busy with an active task: Share ${sh.id} is busy as part of an active task: ${sh.taskState}..`);
    if (hostAssisted && store.snapshotsOfShare(sh.id).length > 0) throw conflict(`Share ${sh.id} must not have snapshots when using host-assisted migration.`);
    const { zone } = validateServiceHost(store, backendHostOf(host));
    const type = store.types.get(newType ?? sh.shareTypeId);
    const typeDhss = (type?.extraSpecs.driver_handles_share_servers ?? '').toLowerCase() === 'true';
    if (typeDhss && newNet === null && sh.shareNetworkId === null) {
      throw badRequest(`Invalid input received: New share network must be provided when share type of given share ${sh.id} has extra_spec 'driver_handles_share_servers' as True..`);
    }
    if (!typeDhss && newNet !== null) {
      throw badRequest(`Invalid input received: New share network must not be provided when share type of given share ${sh.id} has extra_spec 'driver_handles_share_servers' as False..`);
    }
    // The exact string, pool included: "node1@delta" is not "node1@delta#pool" (§0.2).
    if (host === sh.host && (newNet === null || newNet === sh.shareNetworkId) && (newType === null || newType === sh.shareTypeId)) {
      store.updateShare(sh.id, { taskState: 'migration_success' });
      return { status: 200 };
    }
    const azs = type?.extraSpecs.availability_zones ?? '';
    if (azs && !azs.split(',').map((z) => z.trim()).includes(zone)) {
      throw invalidShare(`Share ${sh.id} cannot be migrated to host ${host} because share type ${type?.name ?? ''}(ID: ${type?.id ?? ''}) is not supported within the availability zone (${zone}) that the host is in.`);
    }
    // The manager's record first, so listeners of the change below know where it goes.
    this.manager.castStart(sh, { host, writable, nondisruptive, preserveSnapshots, preserveMetadata, targetNetworkId: netId ?? '' }, hostAssisted);
    store.updateShare(sh.id, { status: 'migrating', taskState: 'migration_starting' });
    return { status: 202 };
  }

  /** `get_migrating_instances`: both must exist, or a 500 (`ShareMigrationFailed` is not "safe"). */
  private requireInstances(sh: SimShare): void {
    if (sh.status !== 'migrating' || sh.destination?.status !== 'migrating_to') throw internalError();
  }

  private complete(sh: SimShare): ActionAnswer {
    if (sh.taskState !== 'migration_driver_phase1_done' && sh.taskState !== 'data_copying_completed') {
      const why = sh.taskState === 'migration_driver_phase1_done' ? undefined : migrationErrorMessage('share', sh.id, sh.taskState);
      throw invalidShare(why ?? `First migration phase of share ${sh.id} not completed yet.`);
    }
    this.requireInstances(sh);
    this.manager.castComplete(sh.id);
    return { status: 202 };
  }

  private sourceServiceUp(sh: SimShare): boolean {
    const svc = this.ctx.store.shareService(backendHostOf(sh.host));
    return svc !== undefined && svc.state === 'up';
  }

  private cancel(sh: SimShare): ActionAnswer {
    const cancellable = sh.taskState === 'migration_driver_in_progress' || sh.taskState === 'migration_driver_phase1_done' || sh.taskState === 'data_copying_completed';
    if (cancellable && this.sourceServiceUp(sh)) {
      this.requireInstances(sh);
      this.manager.castCancel(sh.id);
      return { status: 202 };
    }
    throw invalidShare(migrationErrorMessage('share', sh.id, sh.taskState) ?? `Migration of share ${sh.id} cannot be cancelled at this moment.`);
  }

  /** `details` from 2.59 (`{}`: the simulated drivers report nothing besides the percentage). */
  private progress(sh: SimShare, v: Version): ActionAnswer {
    const details = atLeast(v, [2, 59]) ? { details: {} } : {};
    if (sh.taskState === 'migration_driver_in_progress') {
      // A synchronous call to the source host's driver.
      if (!this.sourceServiceUp(sh)) throw invalidShare(`Migration progress of share ${sh.id} cannot be obtained at this moment.`);
      return { status: 200, body: { ...this.manager.driverProgress(sh.id), task_state: sh.taskState, ...details } };
    }
    const p = progressOfState(sh.taskState);
    if (!p) throw invalidShare(migrationErrorMessage('share', sh.id, sh.taskState) ?? `Migration progress of share ${sh.id} cannot be obtained at this moment.`);
    return { status: 200, body: { ...p, task_state: sh.taskState, ...details } };
  }

  private resetTaskState(sh: SimShare, params: unknown): ActionAnswer {
    if (params === null || typeof params !== 'object' || !('task_state' in params)) throw badRequest("Must specify 'task_state'");
    const ts = (params as { task_state?: unknown }).task_state;
    if (ts !== null && (typeof ts !== 'string' || !RESETTABLE.has(ts))) throw badRequest(`Invalid state. Valid states: ${[...RESETTABLE].join(', ')}, None.`);
    this.ctx.store.updateShare(sh.id, { taskState: ts as string | null });
    return { status: 202 };
  }
}
