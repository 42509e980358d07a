import { backendHostOf } from '../../lib/manila/resource';
import { driverProgress, type BackendSpec } from './backends';
import type { MigrationRequest, SimContext, SimMigration } from './context';
import { flatExportLocations } from './flat-exports';
import type { SimShare } from './model';
import { PeriodicTask } from './periodic';
import { allocatedByPool, findPool } from './pools';
import { castRulesReadOnly } from './readonly-rules';

/**
 * The asynchronous half of share migration (docs/share-migration.md §3-§5): the scheduler's
 * check of the destination pool, then everything on the **source** host's manila-share, in
 * virtual time. The share's task state is the one field for both instances.
 *
 * - start: the scheduler accepts only a pool whose name is the destination string exactly, whose
 *   DHSS mode is the share type's and with room for the share (else `migration_error`, source
 *   `available`, no destination); `migration_in_progress` and a destination instance `creating`
 *   on the pool, then `migrating_to`; the driver's compatibility check (a demand it cannot meet,
 *   or snapshots it cannot keep, fails here: destination deleted, `migration_error`); rules cast
 *   read-only if the driver is not writable; `migration_driver_starting`, the driver starts,
 *   `migration_driver_in_progress`.
 * - periodic `migration_driver_continue` on the source host, every
 *   migration_driver_continue_update_interval (on the host's grid): one call per share in
 *   `migration_driver_in_progress`; done → `migration_driver_phase1_done`; raises → destination
 *   deleted, `migration_error`, source `available`.
 * - complete: `migration_completing`; the driver's complete; the destination becomes the share's
 *   instance (host, new export paths) and the source `inactive`, then the source is deleted;
 *   `migration_success`.
 * - cancel: the driver's cancel; the destination deleted, the source `available`,
 *   `migration_cancelled` (no cancel-in-progress state for shares).
 */
export class SimShareManager {
  /** migration_driver_continue on each source host (`host@backend`). */
  private readonly continueTask: PeriodicTask;

  constructor(private readonly ctx: SimContext) {
    this.continueTask = new PeriodicTask(ctx.clock, {
      intervalMs: ctx.timings.share.continueIntervalMs,
      callMs: ctx.timings.share.continueCall,
      phaseOf: (host) => ctx.backends.get(host)?.tickPhaseMs ?? 0,
      callsAt: (host) => this.inPhase1(host).map((m) => () => this.continueOne(m.sourceId)),
      busy: (host) => this.inPhase1(host).length > 0,
    });
  }

  private get t() {
    return this.ctx.timings.share;
  }

  /** The share migrations of `host` whose driver copies (start order, as Manila lists instances). */
  private inPhase1(host: string): SimMigration[] {
    return [...this.ctx.active.values()].filter(
      (m) => m.kind === 'share' && backendHostOf(m.sourceHost) === host && m.driverStartedAt !== undefined && m.phase1DoneAt === undefined && m.outcome === undefined
    );
  }

  /** The driver of the share's source backend: share migration runs there. */
  private driverOf(m: SimMigration): BackendSpec['driver'] | undefined {
    return this.ctx.backends.get(backendHostOf(m.sourceHost))?.driver;
  }

  /** A cast to the source host, delayed while its manila-share restarts (the message waits in the queue). */
  private afterCast(fn: () => void): void {
    const { clock } = this.ctx;
    clock.after(Math.max(this.t.cast, (this.ctx.shareDownUntil ?? 0) - clock.now()), fn);
  }

  /** The API's start cast (through the scheduler). `hostAssisted`: Manila's data service would copy, and there is none. */
  public castStart(sh: SimShare, r: MigrationRequest, hostAssisted: boolean): void {
    const { clock } = this.ctx;
    const at = clock.now();
    const m: SimMigration = {
      kind: 'share',
      sourceId: sh.id,
      sourceHost: sh.host,
      destHost: r.host,
      request: r,
      fate: this.ctx.fateOf({ kind: 'share', sourceId: sh.id, sourceHost: sh.host, destHost: r.host, startedAt: at }),
      startedAt: at,
      continueCalls: 0,
    };
    this.ctx.active.set(sh.id, m);
    this.ctx.history.push(m);
    this.afterCast(() => (hostAssisted ? this.ctx.store.updateShare(sh.id, { taskState: 'migration_in_progress' }) : this.schedule(m)));
  }

  /** The scheduler's filters for the one pool asked for (`host_passes_filters`): exact name, DHSS, capacity, a service up. */
  private schedulable(sh: SimShare, pool: string): boolean {
    const { store, backends } = this.ctx;
    const p = findPool(backends, pool);
    if (!p) return false;
    const svc = store.shareService(p.backend.host);
    if (!svc || svc.status !== 'enabled' || svc.state !== 'up') return false;
    const typeDhss = (store.types.get(sh.shareTypeId)?.extraSpecs.driver_handles_share_servers ?? '').toLowerCase() === 'true';
    if ((p.backend.dhss ?? true) !== typeDhss) return false;
    return p.backend.totalCapacityGb - (allocatedByPool(store).get(pool) ?? 0) >= sh.size;
  }

  private schedule(m: SimMigration): void {
    const { store, clock } = this.ctx;
    const sh = store.shares.get(m.sourceId);
    if (!sh || !this.schedulable(sh, m.destHost)) {
      this.fail(m, 'start-error');
      return;
    }
    const now = clock.now();
    const destination = { id: this.ctx.newId(), status: 'creating', host: m.destHost, createdAt: now, updatedAt: now };
    m.destId = destination.id;
    store.updateShare(sh.id, { taskState: 'migration_in_progress' });
    store.updateShare(sh.id, { destination });
    clock.after(this.t.createInstance, () => {
      store.updateShareDestination(sh.id, 'migrating_to');
      clock.after(this.t.compat, () => this.startDriver(m));
    });
  }

  /** `_migration_start_driver` after the destination exists: the compatibility check, then the driver's start. */
  private startDriver(m: SimMigration): void {
    const { store, clock } = this.ctx;
    const sh = store.shares.get(m.sourceId);
    const d = this.driverOf(m);
    const r = m.request;
    const hasSnapshots = store.snapshotsOfShare(m.sourceId).length > 0;
    const unmet =
      !d ||
      (r.writable && !d.writable) ||
      (r.nondisruptive && !d.nondisruptive) ||
      (r.preserveSnapshots && !d.preserveSnapshots) ||
      (r.preserveMetadata === true && !d.preserveMetadata) ||
      (hasSnapshots && !d.preserveSnapshots);
    if (!sh || unmet) {
      this.fail(m, 'start-error');
      return;
    }
    if (!d.writable) castRulesReadOnly(this.ctx, [sh], true);
    store.updateShare(sh.id, { taskState: 'migration_driver_starting' });
    clock.after(this.t.driverStart, () => {
      store.updateShare(sh.id, { taskState: 'migration_driver_in_progress' });
      m.driverStartedAt = clock.now();
      this.continueTask.ensure(backendHostOf(m.sourceHost));
    });
  }

  /** A failed start or phase 1: the destination deleted, `migration_error`, the source `available` (share/manager.py). */
  private fail(m: SimMigration, outcome: SimMigration['outcome']): void {
    const { store } = this.ctx;
    const sh = store.shares.get(m.sourceId);
    if (sh) {
      if (sh.destination) store.updateShare(sh.id, { destination: null });
      store.updateShare(sh.id, { taskState: 'migration_error' });
      castRulesReadOnly(this.ctx, [sh], false);
      store.updateShare(sh.id, { status: 'available' });
    }
    this.end(m, outcome);
  }

  private end(m: SimMigration, outcome: SimMigration['outcome']): void {
    m.outcome = outcome;
    m.endedAt = this.ctx.clock.now();
    this.ctx.active.delete(m.sourceId);
  }

  /** One migration_continue call for a share. */
  private continueOne(shareId: string): void {
    const { store, clock } = this.ctx;
    // manila-share restarting: this periodic run does not happen; the next tick on the grid does it.
    if ((this.ctx.shareDownUntil ?? 0) > clock.now()) return;
    const m = this.ctx.active.get(shareId);
    const sh = store.shares.get(shareId);
    // A cancel running meanwhile does not stop the periodic task (no cancel-in-progress state for shares).
    if (!m || !sh || sh.taskState !== 'migration_driver_in_progress') return;
    m.continueCalls++;
    const elapsed = clock.now() - (m.driverStartedAt ?? clock.now());
    const d = this.driverOf(m);
    if (d?.failsContinue || (m.fate.failAfterMs !== undefined && elapsed >= m.fate.failAfterMs)) {
      this.fail(m, 'error');
      return;
    }
    if (m.continueCalls >= (d?.continueCallsNeeded ?? 1) && elapsed >= m.fate.phase1Ms) {
      store.updateShare(shareId, { taskState: 'migration_driver_phase1_done' });
      m.phase1DoneAt = clock.now();
    }
  }

  /** The driver's answer to get_progress during `migration_driver_in_progress`. */
  public driverProgress(shareId: string): { total_progress: number } {
    const m = this.ctx.active.get(shareId);
    if (!m) return { total_progress: 0 };
    return { total_progress: driverProgress(m, this.driverOf(m)?.continueCallsNeeded ?? 1, this.ctx.clock.now()) };
  }

  /** The API's complete cast. */
  public castComplete(shareId: string): void {
    const { store, clock } = this.ctx;
    const m = this.ctx.active.get(shareId);
    if (m) m.completeAt = clock.now();
    this.afterCast(() => {
      store.updateShare(shareId, { taskState: 'migration_completing' });
      clock.after(this.t.driverComplete, () => (m?.fate.failComplete ? this.failComplete(shareId) : this.switchOver(shareId)));
    });
  }

  /** The driver raised in complete: both instances `error`, `migration_error`; an admin must say which copy is live. */
  private failComplete(shareId: string): void {
    const { store } = this.ctx;
    store.updateShareDestination(shareId, 'error');
    store.updateShare(shareId, { status: 'error' });
    store.updateShare(shareId, { taskState: 'migration_error' });
    const m = this.ctx.active.get(shareId);
    if (m) this.end(m, 'complete-error');
  }

  /**
   * `_migration_complete_driver` (share/manager.py): the destination instance becomes the
   * share's (its pool, the driver's new export paths, the rules applied to it writable) and the
   * source instance `inactive`; the source is then deleted (the driver's delete_share), and only
   * then `migration_success`. The real test bed shows the share `available` on the destination
   * with the source `inactive` meanwhile (test/fixtures/sequences/share-a-auto-complete.json).
   */
  private switchOver(shareId: string): void {
    const { store, clock } = this.ctx;
    const sh = store.shares.get(shareId);
    const d = sh?.destination;
    if (!sh || !d) return;
    for (const sn of store.snapshotsOfShare(shareId)) sn.providerLocation = `/path/to/fake/snapshot/snapshot_${sn.id.replace(/-/g, '_')}`;
    const zone = store.shareService(backendHostOf(d.host))?.zone ?? sh.availabilityZone;
    const former = { id: sh.instanceId, status: 'inactive', host: sh.host, createdAt: sh.createdAt, updatedAt: clock.now() };
    sh.castRulesToReadonly = false;
    store.updateShare(shareId, {
      instanceId: d.id,
      host: d.host,
      status: 'available',
      availabilityZone: zone,
      exportLocations: flatExportLocations(this.ctx.newId, shareId, d.id),
      destination: former,
    });
    clock.after(this.t.deleteSource, () => {
      store.updateShare(shareId, { destination: null });
      store.updateShare(shareId, { taskState: 'migration_success' });
      const m = this.ctx.active.get(shareId);
      if (m) this.end(m, 'success');
    });
  }

  /** The API's cancel cast. */
  public castCancel(shareId: string): void {
    const { store, clock } = this.ctx;
    const m = this.ctx.active.get(shareId);
    if (m) m.cancelAt = clock.now();
    this.afterCast(() => {
      const sh = store.shares.get(shareId);
      // "cannot be cancelled at this moment" (the manager's own check of the task state).
      if (!sh || (sh.taskState !== 'migration_driver_in_progress' && sh.taskState !== 'migration_driver_phase1_done')) return;
      clock.after(this.t.driverCancel, () => {
        if (!m || m.outcome !== undefined) return;
        // share/manager.py migration_cancel: the destination deleted, the rules reset, the source available, then the task state.
        store.updateShare(shareId, { destination: null });
        castRulesReadOnly(this.ctx, [sh], false);
        store.updateShare(shareId, { status: 'available' });
        store.updateShare(shareId, { taskState: 'migration_cancelled' });
        this.end(m, 'cancelled');
      });
    });
  }
}
