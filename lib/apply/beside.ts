import { ManilaPlacementError } from '../errors';
import { withPriority } from '../manila/budget';
import type { ManilaClient } from '../manila/client';
import { TASK_STATE } from '../manila/server-state';
import type { Clock } from '../util/clock';
import { readProgress } from './act';
import { kindOf } from '../manila/resource';
import type { EventDraft, ImpactRead } from './decide';
import type { MovePhase } from './events';
import type { LoopMove } from './memory';
import { APPLY_DEFAULTS } from './options';
import { pathsOf } from './verify';

/**
 * The work the reconcile loop runs beside itself (switchovers, impact and verification reads,
 * progress asks), so that other moves' polls never wait for it. At most one of a kind per move;
 * a read that ends with news has its move decided again at once, and wakes the loop.
 */

/** What work beside the loop needs of the loop. */
export interface BesideHost {
  /** Runs `fn` in the move's scope (its calls are counted and journalled for the move). */
  scoped<T>(key: string, fn: () => Promise<T>): Promise<T>;
  /** The move has its result: news of it is not decided on. */
  isOver(key: string): boolean;
  /** A read beside the loop failed. */
  readFailed(key: string, e: unknown): void;
  emitMove(key: string, ev: EventDraft): void;
}

const readId = (key: string, kind: string): string => `${key}\n${kind}`;

/** The reads and calls one reconcile loop runs beside itself, and the wake-up they give it. */
export class BesideLoop {
  /** Work beside the loop (switchovers, impact and verification reads), by move key and kind. */
  private readonly reading = new Map<string, Promise<void>>();
  /** Progress asks, never awaited by a decision. */
  private readonly progress = new Set<Promise<void>>();
  /** Moves with news from a read beside the loop: decided again on their last observation. */
  private readonly informed = new Set<string>();
  private wake?: () => void;

  constructor(
    private readonly ctx: { readonly client: ManilaClient; readonly clock: Clock; readonly detach: AbortSignal },
    private readonly host: BesideHost,
  ) {}

  /** Some read beside the loop brought news not decided on yet. */
  public hasNews(): boolean {
    return this.informed.size > 0;
  }

  /** The moves with news, once: the next pass decides them. */
  public takeNews(): string[] {
    const out = [...this.informed];
    this.informed.clear();
    return out;
  }

  /** Nothing runs beside the loop (progress asks aside): nothing would wake it. */
  public idle(): boolean {
    return this.reading.size === 0;
  }

  /** A switchover or a verification of this move runs beside the loop. */
  public busy(key: string): boolean {
    return this.reading.has(readId(key, 'complete')) || this.reading.has(readId(key, 'verify'));
  }

  /** Runs work beside the loop (at most one of a kind per move); when it ends with news, the move is decided again at once. */
  public run(key: string, kind: string, read: () => Promise<boolean>): void {
    const id = readId(key, kind);
    if (this.reading.has(id)) return;
    const task = this.host
      .scoped(key, read)
      .then((news) => {
        if (news && !this.host.isOver(key)) this.informed.add(key);
      })
      .catch((e) => this.host.readFailed(key, e))
      .finally(() => {
        this.reading.delete(id);
        // The loop may be asleep with nothing else due: the move is due again now.
        this.wake?.();
      });
    this.reading.set(id, task);
  }

  /** `--no-wait`: the pass waits for its reads beside the loop and decides (`pass`) on what they found. */
  public async settle(pass: () => Promise<void>): Promise<void> {
    // News that arrived while the pass acted (no read left running) is decided too.
    for (let i = 0; i < APPLY_DEFAULTS.immediatePasses && (this.reading.size > 0 || this.informed.size > 0); i++) {
      await Promise.allSettled([...this.reading.values()]);
      if (this.informed.size) await pass();
    }
  }

  /** Settles when everything beside the loop has ended. */
  public drain(): Promise<unknown> {
    return Promise.allSettled([...this.progress, ...this.reading.values()]);
  }

  /** Sleeps `ms` (forever when not finite), or until the run detaches or work beside the loop ends. */
  public sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
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

  /**
   * What the move does to the shares' users, as Manila shows it: export locations before the
   * switchover (read as soon as the move is decided on: they must be read before it), the
   * read-only cast in phase 1 (background). Beside the loop; a failed read never stops a move.
   */
  public readImpact(key: string, m: LoopMove, reads: readonly ImpactRead[]): void {
    const shares = m.entry.server.shares ?? m.entry.server.shareIds.map((id) => ({ id, name: undefined }));
    /** Runs `fn`; a Manila error is swallowed. News (decide again at once) only when `news()` says so. */
    const tolerant = async (fn: () => Promise<void>, news: () => boolean = () => false): Promise<boolean> => {
      try {
        await fn();
      } catch (e) {
        if (!(e instanceof ManilaPlacementError)) throw e;
      }
      return news();
    };
    if (reads.includes('exports-before')) {
      this.run(key, 'exports-before', () =>
        tolerant(async () => {
          const before: Record<string, readonly string[]> = {};
          try {
            for (const s of shares) before[s.id] = pathsOf(await this.ctx.client.listExportLocations(s.id));
          } finally {
            // Recorded even when a read failed (those shares' paths stay unknown): a switchover
            // that waits for this record must not wait forever.
            m.memory = { ...m.memory, exportsBefore: before };
          }
          this.host.emitMove(key, {
            phase: m.memory.phase as MovePhase,
            message: 'export locations recorded before the switchover',
            exportLocations: shares.map((s) => ({ shareId: s.id, ...(s.name ? { name: s.name } : {}), before: before[s.id] })),
          });
          // A switchover held for this record goes on at once (in a --no-wait pass too).
        }, () => m.memory.stage?.kind === 'phase1-done'),
      );
    }
    if (reads.includes('read-only')) {
      // Asked just before a switchover, the complete waits for it: no longer background.
      const beforeComplete = m.memory.stage?.kind === 'phase1-done';
      this.run(key, 'read-only', () =>
        withPriority(beforeComplete ? 'decision' : 'background', () =>
          tolerant(
            async () => {
              try {
                let cast = false;
                for (const s of shares) if ((await this.ctx.client.listShareInstances(s.id)).some((i) => i.castRulesToReadonly === true)) cast = true;
                m.memory = { ...m.memory, readOnlyInPhase1: cast };
                this.host.emitMove(key, {
                  phase: m.memory.phase as MovePhase,
                  message: cast ? 'Manila applies the shares\' access rules read-only for phase 1 (cast_rules_to_readonly): writes fail until the switchover' : 'the shares stay writable during phase 1',
                  readOnly: { duringPhase1: cast },
                });
              } finally {
                // A failed read must not hold the switchover for ever.
                if (beforeComplete) m.memory = { ...m.memory, readOnlyAskedBeforeComplete: true };
              }
            },
            () => beforeComplete,
          ),
        ),
      );
    }
  }

  public askProgress(key: string, m: LoopMove): void {
    m.memory = { ...m.memory, progressAt: this.ctx.clock.now() };
    // Beside the loop, never awaited by a decision: a synchronous RPC to the driver.
    const task = this.host
      .scoped(key, () => readProgress(this.ctx.client, m.entry.server.id, kindOf(m.entry.server)))
      .then((pct) => {
        if (pct === undefined || this.host.isOver(key) || pct === m.memory.progress) return;
        m.memory = { ...m.memory, progress: pct };
        if (m.memory.phase === 'phase1') this.host.emitMove(key, { phase: 'phase1', progress: pct, taskState: TASK_STATE.driverInProgress });
      })
      .catch(() => undefined)
      .finally(() => this.progress.delete(task));
    this.progress.add(task);
  }
}
