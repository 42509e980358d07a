import { driverProgress, type BackendSpec } from './backends';
import type { MigrationRequest, SimContext, SimMigration } from './context';
import type { SimServer } from './model';
import { PeriodicTask } from './periodic';
import { castRulesReadOnly } from './readonly-rules';

/**
 * The asynchronous half: what each destination host's manila-share manager does with the casts
 * the API sends and in its periodic task (`manila/share/manager.py`), in virtual time.
 *
 * - start: S `migration_in_progress`; the driver's compatibility check (a demanded flag it lacks
 *   fails the migration here: S `active`/`migration_error`, shares `available`, no destination);
 *   D created (`creating`), set up, linked (`server_migrating_to`/`migration_in_progress`,
 *   `source_share_server_id` = S); both `migration_driver_starting`, the driver starts, both
 *   `migration_driver_in_progress`.
 * - periodic `share_server_migration_driver_continue`, every continue interval on each host (on
 *   a fixed grid, as oslo's periodic tasks run): one driver call per destination in
 *   `migration_driver_in_progress`, one after the other; done → both `phase1_done`; raises →
 *   D `error`/`migration_error` (left behind), shares `available`, S `active`/`migration_error`.
 * - complete: both `migration_completing`; driver complete; shares move to D (host, network,
 *   new export paths); S `inactive`/`migration_success`; D `active`/`migration_success`;
 *   shares `available`; S `deleting`, then gone.
 * - cancel: S `migration_cancel_in_progress`; driver cancel; D `inactive`/`migration_cancelled`;
 *   shares `available`; S `active`/`migration_cancelled`.
 */

/** What `migration_check` learns from the destination's driver. */
export interface Compatibility {
  readonly compatible: boolean;
  readonly supported: Readonly<Record<string, unknown>>;
}

export class SimManager {
  /** share_server_migration_driver_continue on each destination host. */
  private readonly continueTask: PeriodicTask;

  constructor(private readonly ctx: SimContext) {
    this.continueTask = new PeriodicTask(ctx.clock, {
      intervalMs: ctx.timings.continueIntervalMs,
      callMs: ctx.timings.manager.continueCall,
      phaseOf: (host) => ctx.backends.get(host)?.tickPhaseMs ?? 0,
      callsAt: (host) => this.destinationsToPoll(host).map((id) => () => this.continueOne(id)),
      busy: (host) =>
        [...ctx.active.values()].some(
          (m) => m.kind !== 'share' && m.destHost === host && m.driverStartedAt !== undefined && m.phase1DoneAt === undefined && m.outcome === undefined
        ),
    });
  }

  private get t() {
    return this.ctx.timings.manager;
  }

  private backend(host: string): BackendSpec | undefined {
    return this.ctx.backends.get(host);
  }

  /** The manager's share_server_migration_check (a synchronous RPC from the API). */
  public checkCompatibility(s: SimServer, r: MigrationRequest): Compatibility {
    const b = this.backend(r.host);
    if (!b || b.dhss === false) {
      return {
        compatible: false,
        supported: {
          writable: null,
          nondisruptive: null,
          preserve_snapshots: null,
          share_network_id: r.targetNetworkId,
          migration_cancel: null,
          migration_get_progress: null,
        },
      };
    }
    const d = b.driver;
    const supported = {
      writable: d.writable,
      nondisruptive: d.nondisruptive,
      preserve_snapshots: d.preserveSnapshots,
      share_network_id: r.targetNetworkId,
      migration_cancel: d.migrationCancel,
      migration_get_progress: d.migrationGetProgress,
    };
    return { compatible: this.validates(s, r, b), supported };
  }

  /** `_validate_check_compatibility_result`: every demanded flag supported; snapshots need preserving. */
  private validates(s: SimServer, r: MigrationRequest, b: BackendSpec): boolean {
    const d = b.driver;
    if (r.writable && !d.writable) return false;
    if (r.nondisruptive && !d.nondisruptive) return false;
    if (r.preserveSnapshots && !d.preserveSnapshots) return false;
    const hasSnapshots = this.ctx.store.sharesOfServer(s.id).some((sh) => this.ctx.store.snapshotsOfShare(sh.id).length > 0);
    return !(hasSnapshots && !d.preserveSnapshots);
  }

  /** The API's start cast. */
  public castStart(s: SimServer, r: MigrationRequest): void {
    const { clock, store } = this.ctx;
    const m: SimMigration = {
      sourceId: s.id,
      sourceHost: s.host,
      destHost: r.host,
      request: r,
      fate: this.ctx.fateOf({ sourceId: s.id, sourceHost: s.host, destHost: r.host, startedAt: clock.now() }),
      startedAt: clock.now(),
      continueCalls: 0,
    };
    this.ctx.active.set(s.id, m);
    this.ctx.history.push(m);
    clock.after(this.t.cast, () => {
      store.updateServer(s.id, { taskState: 'migration_in_progress' });
      clock.after(this.t.compat, () => this.afterCompat(m));
    });
  }

  private fail(m: SimMigration, outcome: SimMigration['outcome'], destUpdate?: Partial<SimServer>): void {
    const { store, clock } = this.ctx;
    store.setShareStatus(m.sourceId, 'available');
    this.castReadOnly(m.sourceId, false);
    if (m.destId && destUpdate) store.updateServer(m.destId, destUpdate);
    store.updateServer(m.sourceId, { status: 'active', taskState: 'migration_error' });
    m.outcome = outcome;
    m.endedAt = clock.now();
    this.ctx.active.delete(m.sourceId);
  }

  private afterCompat(m: SimMigration): void {
    const { store, clock } = this.ctx;
    const s = store.servers.get(m.sourceId);
    const b = this.backend(m.destHost);
    if (!s || !b || b.dhss === false || !this.validates(s, m.request, b)) {
      // Compatibility failed before any destination exists.
      this.fail(m, 'start-error');
      return;
    }
    const net = store.networks.get(m.request.targetNetworkId);
    const d = store.addServer({
      id: this.ctx.newId(),
      projectId: s.projectId,
      status: 'creating',
      host: m.destHost,
      shareNetworkId: m.request.targetNetworkId,
      subnetIds: net ? net.subnets.map((x) => x.id) : s.subnetIds,
      taskState: null,
      sourceShareServerId: null,
      identifier: '',
      isAutoDeletable: true,
      ip: this.ctx.newIp(),
    });
    m.destId = d.id;
    clock.after(this.t.setupServer, () => {
      store.updateServer(d.id, {
        status: 'server_migrating_to',
        taskState: 'migration_in_progress',
        sourceShareServerId: s.id,
        identifier: b.driver.nondisruptive ? '' : d.id,
      });
      // A driver that cannot keep shares writable: Manila casts every rule read-only for phase 1.
      if (!b.driver.writable) this.castReadOnly(s.id, true);
      clock.after(this.t.link, () => {
        store.updateServer(s.id, { taskState: 'migration_driver_starting' });
        store.updateServer(d.id, { taskState: 'migration_driver_starting' });
        clock.after(this.t.driverStart, () => {
          store.updateServer(s.id, { taskState: 'migration_driver_in_progress' });
          store.updateServer(d.id, { taskState: 'migration_driver_in_progress' });
          m.driverStartedAt = clock.now();
          this.continueTask.ensure(m.destHost);
        });
      });
    });
  }

  /** The destinations one run of share_server_migration_driver_continue on `host` calls the driver for, in database order. */
  private destinationsToPoll(host: string): string[] {
    return [...this.ctx.store.servers.values()]
      .filter((d) => d.host === host && d.status === 'server_migrating_to' && d.taskState === 'migration_driver_in_progress')
      .sort((a, b) => a.seq - b.seq)
      .map((d) => d.id);
  }

  private continueOne(destId: string): void {
    const { store, clock } = this.ctx;
    // manila-share restarting: this periodic run does not happen; the next tick on the grid does it.
    if ((this.ctx.shareDownUntil ?? 0) > clock.now()) return;
    const d = store.servers.get(destId);
    if (!d || d.status !== 'server_migrating_to' || d.taskState !== 'migration_driver_in_progress' || !d.sourceShareServerId) return;
    const m = this.ctx.active.get(d.sourceShareServerId);
    const s = store.servers.get(d.sourceShareServerId);
    if (!m || !s || s.status !== 'server_migrating') {
      store.updateServer(destId, { status: 'error', taskState: 'migration_error' });
      return;
    }
    // A cancel in progress holds the migration: the manager's cancel owns it now.
    if (s.taskState === 'migration_cancel_in_progress') return;
    m.continueCalls++;
    const elapsed = clock.now() - (m.driverStartedAt ?? clock.now());
    const b = this.backend(m.destHost);
    if (b?.driver.failsContinue || (m.fate.failAfterMs !== undefined && elapsed >= m.fate.failAfterMs)) {
      this.fail(m, 'error', { status: 'error', taskState: 'migration_error' });
      return;
    }
    if (m.continueCalls >= (b?.driver.continueCallsNeeded ?? 1) && elapsed >= m.fate.phase1Ms) {
      store.updateServer(s.id, { taskState: 'migration_driver_phase1_done' });
      store.updateServer(destId, { taskState: 'migration_driver_phase1_done' });
      m.phase1DoneAt = clock.now();
    }
  }

  /** The driver's progress (get_progress during migration_driver_in_progress). */
  public driverProgress(sourceId: string): { total_progress: number } {
    const m = this.ctx.active.get(sourceId);
    if (!m) return { total_progress: 0 };
    return { total_progress: driverProgress(m, this.backend(m.destHost)?.driver.continueCallsNeeded ?? 1, this.ctx.clock.now()) };
  }

  /** The API's complete cast. */
  public castComplete(sourceId: string, destId: string): void {
    const { store, clock } = this.ctx;
    const m = this.ctx.active.get(sourceId);
    if (m) m.completeAt = clock.now();
    // A cast to a restarting manila-share waits in the queue until it is back.
    const wait = Math.max(this.t.cast, (this.ctx.shareDownUntil ?? 0) - clock.now());
    clock.after(wait, () => {
      store.updateServer(sourceId, { taskState: 'migration_completing' });
      store.updateServer(destId, { taskState: 'migration_completing' });
      clock.after(this.t.driverComplete, () => (m?.fate.failComplete ? this.failComplete(sourceId, destId) : this.switchOver(sourceId, destId)));
    });
  }

  /** The driver raised in complete: both servers and the shares end in error, and Manila cannot say where the data is. */
  private failComplete(sourceId: string, destId: string): void {
    const { store, clock } = this.ctx;
    store.updateServer(sourceId, { status: 'error', taskState: 'migration_error' });
    store.updateServer(destId, { status: 'error', taskState: 'migration_error' });
    store.setShareStatus(sourceId, 'error');
    const m = this.ctx.active.get(sourceId);
    if (m) {
      m.outcome = 'complete-error';
      m.endedAt = clock.now();
      this.ctx.active.delete(sourceId);
    }
  }

  private switchOver(sourceId: string, destId: string): void {
    const { store, clock } = this.ctx;
    const d = store.servers.get(destId);
    const s = store.servers.get(sourceId);
    if (!d || !s) return;
    const b = this.backend(d.host);
    const az = store.shareService(d.host)?.zone ?? 'nova';
    for (const sh of store.sharesOfServer(sourceId)) {
      const base = `/path/to/fake/share/share_${sh.id.replace(/-/g, '_')}_${sh.instanceId.replace(/-/g, '_')}`;
      store.moveShare(sh.id, {
        shareServerId: destId,
        host: `${d.host}#${b?.pool ?? 'pool'}`,
        shareNetworkId: d.shareNetworkId,
        availabilityZone: az,
        exportLocations: [
          { id: this.ctx.newId(), path: `${d.ip}:${base}`, preferred: true, isAdminOnly: false },
          { id: this.ctx.newId(), path: `${d.ip.replace(/^10\./, '11.')}:${base}`, preferred: false, isAdminOnly: true },
        ],
      });
      for (const sn of store.snapshotsOfShare(sh.id)) sn.providerLocation = `/path/to/fake/snapshot/snapshot_${sn.id.replace(/-/g, '_')}`;
    }
    store.updateServer(sourceId, { status: 'inactive', taskState: 'migration_success' });
    store.updateServer(destId, { status: 'active', taskState: 'migration_success', identifier: d.identifier || s.identifier });
    store.setShareStatus(destId, 'available');
    this.castReadOnly(destId, false);
    const m = this.ctx.active.get(sourceId);
    if (m) {
      m.outcome = 'success';
      m.endedAt = clock.now();
      this.ctx.active.delete(sourceId);
    }
    clock.after(this.t.deleteCast, () => {
      store.updateServer(sourceId, { status: 'deleting' });
      clock.after(this.t.deleteServer, () => store.deleteServer(sourceId));
    });
  }

  /** Casts the rules of a server's shares read-only (or lifts the cast). */
  private castReadOnly(serverId: string, on: boolean): void {
    castRulesReadOnly(this.ctx, this.ctx.store.sharesOfServer(serverId), on);
  }

  /** The API's cancel cast. */
  public castCancel(sourceId: string, destId: string): void {
    const { store, clock } = this.ctx;
    const m = this.ctx.active.get(sourceId);
    if (m) m.cancelAt = clock.now();
    clock.after(this.t.cast, () => {
      const s = store.servers.get(sourceId);
      if (!s || (s.taskState !== 'migration_driver_phase1_done' && s.taskState !== 'migration_driver_in_progress')) return; // "cannot be cancelled at this moment"
      store.updateServer(sourceId, { taskState: 'migration_cancel_in_progress' });
      clock.after(this.t.driverCancel, () => {
        store.updateServer(destId, { status: 'inactive', taskState: 'migration_cancelled' });
        store.setShareStatus(sourceId, 'available');
        this.castReadOnly(sourceId, false);
        clock.after(this.t.cancelFinish, () => {
          store.updateServer(sourceId, { status: 'active', taskState: 'migration_cancelled' });
          if (m) {
            m.outcome = 'cancelled';
            m.endedAt = clock.now();
            this.ctx.active.delete(sourceId);
          }
        });
      });
    });
  }
}
