import { ManilaApiError, ManilaPlacementError, TransportError } from '../errors';
import type { ManilaClient } from '../manila/client';
import type { Clock } from '../manila/http';
import { TASK_STATE } from '../manila/server-state';
import type { MigrateEntry, ResumeEntry } from '../plan/types';
import { admitAndStart, cancelOnce, checkMove, completeOnce, failureOf, readProgress, type StartCandidate } from './act';
import { countInFlight, overshoots, type InFlightCounts } from './admission';
import { decide, type Decision, type EventDraft, type ImpactRead, type Outcome } from './decide';
import type { MoveEvent, MovePhase, RunnerEvent } from './events';
import type { RunLocks } from './lock';
import { freshMemory, type MoveMemory, type TrackedMove } from './memory';
import { fleetOf, observeById, observeInFleet, type Fleet, type Known } from './observation';
import { withPriority } from '../manila/budget';
import { listIsCheaper } from '../manila/read-costs';
import { APPLY_DEFAULTS, type MovePolicy } from './options';
import type { MoveResult } from './result';
import { nextPollAt } from './poll';
import { moveScope } from './scope';
import { IN_FLIGHT_STAGES, type Observation } from './stage';
import { pathsOf, verifyOnce } from './verify';

/**
 * The reconcile loop: observe (through lib/manila, by id or from one list), decide (pure),
 * act, then sleep until the next move is due, and again, until every move is over; or one
 * pass for `--no-wait`. Manila is the only truth: the loop can be killed at any instant and a
 * new run reaches the same decisions from what Manila shows.
 */

/** What the loop needs. */
export interface ReconcileContext {
  readonly client: ManilaClient;
  readonly clock: Clock;
  readonly locks: RunLocks;
  readonly policy: MovePolicy;
  readonly emit: (e: RunnerEvent) => void;
  readonly detach: AbortSignal;
}

/** Reads that may fail for a moment: after this many in a row, the move fails with the error. */
const READ_ATTEMPTS = 5;

function transient(e: unknown): boolean {
  return e instanceof TransportError || (e instanceof ManilaApiError && (e.status >= 500 || e.status === 401));
}

const readId = (key: string, kind: string): string => `${key}\n${kind}`;

class Loop {
  private readonly moves = new Map<string, { entry: MigrateEntry | ResumeEntry; memory: MoveMemory; readFailures: number; sourceGone?: boolean }>();
  private readonly order: string[];
  private readonly results = new Map<string, MoveResult>();
  private readonly progress = new Set<Promise<void>>();
  /** Work beside the loop (switchovers, impact and verification reads), by move key and kind. */
  private readonly reading = new Map<string, Promise<void>>();
  /** Moves with news from a read beside the loop: decided again on their last observation. */
  private readonly informed = new Set<string>();
  private readonly lastObservation = new Map<string, Observation>();
  private wake?: () => void;
  private lastWarnings = '';

  constructor(
    entries: ReadonlyArray<MigrateEntry | ResumeEntry>,
    private readonly ctx: ReconcileContext,
  ) {
    const now = ctx.clock.now();
    this.order = entries.map((e) => e.key);
    for (const e of entries) this.moves.set(e.key, { entry: e, memory: freshMemory(now), readFailures: 0 });
  }

  private get p(): MovePolicy {
    return this.ctx.policy;
  }

  private active(): string[] {
    return this.order.filter((k) => !this.results.has(k));
  }

  private tracked(keys: readonly string[]): TrackedMove[] {
    return keys.map((k) => this.moves.get(k)!).map((m) => ({ entry: m.entry, memory: m.memory }));
  }

  private known(key: string): Known {
    const m = this.moves.get(key)!;
    return { serverId: m.entry.server.id, destination: m.memory.destination, destinationId: m.memory.destinationId, sourceGone: m.sourceGone };
  }

  private scoped<T>(key: string | undefined, fn: () => Promise<T>): Promise<T> {
    return key ? moveScope.run({ key }, fn) : fn();
  }

  /** Runs until every move is over (or one pass with `noWait`). */
  public async run(): Promise<MoveResult[]> {
    let first = true;
    for (;;) {
      const active = this.active();
      if (!active.length) break;
      await this.pass(first);
      first = false;
      if (this.p.noWait) {
        await this.settle();
        break;
      }
      if (!this.active().length) break;
      await this.sleepUntilDue();
    }
    await Promise.allSettled([...this.progress, ...this.reading.values()]);
    for (const k of this.active()) {
      const m = this.moves.get(k)!.memory;
      this.results.set(k, this.resultOf(k, { phase: m.phase as MovePhase, message: m.message }));
    }
    return this.order.map((k) => this.results.get(k)!);
  }

  private async pass(first: boolean): Promise<void> {
    const now = this.ctx.clock.now();
    const detached = this.ctx.detach.aborted;
    // A move whose switchover or verification is running is decided when it ends: polling it meanwhile reads nothing new.
    const due = this.active().filter((k) => (first || detached || this.moves.get(k)!.memory.nextPollAt <= now) && !this.busy(k));
    const informed = [...this.informed].filter((k) => !this.results.has(k));
    this.informed.clear();
    if (!due.length && !informed.length) return;
    const needsCounts = first || due.some((k) => this.moves.get(k)!.memory.phase === 'queued');
    const nothingRead = { observations: new Map<string, Observation>(), inFlight: undefined };
    const { observations, inFlight } = due.length ? await this.observe(due, needsCounts) : nothingRead;
    for (const [k, o] of observations) {
      this.lastObservation.set(k, o);
      // A share server id never comes back: once its record is gone, it is not read again.
      if (!o.source) this.moves.get(k)!.sourceGone = true;
    }
    // News from a read beside the loop is decided on the move's last observation: no new read.
    for (const k of informed) if (!observations.has(k) && this.lastObservation.has(k)) observations.set(k, this.lastObservation.get(k)!);
    let round = observations;
    for (let i = 0; i < APPLY_DEFAULTS.immediatePasses && round.size > 0; i++) {
      const decisions = decide({ moves: round, inFlight, detached: this.ctx.detach.aborted }, this.tracked(this.active()), this.p, this.ctx.clock.now());
      const again = await this.apply(decisions);
      // Decide again at once on what was just learnt (a check answer), from the same reads.
      round = new Map([...round].filter(([k]) => again.has(k) && !this.results.has(k)));
    }
  }

  /** `--no-wait`: the pass waits for its reads beside the loop and decides on what they found. */
  private async settle(): Promise<void> {
    for (let i = 0; i < APPLY_DEFAULTS.immediatePasses && this.reading.size > 0; i++) {
      await Promise.allSettled([...this.reading.values()]);
      if (this.informed.size) await this.pass(false);
    }
  }

  /** A switchover or a verification of this move runs beside the loop. */
  private busy(key: string): boolean {
    return this.reading.has(readId(key, 'complete')) || this.reading.has(readId(key, 'verify'));
  }

  /** Runs work beside the loop (at most one of a kind per move); when it ends with news, the move is decided again at once. */
  private beside(key: string, kind: string, read: () => Promise<boolean>): void {
    const id = readId(key, kind);
    if (this.reading.has(id)) return;
    const task = this.scoped(key, read)
      .then((news) => {
        if (news && !this.results.has(key)) this.informed.add(key);
      })
      .catch((e) => this.readFailed(key, e))
      .finally(() => {
        this.reading.delete(id);
        // The loop may be asleep with nothing else due: the move is due again now.
        this.wake?.();
      });
    this.reading.set(id, task);
  }

  /**
   * Reads the due moves: one list when counts are needed, when ids cannot tell, or when one
   * list costs Manila less than the GETs (as measured on this cloud); else GETs by id. A list
   * read anyway shows every active move, so all of them are decided on it.
   */
  private async observe(due: readonly string[], needsCounts: boolean): Promise<{ observations: Map<string, Observation>; inFlight?: InFlightCounts }> {
    const observations = new Map<string, Observation>();
    let fleet: Fleet | undefined;
    let fleetError: unknown;
    const readFleet = async (): Promise<Fleet | undefined> => {
      if (fleet || fleetError) return fleet;
      try {
        fleet = fleetOf(await this.ctx.client.listShareServers());
      } catch (e) {
        fleetError = e;
      }
      return fleet;
    };
    const costs = this.ctx.client.readCosts;
    let byFleet: string[] = [];
    if (needsCounts || listIsCheaper(due.length, { list: costs.of('list'), get: costs.of('get') })) {
      byFleet = this.active();
    } else {
      await Promise.all(
        due.map((k) =>
          this.scoped(k, async () => {
            try {
              const r = await observeById(this.ctx.client, this.known(k));
              if ('observation' in r) {
                observations.set(k, r.observation);
                this.moves.get(k)!.readFailures = 0;
              } else byFleet.push(k);
            } catch (e) {
              this.readFailed(k, e);
            }
          }),
        ),
      );
    }
    if (byFleet.length) {
      const f = await readFleet();
      const dueNow = new Set(due);
      for (const k of byFleet) {
        if (f) {
          observations.set(k, observeInFleet(f, this.known(k)));
          this.moves.get(k)!.readFailures = 0;
        } else if (dueNow.has(k)) this.readFailed(k, fleetError);
      }
    }
    const inFlight = fleet ? countInFlight(fleet.servers, this.knownDestinations()) : undefined;
    if (inFlight) this.warnOvershoot(inFlight);
    return { observations, inFlight };
  }

  private knownDestinations(): Map<string, string> {
    const out = new Map<string, string>();
    for (const m of this.moves.values()) if (m.memory.start && !m.memory.start.error) out.set(m.entry.server.id, m.entry.to);
    return out;
  }

  private readFailed(key: string, e: unknown): void {
    const m = this.moves.get(key)!;
    m.readFailures++;
    if (!transient(e) || m.readFailures >= READ_ATTEMPTS) {
      const f = failureOf(e);
      this.finish(key, { phase: 'failed', code: f.code, message: f.message, hint: f.hint });
      return;
    }
    m.memory = { ...m.memory, nextPollAt: this.ctx.clock.now() + this.p.pollIntervalMs * m.readFailures };
  }

  private warnOvershoot(counts: InFlightCounts): void {
    const w = overshoots(counts, this.p.limits);
    const text = w.join('; ');
    if (text && text !== this.lastWarnings) {
      this.ctx.emit({ type: 'run', ts: this.ts(), phase: 'warning', moves: this.order.length, message: `limits exceeded in the cloud (migrations started elsewhere, e.g. on another machine): ${text}` });
    }
    this.lastWarnings = text;
  }

  /** Carries out the decisions. Returns the moves to decide on again at once. */
  private async apply(decisions: readonly Decision[]): Promise<Set<string>> {
    const again = new Set<string>();
    const starts: StartCandidate[] = [];
    const work: Array<Promise<void>> = [];
    for (const d of decisions) {
      const m = this.moves.get(d.key)!;
      const wasInFlight = m.memory.seenInFlight;
      // The slot frees when Manila shows the migration out of flight (the switchover done, a
      // cancel finished), not when this run has verified it: queued moves look at once.
      const leftFlight = IN_FLIGHT_STAGES.has(m.memory.stage?.kind ?? '') && !IN_FLIGHT_STAGES.has(d.memory.stage?.kind ?? '');
      if (d.action.kind === 'leave' && !d.event && !d.progress && !d.reads.length && d.memory.signature === m.memory.signature && d.memory.nextPollAt === m.memory.nextPollAt) continue; // left alone
      m.memory = d.memory;
      if (leftFlight) this.slotFreed();
      if (d.event) this.emitMove(d.key, d.event);
      if (d.progress) this.askProgress(d.key);
      if (d.reads.length) this.readImpact(d.key, d.reads);
      const a = d.action;
      switch (a.kind) {
        case 'finish':
          this.finish(d.key, a.outcome, true);
          if (wasInFlight || d.memory.seenInFlight) this.slotFreed();
          break;
        case 'check':
          work.push(
            this.scoped(d.key, async () => {
              m.memory = { ...m.memory, check: await checkMove(this.ctx.client, m.entry.server.id, a.params, () => this.ctx.clock.now()) };
              again.add(d.key);
            }),
          );
          break;
        case 'start':
          starts.push({ key: d.key, serverId: m.entry.server.id, from: m.entry.from, to: m.entry.to, params: a.params });
          break;
        case 'complete':
          // Beside the loop: the switchover is watched until Manila records it, and other
          // moves' polls must not wait for that.
          this.beside(d.key, 'complete', async () => {
            await this.complete(d.key);
            return true;
          });
          break;
        case 'cancel':
          work.push(
            this.scoped(d.key, async () => {
              m.memory = { ...m.memory, cancel: await cancelOnce(this.ctx.client, m.entry.server.id, () => this.ctx.clock.now()) };
              again.add(d.key);
            }),
          );
          break;
        case 'verify':
          // Beside the loop, after the polls and the calls that change the cloud (its reads are
          // background). A clean result is decided at once; one with problems waits for the
          // move's next poll, so rounds are spaced while rules settle.
          this.beside(d.key, 'verify', () =>
            withPriority('background', async () => {
              const v = await verifyOnce(this.ctx.client, {
                sourceId: m.entry.server.id,
                destination: a.destination,
                expectedShareIds: m.entry.server.shareIds,
                sourceGone: m.sourceGone,
                castInPhase1: m.memory.readOnlyInPhase1,
              });
              // With problems, the next round waits a poll interval (rules settle after the switchover).
              m.memory = { ...m.memory, verification: v, nextPollAt: this.ctx.clock.now() + this.p.pollIntervalMs };
              return v.ok || this.p.noWait;
            }),
          );
          break;
        case 'queue':
        case 'leave':
          break;
      }
    }
    if (starts.length) work.push(this.start(starts));
    await Promise.all(work);
    return again;
  }

  private async start(candidates: StartCandidate[]): Promise<void> {
    let r;
    try {
      r = await admitAndStart(this.ctx.client, this.ctx.locks, candidates, this.p.limits, this.knownDestinations(), () => this.ctx.clock.now());
    } catch (e) {
      // The list (or the lock) failed: the candidates wait and try again.
      for (const c of candidates) this.readFailed(c.key, e);
      return;
    }
    this.warnOvershoot(r.inFlight);
    const now = this.ctx.clock.now();
    for (const c of candidates) {
      const m = this.moves.get(c.key)!;
      const call = r.started.get(c.key);
      if (call) {
        m.memory = { ...m.memory, start: call, nextPollAt: now + this.p.pollIntervalMs };
        if (call.error) this.emitMove(c.key, { phase: 'starting', message: `migration_start got ${call.error.code}; reading Manila before anything else` });
        continue;
      }
      const why = r.waiting.get(c.key);
      if (why !== undefined) {
        // Looked at again when one of this run's migrations leaves flight (slotFreed), else
        // less and less often while nothing changes: a freed slot elsewhere is seen within the cap.
        m.memory = { ...m.memory, phase: 'queued', waiting: why, message: why, nextPollAt: nextPollAt(now, m.memory.lastChangeAt, this.p) };
        this.emitMove(c.key, { phase: 'queued', waiting: why });
      } else {
        m.memory = { ...m.memory, nextPollAt: now };
      }
    }
  }

  private async complete(key: string): Promise<void> {
    const m = this.moves.get(key)!;
    try {
      const r = await completeOnce(this.ctx.client, this.ctx.locks, this.ctx.clock, m.entry.server.id, {
        watchMs: this.p.ambiguityWindowMs,
        intervalMs: Math.min(1_000, this.p.pollIntervalMs),
      });
      if (r) m.memory = { ...m.memory, complete: r.call, destinationId: r.destinationId ?? m.memory.destinationId, nextPollAt: this.ctx.clock.now() };
    } catch (e) {
      if (e instanceof ManilaPlacementError && e.code === 'MP_LOCK_TIMEOUT') return; // tried again next pass
      this.readFailed(key, e);
    }
  }

  /**
   * What the move does to the shares' users, as Manila shows it: export locations before the
   * switchover (read as soon as the move is decided on: they must be read before it), the
   * read-only cast in phase 1 (background). Beside the loop; a failed read never stops a move.
   */
  private readImpact(key: string, reads: readonly ImpactRead[]): void {
    const m = this.moves.get(key)!;
    const shares = m.entry.server.shares ?? m.entry.server.shareIds.map((id) => ({ id, name: undefined }));
    const tolerant = async (fn: () => Promise<void>): Promise<boolean> => {
      try {
        await fn();
      } catch (e) {
        if (!(e instanceof ManilaPlacementError)) throw e;
      }
      return false;
    };
    if (reads.includes('exports-before')) {
      this.beside(key, 'exports-before', () =>
        tolerant(async () => {
          const before: Record<string, readonly string[]> = {};
          for (const s of shares) before[s.id] = pathsOf(await this.ctx.client.listExportLocations(s.id));
          m.memory = { ...m.memory, exportsBefore: before };
          this.emitMove(key, {
            phase: m.memory.phase as MovePhase,
            message: 'export locations recorded before the switchover',
            exportLocations: shares.map((s) => ({ shareId: s.id, ...(s.name ? { name: s.name } : {}), before: before[s.id] })),
          });
        }),
      );
    }
    if (reads.includes('read-only')) {
      this.beside(key, 'read-only', () =>
        withPriority('background', () =>
          tolerant(async () => {
            let cast = false;
            for (const s of shares) if ((await this.ctx.client.listShareInstances(s.id)).some((i) => i.castRulesToReadonly === true)) cast = true;
            m.memory = { ...m.memory, readOnlyInPhase1: cast };
            this.emitMove(key, {
              phase: m.memory.phase as MovePhase,
              message: cast ? 'Manila applies the shares\' access rules read-only for phase 1 (cast_rules_to_readonly): writes fail until the switchover' : 'the shares stay writable during phase 1',
              readOnly: { duringPhase1: cast },
            });
          }),
        ),
      );
    }
  }

  private askProgress(key: string): void {
    const m = this.moves.get(key)!;
    m.memory = { ...m.memory, progressAt: this.ctx.clock.now() };
    // Beside the loop, never awaited by a decision: a synchronous RPC to the driver.
    const task = this.scoped(key, () => readProgress(this.ctx.client, m.entry.server.id))
      .then((pct) => {
        if (pct === undefined || this.results.has(key) || pct === m.memory.progress) return;
        m.memory = { ...m.memory, progress: pct };
        if (m.memory.phase === 'phase1') this.emitMove(key, { phase: 'phase1', progress: pct, taskState: TASK_STATE.driverInProgress });
      })
      .catch(() => undefined)
      .finally(() => this.progress.delete(task));
    this.progress.add(task);
  }

  /** A migration left flight in this run's view: queued moves look for a slot at once. */
  private slotFreed(): void {
    const now = this.ctx.clock.now();
    for (const k of this.active()) {
      const m = this.moves.get(k)!;
      if (m.memory.phase === 'queued') m.memory = { ...m.memory, nextPollAt: now };
    }
  }

  private finish(key: string, o: Outcome, reported = false): void {
    if (this.results.has(key)) return;
    this.results.set(key, this.resultOf(key, o));
    if (!reported) this.emitMove(key, { phase: o.phase, code: o.code, message: o.message, hint: o.hint, newServerId: o.newServerId, check: o.check });
  }

  private resultOf(key: string, o: Outcome): MoveResult {
    const m = this.moves.get(key)!;
    const e = m.entry;
    return {
      key,
      phase: o.phase,
      server: e.server.id,
      from: e.from,
      to: e.to,
      newServerId: o.newServerId,
      code: o.code,
      message: o.message,
      hint: o.hint,
      elapsed: this.elapsed(m.memory),
      ...(o.check ? { check: o.check } : {}),
      ...(o.exportLocations ? { exportLocations: o.exportLocations } : {}),
      ...(o.readOnly ? { readOnly: o.readOnly } : {}),
    };
  }

  private elapsed(m: MoveMemory): number {
    return Math.round((this.ctx.clock.now() - (m.begunAt ?? this.ctx.clock.now())) / 100) / 10;
  }

  private ts(): string {
    return new Date(this.ctx.clock.now()).toISOString();
  }

  private emitMove(key: string, ev: EventDraft): void {
    const m = this.moves.get(key)!;
    const e = m.entry;
    const out: MoveEvent = {
      type: 'move',
      ts: this.ts(),
      key,
      server: e.server.id,
      from: e.from,
      to: e.to,
      elapsed: this.elapsed(m.memory),
      ...Object.fromEntries(Object.entries(ev).filter(([, v]) => v !== undefined)),
      phase: ev.phase,
    };
    this.ctx.emit(out);
  }

  private async sleepUntilDue(): Promise<void> {
    if (this.informed.size || this.ctx.detach.aborted) return;
    const polled = this.active().filter((k) => !this.busy(k));
    const next = Math.min(...polled.map((k) => this.moves.get(k)!.memory.nextPollAt));
    const ms = Math.max(0, next - this.ctx.clock.now());
    if (ms === 0) return;
    if (!Number.isFinite(ms) && this.reading.size === 0) return;
    await new Promise<void>((resolve) => {
      const done = (): void => {
        this.ctx.detach.removeEventListener('abort', done);
        if (this.wake === done) this.wake = undefined; // an earlier sleep's timer must not clear a later wake
        resolve();
      };
      this.wake = done;
      this.ctx.detach.addEventListener('abort', done, { once: true });
      // Every move waits for a read beside the loop: its end wakes the loop.
      if (Number.isFinite(ms)) void this.ctx.clock.sleep(ms).then(done);
    });
  }
}

/** Drives the moves (in fair order) until each is over, or one pass with `policy.noWait`. */
export function reconcile(entries: ReadonlyArray<MigrateEntry | ResumeEntry>, ctx: ReconcileContext): Promise<MoveResult[]> {
  return new Loop(entries, ctx).run();
}
