import type { MoveEvent, MovePhase } from '../apply/events';
import { countOutcomes, outcomeOf, type Outcome } from '../apply/outcome';
import type { HttpRecord, JournalRecord, ParsedJournal } from './journal-read';
import { moveSegments, type Segment } from './rollout-segments';

/**
 * A rollout as its journal tells it: the runs (apply passes), and each move across all of them
 * with the stretches of time it spent in each stage (lib/report/rollout-segments.ts), its API
 * calls and where it ended. Pure.
 */

export { toneOf, type Segment, type SegmentKind, type Tone } from './rollout-segments';
export { outcomeOf, type Outcome } from '../apply/outcome';

/** One journalled API call. */
export interface CallView {
  readonly line: number;
  readonly at: number;
  readonly run?: number;
  readonly move?: string;
  readonly operation: string;
  readonly method: string;
  readonly path: string;
  readonly status?: number;
  readonly error?: string;
  readonly requestId?: string;
  readonly attempt: number;
  readonly durationMs: number;
  /** Status >= 400, or no answer at all. */
  readonly failed: boolean;
}

/** Calls grouped by what they did. */
export interface OperationCount {
  readonly method: string;
  readonly operation: string;
  readonly count: number;
  readonly errors: number;
}

/** Where a move stands at the end of the journal. */
export interface MoveOutcome {
  readonly phase: MovePhase;
  /** Its phase's outcome (lib/apply/outcome.ts): what the header counts and the row shows. */
  readonly outcome: Outcome;
  readonly at: number;
  readonly run?: number;
  readonly code?: string;
  readonly message?: string;
  readonly hint?: string;
}

/** One move (plan entry) across every run it appears in. */
export interface MoveView {
  /** Plan entry key: the identity of a move across runs. */
  readonly key: string;
  /** Share server id as the latest run's plan saw it. */
  readonly server: string;
  /** The project that owns the server, named when the plan's snapshot had its name. */
  readonly project?: { readonly id: string; readonly name?: string };
  /** Other server ids earlier runs moved under this key (after `--replan`). */
  readonly earlierServers: readonly string[];
  /** The new share server, once the move is done. */
  readonly newServerId?: string;
  /** The destination server Manila created, once known (also for failed moves: it may need deleting). */
  readonly destinationId?: string;
  readonly from: string;
  readonly to: string;
  readonly final: MoveOutcome;
  /** Runs (1-based) that reported this move. */
  readonly runs: readonly number[];
  /** First and last event. */
  readonly first: number;
  readonly last: number;
  readonly segments: readonly Segment[];
  readonly calls: readonly CallView[];
  readonly errors: readonly CallView[];
  readonly operations: readonly OperationCount[];
  /** Requested vs supported capabilities when migration_check said no. */
  readonly check?: MoveEvent['check'];
}

/** One apply run: from its first journal line (planning included) to its end record. */
export interface RunView {
  /** 1-based, in the order runs started. */
  readonly index: number;
  readonly pid?: number;
  /** First record of the run's process before and after its start event (planning, preflight). */
  readonly from: number;
  /** The run start event. */
  readonly startedAt: number;
  /** Its end event, or its last record when it has none. */
  readonly to: number;
  /** False when no end record follows: the process was killed or is still running. */
  readonly ended: boolean;
  /** Moves at the start. */
  readonly moves: number;
  readonly exitCode?: number;
  /** Final phase counts at the end. */
  readonly outcome?: Readonly<Record<string, number>>;
  readonly warnings: readonly { readonly at: number; readonly message: string }[];
  /** Outages of Manila or Keystone the run rode out (or stopped at): when, how long, what was waiting. */
  readonly outages: readonly { readonly at: number; readonly kind: 'outage-begun' | 'outage-ended' | 'outage-limit'; readonly message: string }[];
  readonly signals: readonly { readonly at: number; readonly signal: string; readonly count: number }[];
  readonly calls: number;
  readonly errors: number;
  readonly firstLine: number;
  readonly lastLine: number;
}

/** An apply pass that did not start a run. */
export interface PassView {
  /** `idle`: the plan had nothing to do; `aborted`: the process stopped before a run began (an error in planning or preflight). */
  readonly kind: 'idle' | 'aborted';
  readonly pid?: number;
  readonly from: number;
  readonly to: number;
  readonly exitCode?: number;
  readonly calls: number;
  readonly errors: number;
  readonly firstLine: number;
  readonly lastLine: number;
}

/** The whole report model. */
export interface Rollout {
  /** The journal as named by the caller. */
  readonly source: string;
  readonly from: number;
  readonly to: number;
  readonly runs: readonly RunView[];
  readonly passes: readonly PassView[];
  readonly moves: readonly MoveView[];
  /** Calls made for no move (planning, listing servers for admission...). */
  readonly runCalls: readonly CallView[];
  readonly runErrors: readonly CallView[];
  readonly runOperations: readonly OperationCount[];
  readonly totals: {
    readonly moves: number;
    readonly runs: number;
    readonly calls: number;
    readonly errors: number;
    /** Moves per final phase. */
    readonly phases: Readonly<Record<string, number>>;
    /** Moves per outcome of their final phase: the rows' outcomes, counted. */
    readonly outcomes: Readonly<Record<Outcome, number>>;
  };
  /** Journal lines of record kinds this version does not know. */
  readonly skippedLines: number;
}

/**
 * A pass's records of one process are taken to be one pass while they follow each other within
 * this time: longer, and the process id was most likely reused by a later apply.
 */
const SAME_PASS_MS = 15 * 60_000;

/** Builds the model. `source` names the journal on the page. */
export function buildRollout(parsed: ParsedJournal, source: string): Rollout {
  const { records } = parsed;
  const { runs, passes, runOfLine } = splitRuns(records);
  const calls = records.filter((r): r is HttpRecord => r.type === 'http').map((r) => callView(r, runOfLine.get(r.line)));
  const moveEvents = new Map<string, Array<{ e: MoveEvent; run?: number; line: number }>>();
  for (const r of records) {
    if (r.type !== 'move') continue;
    const list = moveEvents.get(r.event.key) ?? [];
    list.push({ e: r.event, run: runOfLine.get(r.line), line: r.line });
    moveEvents.set(r.event.key, list);
  }
  const callsOf = new Map<string, CallView[]>();
  const runCalls: CallView[] = [];
  for (const c of calls) {
    const list = c.move !== undefined && moveEvents.has(c.move) ? callsOf.get(c.move) ?? [] : undefined;
    if (!list) {
      runCalls.push(c);
      continue;
    }
    list.push(c);
    callsOf.set(c.move!, list);
  }
  const moves = [...moveEvents].map(([key, evs]) => moveView(key, evs, runs, callsOf.get(key) ?? []));
  const phases: Record<string, number> = {};
  for (const m of moves) phases[m.final.phase] = (phases[m.final.phase] ?? 0) + 1;
  const outcomes = countOutcomes(moves.map((m) => m.final.phase));
  return {
    source,
    from: minAt(records),
    to: maxAt(records),
    runs,
    passes,
    moves,
    runCalls,
    runErrors: runCalls.filter((c) => c.failed),
    runOperations: operationsOf(runCalls),
    totals: { moves: moves.length, runs: runs.length, calls: calls.length, errors: calls.filter((c) => c.failed).length, phases, outcomes },
    skippedLines: parsed.skipped,
  };
}

// Loops, not Math.min(...xs): a long rollout's journal has more lines than a call may take arguments.
function minAt(rs: readonly { readonly at: number }[]): number {
  let m = Infinity;
  for (const r of rs) if (r.at < m) m = r.at;
  return m;
}

function maxAt(rs: readonly { readonly at: number }[]): number {
  let m = -Infinity;
  for (const r of rs) if (r.at > m) m = r.at;
  return m;
}

function callView(r: HttpRecord, run: number | undefined): CallView {
  return {
    line: r.line,
    at: r.at,
    ...(run !== undefined ? { run } : {}),
    ...(r.move !== undefined ? { move: r.move } : {}),
    operation: r.operation,
    method: r.method,
    path: r.path,
    ...(r.status !== undefined ? { status: r.status } : {}),
    ...(r.error !== undefined ? { error: r.error } : {}),
    ...(r.requestId !== undefined ? { requestId: r.requestId } : {}),
    attempt: r.attempt,
    durationMs: r.durationMs,
    failed: r.error !== undefined || (r.status !== undefined && r.status >= 400),
  };
}

function operationsOf(calls: readonly CallView[]): OperationCount[] {
  const by = new Map<string, { method: string; operation: string; count: number; errors: number }>();
  for (const c of calls) {
    const k = `${c.method} ${c.operation}`;
    const o = by.get(k) ?? { method: c.method, operation: c.operation, count: 0, errors: 0 };
    o.count++;
    if (c.failed) o.errors++;
    by.set(k, o);
  }
  return [...by.values()];
}

interface RunBuilder {
  index: number;
  pid?: number;
  records: JournalRecord[];
  startedAt: number;
  moves: number;
  ended: boolean;
  exitCode?: number;
  outcome?: Record<string, number>;
}

/**
 * Splits the records into runs and other passes. A run is the records of one process (pid)
 * around its start event: the planning calls before it, everything up to its end event. Runs of
 * processes that overlapped in time interleave in the file; the pid keeps them apart.
 */
function splitRuns(records: readonly JournalRecord[]): { runs: RunView[]; passes: PassView[]; runOfLine: Map<number, number> } {
  const open = new Map<string, RunBuilder>();
  const pending = new Map<string, JournalRecord[]>();
  const builders: RunBuilder[] = [];
  const passes: PassView[] = [];
  const runOfLine = new Map<number, number>();
  const pidKey = (r: JournalRecord): string => (r.pid === undefined ? '-' : String(r.pid));
  const close = (k: string): void => {
    open.delete(k);
  };
  const flush = (k: string, kind: PassView['kind'], extra?: JournalRecord): void => {
    const rs = [...(pending.get(k) ?? []), ...(extra ? [extra] : [])];
    pending.delete(k);
    if (!rs.length) return;
    const calls = rs.filter((r): r is HttpRecord => r.type === 'http').map((r) => callView(r, undefined));
    const idle = rs.find((r) => r.type === 'idle');
    passes.push({
      kind,
      ...(rs[0].pid !== undefined ? { pid: rs[0].pid } : {}),
      from: minAt(rs),
      to: maxAt(rs),
      ...(idle?.type === 'idle' && idle.exitCode !== undefined ? { exitCode: idle.exitCode } : {}),
      calls: calls.length,
      errors: calls.filter((c) => c.failed).length,
      firstLine: rs[0].line,
      lastLine: rs[rs.length - 1].line,
    });
  };
  for (const r of records) {
    const k = pidKey(r);
    if (r.type === 'run' && r.event.phase === 'start') {
      close(k); // a run with no end record: its process died; this one is a new process with the same pid
      const b: RunBuilder = { index: builders.length + 1, records: [...(pending.get(k) ?? []), r], startedAt: r.at, moves: r.event.moves, ended: false };
      if (r.pid !== undefined) b.pid = r.pid;
      pending.delete(k);
      builders.push(b);
      open.set(k, b);
      continue;
    }
    const b = open.get(k);
    if (b) {
      b.records.push(r);
      if (r.type === 'run' && r.event.phase === 'end') {
        b.ended = true;
        if (r.event.exitCode !== undefined) b.exitCode = r.event.exitCode;
        if (r.event.outcome) b.outcome = { ...r.event.outcome };
        close(k);
      }
      continue;
    }
    if (r.type === 'idle') {
      flush(k, 'idle', r);
      continue;
    }
    const p = pending.get(k);
    if (p && r.at - p[p.length - 1].at > SAME_PASS_MS) flush(k, 'aborted');
    const list = pending.get(k) ?? [];
    list.push(r);
    pending.set(k, list);
  }
  for (const k of [...pending.keys()]) flush(k, 'aborted');
  const runs = builders.map((b): RunView => {
    for (const r of b.records) runOfLine.set(r.line, b.index);
    const calls = b.records.filter((r): r is HttpRecord => r.type === 'http');
    const failed = calls.filter((c) => c.error !== undefined || (c.status !== undefined && c.status >= 400)).length;
    const end = b.records.find((r) => r.type === 'run' && r.event.phase === 'end');
    return {
      index: b.index,
      ...(b.pid !== undefined ? { pid: b.pid } : {}),
      from: minAt(b.records),
      startedAt: b.startedAt,
      to: end ? end.at : maxAt(b.records),
      ended: b.ended,
      moves: b.moves,
      ...(b.exitCode !== undefined ? { exitCode: b.exitCode } : {}),
      ...(b.outcome ? { outcome: b.outcome } : {}),
      warnings: b.records.flatMap((r) => (r.type === 'run' && r.event.phase === 'warning' ? [{ at: r.at, message: r.event.message ?? '' }] : [])),
      outages: b.records.flatMap((r) => (r.type === 'run' && r.event.phase.startsWith('outage-') ? [{ at: r.at, kind: r.event.phase as RunView['outages'][number]['kind'], message: r.event.message ?? '' }] : [])),
      signals: b.records.flatMap((r) => (r.type === 'signal' ? [{ at: r.at, signal: r.signal, count: r.count }] : [])),
      calls: calls.length,
      errors: failed,
      firstLine: b.records[0].line,
      lastLine: b.records[b.records.length - 1].line,
    };
  });
  passes.sort((a, b) => a.firstLine - b.firstLine);
  return { runs, passes, runOfLine };
}

function moveView(
  key: string,
  evs: ReadonlyArray<{ e: MoveEvent; run?: number; line: number }>,
  runs: readonly RunView[],
  calls: readonly CallView[],
): MoveView {
  // Events of one run in the order the runner emitted them; the file order breaks ties of equal times.
  const sorted = [...evs].sort((a, b) => Date.parse(a.e.ts) - Date.parse(b.e.ts) || a.line - b.line);
  const segments = moveSegments(sorted, (run) => (run === undefined ? undefined : runs[run - 1]?.to));
  const all = sorted.map((x) => x.e);
  const lastEv = all[all.length - 1];
  const lastRun = sorted[sorted.length - 1].run;
  const lastDefined = <K extends keyof MoveEvent>(k: K): MoveEvent[K] | undefined => [...all].reverse().find((e) => e[k] !== undefined && e[k] !== null)?.[k];
  const servers = [...new Set(all.map((e) => e.server))];
  const check = lastDefined('check');
  const newServerId = lastEv.phase === 'done' || lastEv.phase === 'verifying' ? lastDefined('newServerId') : undefined;
  const destinationId = lastDefined('destinationId');
  const project = lastDefined('project');
  return {
    key,
    server: lastEv.server,
    ...(project ? { project } : {}),
    earlierServers: servers.filter((s) => s !== lastEv.server),
    ...(newServerId ? { newServerId } : {}),
    ...(destinationId ? { destinationId } : {}),
    from: lastEv.from,
    to: lastEv.to,
    final: {
      phase: lastEv.phase,
      outcome: outcomeOf(lastEv.phase),
      at: Date.parse(lastEv.ts),
      ...(lastRun !== undefined ? { run: lastRun } : {}),
      ...(lastEv.code !== undefined ? { code: lastEv.code } : {}),
      ...(lastEv.message !== undefined ? { message: lastEv.message } : {}),
      ...(lastEv.hint !== undefined ? { hint: lastEv.hint } : {}),
    },
    runs: [...new Set(sorted.flatMap((x) => (x.run === undefined ? [] : [x.run])))],
    first: Date.parse(all[0].ts),
    last: segments.reduce((m, s) => Math.max(m, s.to), -Infinity),
    segments,
    calls,
    errors: calls.filter((c) => c.failed),
    operations: operationsOf(calls),
    ...(check ? { check } : {}),
  };
}
