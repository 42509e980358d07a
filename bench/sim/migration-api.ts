import { backendNameOf } from './backends';
import type { MigrationRequest, SimContext } from './context';
import { badRequest, conflict, internalError, invalidServer, notFound, routeNotFound, SimFault } from './faults';
import { type ActionAnswer, migrationErrorMessage, progressOfState, strictBool, validateServiceHost } from './migration-common';
import type { SimManager } from './manager';
import type { SimServer } from './model';
import { atLeast, type Version } from './views';

/**
 * The synchronous half of share server migration: `POST /v2/share-servers/{id}/action` as Zed's
 * controller (`manila/api/v2/share_servers.py`) and `manila/share/api.py` handle it. Checks run
 * in the order of the reference's §3 table, with its status codes and messages; `start`,
 * `complete` and `cancel` change what the API changes and cast the rest to the destination
 * host's manager.
 */

const MIGRATION_ACTIONS = new Set([
  'migration_check',
  'migration_start',
  'migration_complete',
  'migration_cancel',
  'migration_get_progress',
  'reset_task_state',
]);
const ALL_ACTIONS = new Set([...MIGRATION_ACTIONS, 'reset_status']);

/** Task states reset_task_state accepts (`SERVER_TASK_STATE_STATUSES`; the manager-only driver_starting is not one). */
const RESETTABLE_TASK_STATES = new Set([
  'migration_starting',
  'migration_in_progress',
  'migration_driver_in_progress',
  'migration_driver_phase1_done',
  'migration_completing',
  'migration_success',
  'migration_error',
  'migration_cancelled',
  'migration_cancel_in_progress',
]);
const SERVER_STATUSES = new Set([
  'active',
  'error',
  'deleting',
  'creating',
  'manage_starting',
  'unmanage_starting',
  'unmanage_error',
  'manage_error',
  'inactive',
  'server_migrating',
  'server_migrating_to',
  'network_change',
]);

/** Parsed check/start parameters. */
interface Params {
  readonly raw: Record<string, unknown>;
  readonly host: string;
  readonly writable: boolean;
  readonly nondisruptive: boolean;
  readonly preserveSnapshots: boolean;
  readonly newNetworkId: string | null;
}

function parseParams(body: unknown): Params {
  if (body === null || body === undefined || (typeof body === 'object' && Object.keys(body as object).length === 0))
    throw badRequest('Request is missing body.');
  const raw = body as Record<string, unknown>;
  const mandatory = ['writable', 'nondisruptive', 'preserve_snapshots', 'host'];
  if (mandatory.some((k) => !(k in raw)))
    throw badRequest(`Must specify all mandatory parameters: ['writable', 'nondisruptive', 'preserve_snapshots', 'host']`);
  const writable = strictBool('writable', raw.writable);
  const nondisruptive = strictBool('nondisruptive', raw.nondisruptive);
  const preserveSnapshots = strictBool('preserve_snapshots', raw.preserve_snapshots);
  const host = String(raw.host);
  if (host.includes('#')) throw badRequest('The destination host can not contain pool information.');
  const nn = raw.new_share_network_id;
  return { raw, host, writable, nondisruptive, preserveSnapshots, newNetworkId: typeof nn === 'string' && nn !== '' ? nn : null };
}

/** The simulated migration API of one cloud. */
export class MigrationApi {
  constructor(private readonly ctx: SimContext, private readonly manager: SimManager) {}

  /** Handles one action on share server `id`. Throws SimFault for error answers. */
  public handle(id: string, body: unknown, v: Version, experimental: boolean): ActionAnswer {
    const entries = body && typeof body === 'object' ? Object.entries(body as Record<string, unknown>) : [];
    if (entries.length !== 1) throw badRequest('Malformed request body');
    const [action, params] = entries[0];
    if (!ALL_ACTIONS.has(action)) throw badRequest(`There is no such action: ${action}`);
    if (MIGRATION_ACTIONS.has(action) && (!atLeast(v, [2, 57]) || !experimental)) throw routeNotFound();
    if (action === 'reset_status' && !atLeast(v, [2, 49])) throw routeNotFound();
    if (action === 'migration_get_progress') return this.progress(id);
    const s = this.ctx.store.servers.get(id);
    if (!s) throw notFound(`Share server ${id} could not be found.`);
    switch (action) {
      case 'migration_check':
        return this.check(s, parseParams(params));
      case 'migration_start':
        return this.start(s, parseParams(params));
      case 'migration_complete':
        return this.complete(s);
      case 'migration_cancel':
        return this.cancel(s);
      case 'reset_task_state':
        return this.resetTaskState(s, params);
      default:
        return this.resetStatus(s, params);
    }
  }

  /** `_migration_initial_checks` and the controller's network checks: rows 6-23 of §3. */
  private initialChecks(s: SimServer, p: Params): { targetNetworkId: string; networkChange: boolean } {
    const store = this.ctx.store;
    let targetNetworkId = s.shareNetworkId;
    if (p.newNetworkId !== null) {
      const n = store.networks.get(p.newNetworkId);
      if (!n) throw badRequest(`Share network ${p.newNetworkId} not found.`);
      targetNetworkId = n.id;
    }
    const target = store.networks.get(targetNetworkId);
    if (target && target.status !== 'active') {
      throw badRequest(
        `The share network ${target.id} used isn't in an 'active' state. Current status is ${target.status}. The action may be retried after the share network has changed its state.`
      );
    }
    const shares = store.sharesOfServer(s.id);
    if (shares.length === 0) throw invalidServer(409, `Share server ${s.id} does not have shares.`);
    if (s.status !== 'active') throw invalidServer(409, `Share server ${s.id} status must be active, but current status is: ${s.status}.`);
    const destBackend = backendNameOf(p.host);
    if (destBackend === undefined) throw internalError(); // IndexError in extract_host
    if (backendNameOf(s.host) === destBackend && (p.newNetworkId === null || targetNetworkId === s.shareNetworkId)) {
      throw invalidServer(
        409,
        'There is no difference between source and destination backends and between source and destination share networks. Share server migration will not proceed.'
      );
    }
    if ([...store.servers.values()].some((d) => d.sourceShareServerId === s.id && d.status === 'server_migrating_to')) {
      throw invalidServer(
        409,
        'There is at least one destination share server pointing to this source share server. Clean up your environment before starting a new migration.'
      );
    }
    const service = validateServiceHost(this.ctx.store, p.host);
    for (const typeId of new Set(shares.map((x) => x.shareTypeId))) {
      const t = store.types.get(typeId);
      const azs = t?.extraSpecs.availability_zones ?? '';
      if (
        azs &&
        !azs
          .split(',')
          .map((z) => z.trim())
          .includes(service.zone)
      ) {
        throw invalidServer(
          409,
          `Share server ${s.id} cannot be migrated to host ${p.host} because the share type ${
            t?.name ?? ''
          }(ID: ${typeId}) is used by one of the shares, and this share type is not supported within the availability zone (${
            service.zone
          }) that the host is in.`
        );
      }
    }
    if (target && !target.subnets.some((x) => x.availabilityZone === null || x.availabilityZone === service.zone)) {
      throw invalidServer(409, `The share network ${target.id} does not have a subnet that spans the destination host availability zone.`);
    }
    for (const sh of shares) {
      if (sh.status !== 'available') throw invalidServer(409, `Share ${sh.id} status must be available, but current status is: ${sh.status}.`);
      if (store.snapshotsOfShare(sh.id).some((x) => x.status !== 'available')) {
        throw invalidServer(409, `All snapshots must have 'available' status to be migrated by the driver along with share ${sh.id}.`);
      }
      if (sh.accessRulesStatus === 'error') {
        throw invalidServer(409, `Share instance ${sh.instanceId} access rules status must not be in error when attempting to start a share server migration.`);
      }
    }
    // No Neutron ids on the simulated networks: a new network is a network change only if its subnets differ.
    const networkChange = targetNetworkId !== s.shareNetworkId && (target?.subnets.map((x) => x.id).join() ?? '') !== s.subnetIds.join();
    return { targetNetworkId, networkChange };
  }

  private check(s: SimServer, p: Params): ActionAnswer {
    const { targetNetworkId, networkChange } = this.initialChecks(s, p);
    const requested = {
      writable: p.raw.writable,
      nondisruptive: p.raw.nondisruptive,
      preserve_snapshots: p.raw.preserve_snapshots,
      share_network_id: p.raw.new_share_network_id ?? null,
      host: p.raw.host,
    };
    if (networkChange && p.nondisruptive) {
      const no = {
        writable: false,
        nondisruptive: false,
        preserve_snapshots: false,
        migration_cancel: false,
        migration_get_progress: false,
        share_network_id: targetNetworkId,
      };
      return { status: 200, body: { compatible: false, requested_capabilities: requested, supported_capabilities: no } };
    }
    const c = this.manager.checkCompatibility(s, {
      host: p.host,
      writable: p.writable,
      nondisruptive: p.nondisruptive,
      preserveSnapshots: p.preserveSnapshots,
      targetNetworkId,
    });
    return { status: 200, body: { compatible: c.compatible, requested_capabilities: requested, supported_capabilities: c.supported } };
  }

  private start(s: SimServer, p: Params): ActionAnswer {
    const { targetNetworkId, networkChange } = this.initialChecks(s, p);
    if (p.nondisruptive && networkChange) {
      throw badRequest(
        "Invalid input received: Nondisruptive migration would only be feasible when the current and new share networks carry the same 'neutron_net_id' and 'neutron_subnet_id', or when no network changes are occurring."
      );
    }
    const request: MigrationRequest = {
      host: p.host,
      writable: p.writable,
      nondisruptive: p.nondisruptive,
      preserveSnapshots: p.preserveSnapshots,
      targetNetworkId,
    };
    // The manager's record first, so listeners of the state change below know where it goes.
    this.manager.castStart(s, request);
    this.ctx.store.updateServer(s.id, { status: 'server_migrating', taskState: 'migration_starting' });
    this.ctx.store.setShareStatus(s.id, 'server_migrating');
    return { status: 202 };
  }

  /** `share_server_migration_get_destination` with status server_migrating_to (or another). */
  private destinationOf(sourceId: string, status: string): SimServer {
    const ds = [...this.ctx.store.servers.values()].filter((d) => d.sourceShareServerId === sourceId && d.status === status);
    if (ds.length === 0) throw invalidServer(400, `A destination share server wasn't found for source share server ${sourceId}.`);
    if (ds.length > 1) throw invalidServer(400, `More than one destination share server was found for source share server ${sourceId}. Aborting...`);
    return ds[0];
  }

  private complete(s: SimServer): ActionAnswer {
    if (s.status !== 'server_migrating') throw invalidServer(400, `Share server ${s.id} is not migrating`);
    if (s.taskState !== 'migration_driver_phase1_done')
      throw invalidServer(400, `The first phase of migration has to finish to request the completion of server ${s.id}'s migration.`);
    const d = this.destinationOf(s.id, 'server_migrating_to');
    validateServiceHost(this.ctx.store, d.host);
    this.manager.castComplete(s.id, d.id);
    return { status: 200, body: { destination_share_server_id: d.id } };
  }

  private cancel(s: SimServer): ActionAnswer {
    if (s.status !== 'server_migrating') {
      // Zed 15.1.0 leaves the placeholder in the message (fixed later).
      const id = this.ctx.release === 'zed' ? '%s' : s.id;
      throw invalidServer(400, `Migration of share server ${id} cannot be cancelled because the provided share server is not being migrated.`);
    }
    if (s.taskState === 'migration_driver_phase1_done' || s.taskState === 'migration_driver_in_progress') {
      const d = this.destinationOf(s.id, 'server_migrating_to');
      validateServiceHost(this.ctx.store, d.host);
      this.manager.castCancel(s.id, d.id);
      return { status: 202 };
    }
    throw invalidServer(
      400,
      migrationErrorMessage('share_server', s.id, s.taskState) ??
        `Migration of share server ${s.id} can be cancelled only after the driver already started the migration, or when the first phase of the migration gets completed.`
    );
  }

  private progress(id: string): ActionAnswer {
    const store = this.ctx.store;
    const s = store.servers.get(id);
    if (!s) {
      const d = this.destinationOf(id, 'active');
      return { status: 200, body: { total_progress: 100, destination_share_server_id: d.id, task_state: d.taskState } };
    }
    if (s.status !== 'server_migrating')
      throw invalidServer(400, `Migration progress of share server ${s.id} cannot be obtained. The provided share server is not being migrated.`);
    let d: SimServer;
    try {
      d = this.destinationOf(s.id, 'server_migrating_to');
    } catch (e) {
      if (this.ctx.release === 'zed') throw e;
      return { status: 200, body: { destination_share_server_id: '', task_state: '', ...progressOfState(s.taskState) } };
    }
    let result: { total_progress: number } | undefined;
    if (s.taskState === 'migration_driver_in_progress') {
      const svc = store.shareService(d.host);
      if (!svc || svc.status !== 'enabled') throw new SimFault(404, `ServiceNotFound: Service ${d.host} could not be found.`);
      if (svc.state !== 'up') throw conflict(`Service ${d.host} is down.`);
      result = this.manager.driverProgress(s.id);
    } else result = progressOfState(s.taskState);
    if (!result) throw invalidServer(400, migrationErrorMessage('share_server', s.id, s.taskState) ?? `Migration progress of share server ${s.id} cannot be obtained at this moment.`);
    return { status: 200, body: { ...result, destination_share_server_id: d.id, task_state: d.taskState } };
  }

  private resetTaskState(s: SimServer, params: unknown): ActionAnswer {
    const ts = (params as { task_state?: unknown } | null)?.task_state;
    if (params === null || typeof params !== 'object' || !('task_state' in params)) throw badRequest("Must specify 'task_state'");
    if (ts !== null && (typeof ts !== 'string' || !RESETTABLE_TASK_STATES.has(ts))) throw badRequest(`Invalid task_state: ${String(ts)}`);
    this.ctx.store.updateServer(s.id, { taskState: ts as string | null });
    return { status: 202 };
  }

  private resetStatus(s: SimServer, params: unknown): ActionAnswer {
    const st = (params as { status?: unknown } | null)?.status;
    if (typeof st !== 'string' || !SERVER_STATUSES.has(st)) throw badRequest(`Invalid status: ${String(st)}`);
    this.ctx.store.updateServer(s.id, { status: st });
    return { status: 202 };
  }
}
