import { ManilaApiError, ManilaPlacementError, TransportError } from '../errors';
import type { ManilaClient } from '../manila/client';
import type { Clock } from '../manila/http';
import type { MigrationCheckResult, MigrationParams, ShareServer } from '../manila/types';
import type { MigrateEntry, ResumeEntry } from '../plan/types';
import type { MoveEvent, MovePhase } from './events';
import { Observation, Stage, classify, observe } from './observe';
import { migrationErrorHint, resetSourceCommands, stuckHint } from './recovery';
import { verifyMove } from './verify';

/** How a move behaves. Every duration is in milliseconds. */
export interface MoveOptions {
  /** Time between two reads of the server while waiting. @default 2000 */
  readonly pollIntervalMs?: number;
  /** Longest wait for phase 1 (production Manila polls the driver every 900 s). @default 21600000 (6 h) */
  readonly phase1TimeoutMs?: number;
  /** Longest wait from `migration_complete` to the destination being active. @default 3600000 (1 h) */
  readonly completeTimeoutMs?: number;
  /** Longest wait for a cancel to finish before the server is called stuck. @default 900000 (15 min) */
  readonly cancelTimeoutMs?: number;
  /** On a phase-1 deadline, cancel the migration (when the driver supports cancel). @default false */
  readonly cancelOnTimeout?: boolean;
  /** Complete moves whose policy is `manual` once phase 1 is done (`apply --complete`). @default false */
  readonly completeManual?: boolean;
  /** Act even when the live server no longer matches what the plan saw. @default false */
  readonly replan?: boolean;
  /** Check shares, access rules and snapshots after the move. @default true */
  readonly verify?: boolean;
  /** Longest wait for shares and rules to settle after the move. @default 120000 */
  readonly verifyTimeoutMs?: number;
  /** After an ambiguous failure of start or complete, how long to watch Manila for its effect. @default 20000 */
  readonly ambiguityWindowMs?: number;
}

/** Final result of one move in one run. */
export interface MoveResult {
  readonly key: string;
  readonly phase: MovePhase;
  readonly server: string;
  readonly from: string;
  readonly to: string;
  readonly newServerId?: string;
  readonly code?: string;
  readonly message?: string;
  readonly hint?: string;
  /** Seconds. */
  readonly elapsed: number;
}

/** What a move needs from its runner. */
export interface MoveContext {
  readonly client: ManilaClient;
  readonly clock: Clock;
  readonly emit: (e: MoveEvent) => void;
  /** Aborted on the first Ctrl-C: stop at the next safe point, leave Manila to carry on. */
  readonly detach: AbortSignal;
}

const DEFAULTS = {
  pollIntervalMs: 2_000,
  phase1TimeoutMs: 6 * 3600_000,
  completeTimeoutMs: 3600_000,
  cancelTimeoutMs: 900_000,
  verifyTimeoutMs: 120_000,
};

/** At most one progress request per this interval. */
const PROGRESS_INTERVAL_MS = 2_000;

/** Reads that must not end a move on a transient failure: retried here on top of the transport's retries. */
const OBSERVE_ATTEMPTS = 5;

/**
 * Drives one plan entry to its target host. Every decision is taken from what Manila shows at
 * that moment (never from memory of a previous run): so it can be killed at any instant and
 * run again. `migration_start` and `migration_complete` are sent at most once per run, and only
 * when Manila's state says they are needed; after an ambiguous failure the state is read again.
 */
export class Move {
  private readonly o: Required<MoveOptions>;
  private readonly t0: number;
  /** A migration of this server was started or seen running in this run. */
  private sentStart = false;
  private sentComplete = false;
  private check?: MigrationCheckResult;
  private waitingSince?: { stage: string; at: number };
  private lastPhase?: MovePhase;
  private destinationId?: string;
  private knownDestination?: ShareServer;
  /** Last percentage Manila gave, and the progress request in flight (never awaited by the poll loop). */
  private progress?: number;
  private progressPending?: Promise<void>;
  private progressAskedAt = -Infinity;

  constructor(
    private readonly entry: MigrateEntry | ResumeEntry,
    private readonly ctx: MoveContext,
    opts: MoveOptions = {},
  ) {
    this.o = {
      pollIntervalMs: opts.pollIntervalMs ?? DEFAULTS.pollIntervalMs,
      phase1TimeoutMs: opts.phase1TimeoutMs ?? DEFAULTS.phase1TimeoutMs,
      completeTimeoutMs: opts.completeTimeoutMs ?? DEFAULTS.completeTimeoutMs,
      cancelTimeoutMs: opts.cancelTimeoutMs ?? DEFAULTS.cancelTimeoutMs,
      cancelOnTimeout: opts.cancelOnTimeout ?? false,
      completeManual: opts.completeManual ?? false,
      replan: opts.replan ?? false,
      verify: opts.verify ?? true,
      verifyTimeoutMs: opts.verifyTimeoutMs ?? DEFAULTS.verifyTimeoutMs,
      ambiguityWindowMs: opts.ambiguityWindowMs ?? 20_000,
    };
    this.t0 = ctx.clock.now();
  }

  /** Runs until a final phase. Never throws for Manila's answers: they become results. */
  public async run(): Promise<MoveResult> {
    try {
      return await this.loop();
    } catch (e) {
      if (e instanceof ManilaPlacementError) {
        return this.final('failed', { code: e.code, message: e.message, hint: e.hint });
      }
      return this.final('failed', { code: 'MP_INTERNAL', message: `unexpected error: ${(e as Error).message}`, hint: 'This is a bug in manila-placement; apply again to resume, and report it.' });
    }
  }

  private async loop(): Promise<MoveResult> {
    let first = true;
    for (;;) {
      if (this.ctx.detach.aborted) {
        return this.final('detached', {
          message: 'detached on request; Manila carries on with whatever was started',
          hint: 'Run apply again to resume from what Manila shows.',
        });
      }
      this.emit('observing');
      const obs = await this.observeWithRetry();
      const stage = classify(obs, this.entry.to);
      // Remember the destination while this migration runs; forget it once it is over.
      this.knownDestination = stage.kind === 'phase1' || stage.kind === 'phase1-done' || stage.kind === 'completing' ? (obs.destination ?? this.knownDestination) : undefined;
      const next = await this.step(stage, first);
      first = false;
      if (next) return next;
    }
  }

  /** One decision. Returns a result when the move is over for this run. */
  private async step(stage: Stage, first: boolean): Promise<MoveResult | undefined> {
    const e = this.entry;
    // Once a migration was seen in flight in this run, a return to `ready` means it failed or
    // was cancelled: report it rather than start again.
    if (stage.kind === 'phase1' || stage.kind === 'phase1-done' || stage.kind === 'completing' || stage.kind === 'cancelling') this.sentStart = true;
    switch (stage.kind) {
      case 'gone':
        return this.final('failed', {
          code: 'MP_SERVER_GONE',
          message: `share server ${e.server.id} no longer exists and no server replaced it`,
          hint: 'Someone deleted it. Run `manila-placement plan` again.',
        });
      case 'moved-elsewhere':
        return this.final('stale', {
          code: 'MP_PLAN_STALE',
          message: `share server ${e.server.id} was migrated to ${stage.server.host} (now ${stage.server.id}) since the plan was made`,
          hint: 'Run `manila-placement plan` again (or refresh and re-synth) before applying.',
        });
      case 'elsewhere':
        return this.final('conflict', {
          code: 'MP_MIGRATING_ELSEWHERE',
          message: `share server ${stage.server.id} is being migrated to ${stage.destinationHost ?? 'another host'}, not ${e.to}`,
          hint: `Let that migration finish, or cancel it (manila-placement cancel ${stage.server.id}), then plan again.`,
        });
      case 'stuck':
        return this.final('failed', { code: 'MP_SERVER_STUCK', message: `share server ${stage.server.id}: ${stage.why}`, hint: stuckHint(stage.server.id, stage.why, e.server.shareIds) });
      case 'at-target':
        return this.finish(stage.server.id, first && stage.server.id === e.server.id);
      case 'ready':
        return this.begin(stage.server, first);
      case 'phase1':
        this.destinationId = stage.destination?.id ?? this.destinationId;
        return this.waitPhase1(stage);
      case 'phase1-done':
        this.destinationId = stage.destination?.id ?? this.destinationId;
        return this.completePhase(stage.server.id);
      case 'completing':
        this.destinationId = stage.destination?.id ?? this.destinationId;
        return this.wait('completing', stage.server.taskState, this.o.completeTimeoutMs, () =>
          this.final('timed-out', {
            code: 'MP_DEADLINE',
            message: `completion of ${e.server.id} is not done after ${Math.round(this.o.completeTimeoutMs / 1000)} s`,
            hint: 'Manila is still switching over; run apply again later, or check manila-share.log on the destination host.',
          }),
        );
      case 'cancelling':
        return this.wait('cancelling', stage.server.taskState, this.o.cancelTimeoutMs, () =>
          this.final('failed', {
            code: 'MP_CANCEL_STUCK',
            message: `cancel of ${stage.server.id} has not finished after ${Math.round(this.o.cancelTimeoutMs / 1000)} s`,
            hint: `The driver may not support cancel. When the backend is consistent: ${resetSourceCommands(stage.server.id, e.server.shareIds)}`,
          }),
        );
    }
  }

  /** The server is active and not on the target: check, then start. */
  private async begin(server: { id: string; host: string; taskState: string | null }, first: boolean): Promise<MoveResult | undefined> {
    const e = this.entry;
    if (this.sentStart) {
      // It came back to active after our start: Manila failed or someone cancelled it.
      if (server.taskState === 'migration_cancelled') {
        return this.final('cancelled', { code: 'MP_CANCELLED', message: `the migration of ${server.id} was cancelled`, hint: 'Apply again to start it anew.' });
      }
      const leftovers = (await this.ctx.client.listShareServers({ source_share_server_id: server.id, status: 'error' })).map((s) => s.id);
      return this.final('failed', {
        code: 'MP_MIGRATION_ERROR',
        message: `Manila reports ${server.taskState ?? 'no task'} for ${server.id} after the start was accepted`,
        hint: migrationErrorHint(server.id, leftovers),
      });
    }
    if (first && server.host !== e.from && !this.o.replan) {
      return this.final('stale', {
        code: 'MP_PLAN_STALE',
        message: `share server ${server.id} is on ${server.host}, but the plan saw it on ${e.from}`,
        hint: 'Plan again, or apply with --replan to move it from where it is now.',
      });
    }
    const params: MigrationParams = { host: e.to, ...e.flags, newShareNetworkId: e.newShareNetworkId };
    this.emit('checking', { taskState: server.taskState });
    this.check = await this.ctx.client.migrationCheck(server.id, params);
    if (!this.check.compatible) {
      const demanded = (['writable', 'nondisruptive', 'preserveSnapshots'] as const).filter((f) => e.flags[f] && this.check!.supported[f] !== true);
      return this.final('blocked', {
        code: 'MP_INCOMPATIBLE',
        message:
          `migration_check says ${server.host} → ${e.to} is not possible` +
          (demanded.length ? `: the destination cannot meet ${demanded.join(', ')}` : ' (Manila gives no reason; see manila-share.log on the destination)'),
        hint: demanded.length
          ? `Drop the demand (${demanded.join(', ')}: false) or choose a destination whose driver supports it. No migration was started.`
          : 'No migration was started. Check the destination backend (DHSS, driver support for share server migration, snapshots).',
        check: { requested: this.check.requested, supported: this.check.supported },
      });
    }
    this.emit('starting');
    try {
      await this.ctx.client.migrationStart(server.id, params);
      this.sentStart = true;
      return undefined;
    } catch (err) {
      return this.afterAmbiguous(err, server.id, 'migration_start', (stage) => stage.kind !== 'ready' && stage.kind !== 'at-target');
    }
  }

  /**
   * After `start` or `complete` failed: was it applied anyway? Manila records both
   * synchronously before answering, so a few reads tell. Never resends.
   */
  private async afterAmbiguous(err: unknown, serverId: string, action: string, applied: (s: Stage) => boolean): Promise<MoveResult | undefined> {
    const ambiguous = err instanceof TransportError || (err instanceof ManilaApiError && err.status >= 500);
    // Manila records a start before answering, but a complete only when the destination's
    // manager picks up the cast: so after an ambiguous failure, watch for a while.
    const watchUntil = this.ctx.clock.now() + (ambiguous ? this.o.ambiguityWindowMs : 0);
    for (let i = 0; ; i++) {
      if (i > 0) {
        if (this.ctx.clock.now() >= watchUntil) break;
        await this.ctx.clock.sleep(this.o.pollIntervalMs);
      }
      const stage = classify(await this.observeWithRetry(), this.entry.to);
      if (applied(stage)) {
        if (action === 'migration_start') this.sentStart = true;
        else this.sentComplete = true;
        this.emit(this.lastPhase ?? 'observing', { message: `${action} got ${err instanceof ManilaPlacementError ? err.code : 'an error'}, but Manila shows it took effect; continuing` });
        return undefined;
      }
    }
    const e = err instanceof ManilaPlacementError ? err : undefined;
    return this.final('failed', {
      code: e?.code ?? 'MP_INTERNAL',
      message: `${e?.message ?? String(err)}` + (ambiguous ? ` (Manila shows no ${action === 'migration_start' ? 'migration' : 'completion'} for ${serverId}; nothing was resent)` : ''),
      hint: ambiguous ? 'Nothing changed in Manila. Apply again when Manila answers normally.' : (e?.hint ?? ''),
    });
  }

  private async waitPhase1(stage: Extract<Stage, { kind: 'phase1' }>): Promise<MoveResult | undefined> {
    const supported = this.check?.supported.migrationGetProgress;
    const now = this.ctx.clock.now();
    if (stage.server.taskState === 'migration_driver_in_progress' && supported !== false && !this.progressPending && now - this.progressAskedAt >= PROGRESS_INTERVAL_MS) {
      // Progress asks the destination's driver synchronously (seconds under load): it runs beside
      // the poll loop, so that phase 1 done is seen, and completed, without waiting for it.
      this.progressAskedAt = now;
      this.progressPending = this.ctx.client
        .migrationGetProgress(stage.server.id)
        .then((p) => {
          this.progress = p.totalProgress;
        })
        .catch((err: unknown) => {
          // Optional: Zed answers 400 early in phase 1 and during transitions, and a driver
          // without get_progress gives 500. The task_state decides, not this.
          if (!(err instanceof ManilaApiError || err instanceof TransportError)) this.progress = undefined;
        })
        .finally(() => {
          this.progressPending = undefined;
        });
    }
    return this.wait('phase1', stage.server.taskState, this.o.phase1TimeoutMs, () => this.phase1Deadline(stage.server.id), this.progress);
  }

  private async phase1Deadline(serverId: string): Promise<MoveResult> {
    const secs = Math.round(this.o.phase1TimeoutMs / 1000);
    if (this.o.cancelOnTimeout && this.check?.supported.migrationCancel !== false) {
      try {
        await this.ctx.client.migrationCancel(serverId);
      } catch (err) {
        return this.final('timed-out', {
          code: 'MP_DEADLINE',
          message: `phase 1 of ${serverId} not done after ${secs} s, and cancelling failed: ${(err as Error).message}`,
          hint: `Cancel by hand: manila-placement cancel ${serverId}`,
        });
      }
      return this.final('cancelled', { code: 'MP_DEADLINE', message: `phase 1 of ${serverId} not done after ${secs} s: cancel sent`, hint: 'Apply again to retry the move.' });
    }
    return this.final('timed-out', {
      code: 'MP_DEADLINE',
      message: `phase 1 of ${serverId} not done after ${secs} s; the migration is left running`,
      hint: `Run apply again to keep waiting, or cancel it: manila-placement cancel ${serverId}. Phase 1 takes at least server_migration_driver_continue_update_interval (900 s by default).`,
    });
  }

  private async completePhase(serverId: string): Promise<MoveResult | undefined> {
    const e = this.entry;
    if (e.completion === 'manual' && !this.o.completeManual) {
      return this.final('awaiting-completion', {
        message: `phase 1 of ${serverId} is done; completion is manual (the switchover disrupts clients)`,
        hint: `When ready: manila-placement apply --complete (or manila-placement complete ${serverId}).`,
      });
    }
    if (this.sentComplete) {
      // Complete was accepted but Manila has not moved on yet: wait like any other phase.
      return this.wait('completing', 'migration_driver_phase1_done', this.o.completeTimeoutMs, () =>
        this.final('timed-out', { code: 'MP_DEADLINE', message: `completion of ${serverId} did not begin`, hint: 'Run apply again.' }),
      );
    }
    this.emit('completing', { taskState: 'migration_driver_phase1_done' });
    try {
      this.destinationId = await this.ctx.client.migrationComplete(serverId);
      this.sentComplete = true;
      this.waitingSince = undefined;
      return undefined;
    } catch (err) {
      return this.afterAmbiguous(err, serverId, 'migration_complete', (s) => s.kind === 'completing' || s.kind === 'at-target');
    }
  }

  /** Sleeps one poll interval in a waiting stage, or ends the move at its deadline. */
  private async wait(phase: MovePhase, taskState: string | null, timeoutMs: number, onDeadline: () => MoveResult | Promise<MoveResult>, progress?: number): Promise<MoveResult | undefined> {
    const now = this.ctx.clock.now();
    if (!this.waitingSince || this.waitingSince.stage !== phase) this.waitingSince = { stage: phase, at: now };
    if (now - this.waitingSince.at > timeoutMs) return onDeadline();
    this.emit(phase, { taskState, progress });
    await this.sleep(this.o.pollIntervalMs);
    return undefined;
  }

  private async finish(serverId: string, alreadyThere: boolean): Promise<MoveResult> {
    const e = this.entry;
    if (alreadyThere) {
      return this.final('done', { message: `already on ${e.to}`, newServerId: serverId });
    }
    if (this.o.verify) {
      this.emit('verifying', { newServerId: serverId });
      const v = await verifyMove(
        this.ctx.client,
        this.ctx.clock,
        { sourceId: e.server.id, destination: { id: serverId, host: e.to }, expectedShareIds: e.server.shareIds },
        { settleTimeoutMs: this.o.verifyTimeoutMs, pollIntervalMs: this.o.pollIntervalMs, signal: this.ctx.detach },
      );
      if (!v.ok) {
        return this.final('failed', {
          code: 'MP_VERIFY_FAILED',
          newServerId: serverId,
          message: `moved to ${e.to} as ${serverId}, but: ${v.problems.join('; ')}`,
          hint: 'Inspect the shares (openstack share show) and their access rules; apply again to re-verify.',
        });
      }
      return this.final('done', {
        newServerId: serverId,
        message: `${e.server.id} → ${serverId} on ${e.to}: ${v.shares} share(s), ${v.accessRules} access rule(s), ${v.snapshots} snapshot(s) verified`,
      });
    }
    return this.final('done', { newServerId: serverId, message: `${e.server.id} → ${serverId} on ${e.to}` });
  }

  private async observeWithRetry(): Promise<Observation> {
    for (let i = 1; ; i++) {
      try {
        return await observe(this.ctx.client, this.entry.server.id, this.knownDestination, this.destinationId);
      } catch (err) {
        const transient = err instanceof TransportError || (err instanceof ManilaApiError && (err.status >= 500 || err.status === 401));
        if (!transient || i >= OBSERVE_ATTEMPTS) throw err;
        await this.sleep(this.o.pollIntervalMs * i);
      }
    }
  }

  private sleep(ms: number): Promise<void> {
    if (this.ctx.detach.aborted) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const onAbort = (): void => resolve();
      this.ctx.detach.addEventListener('abort', onAbort, { once: true });
      void this.ctx.clock.sleep(ms).then(() => {
        this.ctx.detach.removeEventListener('abort', onAbort);
        resolve();
      });
    });
  }

  private emit(phase: MovePhase, extra: Partial<MoveEvent> = {}): void {
    this.lastPhase = phase;
    const e = this.entry;
    this.ctx.emit({
      type: 'move',
      ts: new Date(this.ctx.clock.now()).toISOString(),
      key: e.key,
      server: e.server.id,
      from: e.from,
      to: e.to,
      phase,
      elapsed: Math.round((this.ctx.clock.now() - this.t0) / 100) / 10,
      destinationId: this.destinationId,
      ...extra,
    });
  }

  private final(phase: MovePhase, extra: Partial<MoveEvent> & { message?: string; hint?: string; code?: string; newServerId?: string }): MoveResult {
    this.emit(phase, extra);
    const e = this.entry;
    return {
      key: e.key,
      phase,
      server: e.server.id,
      from: e.from,
      to: e.to,
      newServerId: extra.newServerId,
      code: extra.code,
      message: extra.message,
      hint: extra.hint,
      elapsed: Math.round((this.ctx.clock.now() - this.t0) / 100) / 10,
    };
  }
}
