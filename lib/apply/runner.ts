import type { ManilaClient } from '../manila/client';
import { systemClock } from '../util/clock';
import { compareStrings } from '../util/compare';
import type { MigrateEntry, Plan, PlanEntry, ResumeEntry } from '../plan/types';
import { cloudKey, defaultLockDir, fileLocks } from './lock';
import { policyOf, type ApplyOptions } from './options';
import { preflight } from './preflight';
import { reconcile } from './reconcile';
import { EXIT, exitCodeFor, type MoveResult } from './result';

export { EXIT, exitCodeFor } from './result';
export type { MoveResult } from './result';
export type { ApplyOptions } from './options';

/** The result of a run. */
export interface ApplyResult {
  readonly results: readonly MoveResult[];
  readonly exitCode: number;
  /** Final phase → count. */
  readonly outcome: Readonly<Record<string, number>>;
}

/**
 * Fair order: resumes first (they hold Manila resources already), then moves interleaved
 * round-robin over source hosts, so one crowded host does not starve the others.
 */
export function fairOrder<T extends { from: string; key: string; action: string }>(moves: readonly T[]): T[] {
  const byKey = (a: T, b: T): number => compareStrings(a.key, b.key);
  const resumes = moves.filter((m) => m.action === 'resume').sort(byKey);
  const bySource = new Map<string, T[]>();
  for (const m of moves.filter((x) => x.action !== 'resume').sort(byKey)) {
    const list = bySource.get(m.from) ?? [];
    list.push(m);
    bySource.set(m.from, list);
  }
  const queues = [...bySource.keys()].sort(compareStrings).map((k) => bySource.get(k)!);
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
 * Runs the pending moves of a plan against Manila: a reconcile loop that observes, decides
 * (pure) and acts, with limits counted from what Manila shows in flight (so they hold across
 * runner processes) and an inter-process lock around "count, then start". Never throws for a
 * move's failure: each ends in a result. Throws before anything changes when a preflight check
 * fails (another cloud's plan, no admin role, an unknown `only` key).
 */
function projectRef(s: { readonly projectId: string; readonly projectName?: string }): { id: string; name?: string } {
  return { id: s.projectId, ...(s.projectName !== undefined ? { name: s.projectName } : {}) };
}

export async function applyPlan(plan: Plan, client: ManilaClient, opts: ApplyOptions = {}): Promise<ApplyResult> {
  const clock = opts.clock ?? systemClock;
  const emit = opts.onEvent ?? (() => undefined);
  if (opts.preflight !== false) await preflight(plan, client, { only: opts.only });
  const only = opts.only ? new Set(opts.only) : undefined;
  const entries = plan.entries.filter((e) => !only || only.has(e.key));
  const results: MoveResult[] = [];
  for (const e of entries) {
    const r = notRunnable(e);
    if (r) results.push(r);
  }
  const moves = fairOrder(entries.filter((e): e is MigrateEntry | ResumeEntry => e.action === 'migrate' || e.action === 'resume'));
  const ts = (): string => new Date(clock.now()).toISOString();
  emit({ type: 'run', ts: ts(), phase: 'start', moves: moves.length });
  // Moves the plan already blocked end here: said like any other end (the journal, notifications).
  // The first event of each move names its project, for the report (names from the snapshot).
  const projectOf = new Map(entries.flatMap((e) => ('server' in e ? [[e.key, projectRef(e.server)] as const] : [])));
  for (const r of results) {
    const project = projectOf.get(r.key);
    emit({ type: 'move', ts: ts(), key: r.key, server: r.server, ...(project ? { project } : {}), from: r.from, to: r.to, phase: r.phase, elapsed: 0, ...(r.code ? { code: r.code } : {}), ...(r.message ? { message: r.message } : {}), ...(r.hint ? { hint: r.hint } : {}) });
  }
  for (const m of moves) emit({ type: 'move', ts: ts(), key: m.key, server: m.server.id, project: projectRef(m.server), from: m.from, to: m.to, phase: 'queued', elapsed: 0 });
  const locks = opts.locks ?? fileLocks(defaultLockDir(), cloudKey(client.config.authUrl, await client.endpoint()));
  const detach = opts.detach ?? new AbortController().signal;
  if (moves.length) results.push(...(await reconcile(moves, { client, clock, locks, policy: policyOf(opts), emit, detach })));
  results.sort((a, b) => compareStrings(a.key, b.key));
  const outcome: Record<string, number> = {};
  for (const r of results) outcome[r.phase] = (outcome[r.phase] ?? 0) + 1;
  const exitCode = results.length ? exitCodeFor(results) : EXIT.OK;
  emit({ type: 'run', ts: ts(), phase: 'end', moves: moves.length, outcome, exitCode });
  return { results, exitCode, outcome };
}
