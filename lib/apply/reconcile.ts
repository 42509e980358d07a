import { ManilaPlacementError } from '../errors';
import type { ManilaClient } from '../manila/client';
import type { Clock } from '../util/clock';
import type { MigrateEntry, ResumeEntry } from '../plan/types';
import { admitAndStart, cancelOnce, checkMove, completeOnce, failureOf, type StartCandidate } from './act';
import { countInFlight, overshoots, type InFlightCounts } from './admission';
import { BesideLoop, type BesideHost } from './beside';
import { decide, type Decision, type EventDraft, type Outcome } from './decide';
import type { MoveEvent, MovePhase, RunnerEvent } from './events';
import type { RunLocks } from './lock';
import { freshMemory, type LoopMove, type MoveMemory, type TrackedMove } from './memory';
import type { Known } from './observation';
import { kindOf } from '../manila/resource';
import { observeDue, type ObserveHost } from './observe-due';
import { withPriority } from '../manila/budget';
import { APPLY_DEFAULTS, type MovePolicy } from './options';
import { OUTAGE_CODE, type MoveResult } from './result';
import { isOutage, OutageWatch, outageText, type OutageRecord, type OutageWaiter } from './outage';
import { nextPollAt } from './poll';
import { moveScope } from './scope';
import { IN_FLIGHT_STAGES, type Observation } from './stage';
import { verifyOnce } from './verify';

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

/**
 * Reads of one move that failed in a row while other reads succeeded (so Manila is up, and the
 * trouble is this move's): after this many, the move fails with the error. While no read
 * succeeds, it is an outage, ridden out up to the outage limit (./outage.ts).
 */
const READ_ATTEMPTS = 5;

class Loop implements BesideHost, ObserveHost {
  private readonly moves = new Map<string, LoopMove>();
  private readonly order: string[];
  private readonly results = new Map<string, MoveResult>();
  /** Switchovers, impact and verification reads and progress asks, run beside the loop. */
  private readonly beside: BesideLoop;
  private readonly lastObservation = new Map<string, Observation>();
  private lastWarnings = '';
  /** How often a migration left flight in this run's view (slotFreed). */
  private slotsFreed = 0;
  /** When Manila was last read, and the outage under way. */
  private readonly outage: OutageWatch;
  /** The outage that passed the limit: the run stops. */
  private outageStop?: OutageRecord;

  constructor(
    entries: ReadonlyArray<MigrateEntry | ResumeEntry>,
    private readonly ctx: ReconcileContext,
  ) {
    const now = ctx.clock.now();
    this.order = entries.map((e) => e.key);
    for (const e of entries) this.moves.set(e.key, { entry: e, memory: freshMemory(now), readFailures: 0 });
    this.beside = new BesideLoop(ctx, this);
    this.outage = new OutageWatch(now, ctx.policy);
  }

  public get client(): ManilaClient {
    return this.ctx.client;
  }

  private get p(): MovePolicy {
    return this.ctx.policy;
  }

  public active(): string[] {
    return this.order.filter((k) => !this.results.has(k));
  }

  public move(key: string): LoopMove {
    return this.moves.get(key)!;
  }

  public isOver(key: string): boolean {
    return this.results.has(key);
  }

  private tracked(keys: readonly string[]): TrackedMove[] {
    return keys.map((k) => this.moves.get(k)!).map((m) => ({ entry: m.entry, memory: m.memory }));
  }

  public known(key: string): Known {
    const m = this.moves.get(key)!;
    const kind = kindOf(m.entry.server);
    return { serverId: m.entry.server.id, kind, destination: m.memory.destination, destinationId: m.memory.destinationId, sourceGone: m.sourceGone };
  }

  public scoped<T>(key: string | undefined, fn: () => Promise<T>): Promise<T> {
    return key ? moveScope.run({ key }, fn) : fn();
  }

  /** Runs until every move is over (or one pass with `noWait`). */
  public async run(): Promise<MoveResult[]> {
    let first = true;
    for (;;) {
      const active = this.active();
      if (!active.length || this.outageStop) break;
      await this.pass(first);
      first = false;
      if (this.p.noWait) {
        // The pass waits for its reads beside the loop and decides on what they found.
        await this.beside.settle(() => this.pass(false));
        await this.seeSwitchoversThrough();
        break;
      }
      if (!this.active().length || this.outageStop) break;
      await this.sleepUntilDue();
    }
    await this.beside.drain();
    const stop = this.outageStop;
    for (const k of this.active()) {
      const m = this.moves.get(k)!.memory;
      // Past the outage limit the moves are left to Manila: where each stood when last seen.
      const o = stop
        ? { phase: 'detached' as const, code: OUTAGE_CODE, message: `Manila not seen since ${stop.lastSeenAt} (last seen ${m.phase}); the migration goes on in Manila`, hint: 'Run apply again once Manila answers: it resumes from what Manila shows.' }
        : { phase: m.phase as MovePhase, message: m.message };
      this.results.set(k, this.resultOf(k, o));
      if (stop) this.emitMove(k, o);
    }
    return this.order.map((k) => this.results.get(k)!);
  }

  /**
   * `--no-wait`: a switchover under way ends within minutes. The pass watches it (and nothing
   * in phase 1) for up to `switchoverWatchMs`, verifies the move, and starts what its freed slot
   * admits, so the slot does not stand idle until the next pass.
   */
  private async seeSwitchoversThrough(): Promise<void> {
    const until = this.ctx.clock.now() + APPLY_DEFAULTS.switchoverWatchMs;
    // Queued moves are read again only once a slot has freed: reading them meanwhile lists the fleet for nothing.
    const freed = this.slotsFreed;
    const watched = (k: string): boolean => this.switchingOver(k) || (this.slotsFreed > freed && this.moves.get(k)!.memory.phase === 'queued');
    for (;;) {
      const over = this.active().filter((k) => this.switchingOver(k));
      const now = this.ctx.clock.now();
      if (!over.length || now >= until || this.ctx.detach.aborted) return;
      const next = Math.min(until, ...over.map((k) => this.moves.get(k)!.memory.nextPollAt));
      if (next > now) await this.beside.sleep(next - now);
      await this.pass(false, watched);
      await this.beside.settle(() => this.pass(false, watched));
    }
  }

  /** Manila is switching this move over: its complete was accepted, or it is completing. */
  private switchingOver(key: string): boolean {
    const m = this.moves.get(key)!.memory;
    return m.stage?.kind === 'completing' || (m.stage?.kind === 'phase1-done' && m.complete !== undefined && !m.complete.error);
  }

  /** One pass: observe the due moves (or only those `only` admits), decide, act. */
  private async pass(first: boolean, only: (key: string) => boolean = () => true): Promise<void> {
    const now = this.ctx.clock.now();
    const detached = this.ctx.detach.aborted;
    // A move whose switchover or verification is running is decided when it ends: polling it meanwhile reads nothing new.
    // Moves due within a quarter of the poll interval are read now too: read together they can
    // go by one list (one request of the budget), and their schedules stay together.
    const soon = now + this.p.pollIntervalMs / 4;
    let due = this.active().filter((k) => only(k) && (first || detached || this.moves.get(k)!.memory.nextPollAt <= soon) && !this.beside.busy(k));
    // While Manila is out of reach, one read probes for all: the first that succeeds makes every move due (readOk).
    if (this.outage.active) due = due.slice(0, 1);
    const informed = this.beside.takeNews().filter((k) => !this.results.has(k));
    if (!due.length && !informed.length) return;
    const needsCounts = first || due.some((k) => this.moves.get(k)!.memory.phase === 'queued');
    const nothingRead = { observations: new Map<string, Observation>(), inFlight: undefined };
    const readStart = this.ctx.clock.now();
    const { observations, inFlight } = due.length ? await this.observe(due, needsCounts) : nothingRead;
    // When the reads were sent: after any wait for the request budget (a poll that waited for
    // tokens is not due again at once), so from the answer time less the read's measured cost.
    const cost = this.ctx.client.readCosts.of(inFlight ? 'list' : 'get') ?? 0;
    const readAt = due.length ? Math.max(readStart, this.ctx.clock.now() - cost) : undefined;
    for (const [k, o] of observations) {
      this.lastObservation.set(k, o);
      // A share server id never comes back: once its record is gone, it is not read again.
      if (!o.source) this.moves.get(k)!.sourceGone = true;
    }
    // News from a read beside the loop is decided on the move's last observation: no new read.
    for (const k of informed) if (!observations.has(k) && this.lastObservation.has(k)) observations.set(k, this.lastObservation.get(k)!);
    let round = observations;
    for (let i = 0; i < APPLY_DEFAULTS.immediatePasses && round.size > 0; i++) {
      const pass = { moves: round, inFlight, detached: this.ctx.detach.aborted, readAt };
      const decisions = decide(pass, this.tracked(this.active()), this.p, this.ctx.clock.now());
      const again = await this.apply(decisions);
      // Decide again at once on what was just learnt (a check answer), from the same reads.
      round = new Map([...round].filter(([k]) => again.has(k) && !this.results.has(k)));
    }
  }

  /** Reads the due moves (./observe-due.ts), and counts the migrations in flight when the list was read. */
  private async observe(due: readonly string[], needsCounts: boolean): Promise<{ observations: Map<string, Observation>; inFlight?: InFlightCounts }> {
    const { observations, fleet } = await observeDue(this, due, needsCounts);
    const inFlight = fleet ? countInFlight(fleet.servers, this.knownDestinations()) : undefined;
    if (inFlight) this.warnOvershoot(inFlight);
    return { observations, inFlight };
  }

  private knownDestinations(): Map<string, string> {
    const out = new Map<string, string>();
    for (const m of this.moves.values()) if (m.memory.start && !m.memory.start.error) out.set(m.entry.server.id, m.entry.to);
    return out;
  }

  public readFailed(key: string, e: unknown): void {
    if (this.results.has(key)) return;
    const m = this.moves.get(key)!;
    const now = this.ctx.clock.now();
    if (m.readFailures++ === 0) m.failingSince = now;
    // Manila answered other reads since this move's began failing: the trouble is the move's own.
    const ownTrouble = m.readFailures >= READ_ATTEMPTS && this.outage.lastSeen > (m.failingSince ?? now);
    if (!isOutage(e) || ownTrouble) {
      const f = failureOf(e);
      this.finish(key, { phase: 'failed', code: f.code, message: f.message, hint: f.hint });
      return;
    }
    const waiting = (): OutageWaiter[] =>
      this.active().map((k) => ({ key: k, server: this.moves.get(k)!.entry.server.id, phase: this.moves.get(k)!.memory.phase }));
    const step = this.outage.failed(now, e, waiting);
    if (step.begun) this.emitOutage('outage-begun', step.begun);
    if (step.overLimit && !this.outageStop) {
      this.outageStop = step.overLimit;
      this.emitOutage('outage-limit', step.overLimit);
      return;
    }
    // One schedule for every move while Manila is out of reach: the next pass probes for all.
    for (const k of this.active()) {
      const lm = this.moves.get(k)!;
      lm.memory = { ...lm.memory, nextPollAt: now + step.delayMs };
    }
  }

  /** A read of Manila succeeded: an outage under way is over. */
  public readOk(): void {
    const ended = this.outage.ok(this.ctx.clock.now());
    if (!ended) return;
    this.emitOutage('outage-ended', ended);
    // Every move is read again at once: nothing is decided on a state older than the outage.
    const now = this.ctx.clock.now();
    for (const k of this.active()) {
      const lm = this.moves.get(k)!;
      lm.memory = { ...lm.memory, nextPollAt: Math.min(lm.memory.nextPollAt, now) };
      this.lastObservation.delete(k);
    }
  }

  private emitOutage(phase: 'outage-begun' | 'outage-ended' | 'outage-limit', r: OutageRecord): void {
    this.ctx.emit({ type: 'run', ts: this.ts(), phase, moves: this.order.length, message: outageText(phase, r), outage: r });
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
      if (d.progress) this.beside.askProgress(d.key, m);
      if (d.reads.length) this.beside.readImpact(d.key, m, d.reads);
      const a = d.action;
      switch (a.kind) {
        case 'finish':
          this.finish(d.key, a.outcome, true);
          if (wasInFlight || d.memory.seenInFlight) this.slotFreed();
          break;
        case 'check':
          work.push(
            this.scoped(d.key, async () => {
              // Awaited first: a spread before the await would drop what reads beside the loop wrote meanwhile.
              const check = await checkMove(this.ctx.client, m.entry.server.id, a.params, () => this.ctx.clock.now());
              m.memory = { ...m.memory, check };
              again.add(d.key);
            }),
          );
          break;
        case 'start':
          starts.push({ key: d.key, serverId: m.entry.server.id, kind: kindOf(m.entry.server), from: m.entry.from, to: m.entry.to, params: a.params });
          break;
        case 'complete':
          // Beside the loop: the switchover is watched until Manila records it, and other
          // moves' polls must not wait for that.
          this.beside.run(d.key, 'complete', async () => {
            await this.complete(d.key);
            return true;
          });
          break;
        case 'cancel':
          work.push(
            this.scoped(d.key, async () => {
              const cancel = await cancelOnce(this.ctx.client, m.entry.server.id, () => this.ctx.clock.now(), kindOf(m.entry.server));
              m.memory = { ...m.memory, cancel };
              again.add(d.key);
            }),
          );
          break;
        case 'verify':
          // Beside the loop, after the polls and the calls that change the cloud (its reads are
          // background). A clean result is decided at once; one with problems waits for the
          // move's next poll, so rounds are spaced while rules settle.
          this.beside.run(d.key, 'verify', () =>
            withPriority('background', async () => {
              const v = await verifyOnce(this.ctx.client, {
                kind: kindOf(m.entry.server),
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
      const now = (): number => this.ctx.clock.now();
      r = await admitAndStart(this.ctx.client, this.ctx.locks, candidates, this.p.limits, this.knownDestinations(), now);
    } catch (e) {
      // The list (or the lock) failed: the candidates wait and try again.
      for (const c of candidates) this.readFailed(c.key, e);
      return;
    }
    this.readOk();
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
        kind: kindOf(m.entry.server),
      });
      if (r) {
        // The watch under the lock just read the switchover under way: the next poll can wait its interval.
        const nextPollAt = this.ctx.clock.now() + (r.recorded ? this.p.pollIntervalMs : 0);
        m.memory = { ...m.memory, complete: r.call, destinationId: r.destinationId ?? m.memory.destinationId, nextPollAt };
      }
    } catch (e) {
      if (e instanceof ManilaPlacementError && e.code === 'MP_LOCK_TIMEOUT') return; // tried again next pass
      this.readFailed(key, e);
    }
  }

  /** A migration left flight in this run's view: queued moves look for a slot at once. */
  private slotFreed(): void {
    this.slotsFreed++;
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

  public emitMove(key: string, ev: EventDraft): void {
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
    if (this.beside.hasNews() || this.ctx.detach.aborted) return;
    const polled = this.active().filter((k) => !this.beside.busy(k));
    const next = Math.min(...polled.map((k) => this.moves.get(k)!.memory.nextPollAt));
    const ms = Math.max(0, next - this.ctx.clock.now());
    if (ms === 0) return;
    if (!Number.isFinite(ms) && this.beside.idle()) return;
    await this.beside.sleep(ms);
  }
}

/** Drives the moves (in fair order) until each is over, or one pass with `policy.noWait`. */
export function reconcile(entries: ReadonlyArray<MigrateEntry | ResumeEntry>, ctx: ReconcileContext): Promise<MoveResult[]> {
  return new Loop(entries, ctx).run();
}
