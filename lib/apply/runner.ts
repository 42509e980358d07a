import type { ManilaClient } from '../manila/client';
import { Clock, systemClock } from '../manila/http';
import type { MigrateEntry, Plan, PlanEntry, ResumeEntry } from '../plan/types';
import type { MovePhase, RunnerEvent } from './events';
import { Move, MoveOptions, MoveResult } from './move';
import { moveScope } from './scope';

/** How a run behaves. */
export interface ApplyOptions extends MoveOptions {
  /** Moves running at once, overall. @default 4 */
  readonly parallel?: number;
  /** Moves running at once from one source host. @default no limit */
  readonly maxPerSource?: number;
  /** Moves running at once toward one destination host. @default no limit */
  readonly maxPerDestination?: number;
  /** Only these plan entry keys. @default every pending move */
  readonly only?: readonly string[];
  /** Receives every event. */
  readonly onEvent?: (e: RunnerEvent) => void;
  /** Aborted on the first Ctrl-C: start nothing new, detach from running moves. */
  readonly detach?: AbortSignal;
  /** @default systemClock */
  readonly clock?: Clock;
}

/** Exit codes of `apply`, documented in the README and `--help`. */
export const EXIT = {
  /** Every move done (or nothing to do). */
  OK: 0,
  /** The run could not proceed: bad input, credentials, unreachable cloud. */
  ERROR: 1,
  /** Some moves blocked, failed, stale, in conflict or cancelled. */
  MOVES_FAILED: 3,
  /** Nothing failed, but some moves are not finished: awaiting manual completion, past a deadline, or detached. */
  INCOMPLETE: 4,
} as const;

/** The result of a run. */
export interface ApplyResult {
  readonly results: readonly MoveResult[];
  readonly exitCode: number;
  /** Final phase → count. */
  readonly outcome: Readonly<Record<string, number>>;
}

const FAILED: ReadonlySet<MovePhase> = new Set(['blocked', 'failed', 'stale', 'conflict', 'cancelled']);

/** Exit code for a set of results. */
export function exitCodeFor(results: readonly MoveResult[]): number {
  if (results.some((r) => FAILED.has(r.phase))) return EXIT.MOVES_FAILED;
  if (results.some((r) => r.phase !== 'done')) return EXIT.INCOMPLETE;
  return EXIT.OK;
}

/**
 * Fair order: resumes first (they hold Manila resources already), then moves interleaved
 * round-robin over source hosts, so one crowded host does not starve the others.
 */
export function fairOrder<T extends { from: string; key: string; action: string }>(moves: readonly T[]): T[] {
  const resumes = moves.filter((m) => m.action === 'resume').sort((a, b) => a.key.localeCompare(b.key));
  const bySource = new Map<string, T[]>();
  for (const m of moves.filter((x) => x.action !== 'resume').sort((a, b) => a.key.localeCompare(b.key))) {
    const list = bySource.get(m.from) ?? [];
    list.push(m);
    bySource.set(m.from, list);
  }
  const queues = [...bySource.keys()].sort().map((k) => bySource.get(k)!);
  const out: T[] = [...resumes];
  for (let i = 0; queues.some((q) => i < q.length); i++) for (const q of queues) if (i < q.length) out.push(q[i]);
  return out;
}

function notRunnable(e: PlanEntry): MoveResult | undefined {
  const base = { key: e.key, server: 'server' in e ? e.server.id : '-', from: 'server' in e ? e.server.host : '-', to: 'to' in e ? e.to : '-', elapsed: 0 };
  switch (e.action) {
    case 'blocked':
      return { ...base, phase: 'blocked', code: e.reasons[0]?.code, message: e.reasons.map((r) => r.message).join('; '), hint: 'Fix the reasons above, refresh and plan again.' };
    case 'conflict':
      return { ...base, phase: 'conflict', code: 'MP_MIGRATING_ELSEWHERE', message: e.message, hint: 'Let the other migration finish or cancel it, then plan again.' };
    case 'unmatched':
      return { ...base, phase: 'failed', code: 'MP_UNMATCHED', message: e.message, hint: 'Fix the selector in the declaration.' };
    default:
      return undefined;
  }
}

/**
 * Runs the pending moves of a plan against Manila with bounded parallelism (overall, per source
 * host, per destination host). Never throws for a move's failure: each ends in a result.
 */
export async function applyPlan(plan: Plan, client: ManilaClient, opts: ApplyOptions = {}): Promise<ApplyResult> {
  const clock = opts.clock ?? systemClock;
  const emit = opts.onEvent ?? (() => undefined);
  const detach = opts.detach ?? new AbortController().signal;
  const only = opts.only ? new Set(opts.only) : undefined;
  const entries = plan.entries.filter((e) => !only || only.has(e.key));
  const results: MoveResult[] = [];
  for (const e of entries) {
    const r = notRunnable(e);
    if (r) results.push(r);
  }
  const moves = fairOrder(entries.filter((e): e is MigrateEntry | ResumeEntry => e.action === 'migrate' || e.action === 'resume'));
  emit({ type: 'run', ts: new Date(clock.now()).toISOString(), phase: 'start', moves: moves.length });
  for (const m of moves) {
    emit({ type: 'move', ts: new Date(clock.now()).toISOString(), key: m.key, server: m.server.id, from: m.from, to: m.to, phase: 'queued', elapsed: 0 });
  }

  const parallel = Math.max(1, opts.parallel ?? 4);
  const perSource = new Map<string, number>();
  const perDest = new Map<string, number>();
  const fits = (m: MigrateEntry | ResumeEntry): boolean =>
    (perSource.get(m.from) ?? 0) < (opts.maxPerSource ?? Infinity) && (perDest.get(m.to) ?? 0) < (opts.maxPerDestination ?? Infinity);
  const bump = (map: Map<string, number>, k: string, d: number): void => {
    map.set(k, (map.get(k) ?? 0) + d);
  };

  const queue = [...moves];
  const running = new Map<string, Promise<void>>();
  while (queue.length || running.size) {
    if (!detach.aborted) {
      for (let i = 0; i < queue.length && running.size < parallel; ) {
        const m = queue[i];
        if (!fits(m)) {
          i++;
          continue;
        }
        queue.splice(i, 1);
        bump(perSource, m.from, 1);
        bump(perDest, m.to, 1);
        const move = new Move(m, { client, clock, emit, detach }, opts);
        const p = moveScope
          .run({ key: m.key }, () => move.run())
          .then((r) => {
            results.push(r);
            bump(perSource, m.from, -1);
            bump(perDest, m.to, -1);
            running.delete(m.key);
          });
        running.set(m.key, p);
      }
    } else {
      // Detached: the queued moves are not started.
      for (const m of queue.splice(0)) {
        results.push({ key: m.key, phase: 'detached', server: m.server.id, from: m.from, to: m.to, elapsed: 0, message: 'not started (detached)', hint: 'Run apply again.' });
      }
    }
    if (running.size === 0) {
      if (queue.length && !detach.aborted) throw new Error('scheduler: queued moves but none can start (limits below 1?)');
      continue;
    }
    await Promise.race([...running.values(), ...(detach.aborted ? [] : [abortPromise(detach)])]);
  }

  results.sort((a, b) => a.key.localeCompare(b.key));
  const outcome: Record<string, number> = {};
  for (const r of results) outcome[r.phase] = (outcome[r.phase] ?? 0) + 1;
  const exitCode = exitCodeFor(results);
  emit({ type: 'run', ts: new Date(clock.now()).toISOString(), phase: 'end', moves: moves.length, outcome, exitCode });
  return { results, exitCode, outcome };
}

function abortPromise(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}
