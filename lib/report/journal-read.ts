import { z } from 'zod';
import type { Exchange } from '../manila/http';
import type { MoveEvent, MovePhase, RunEvent } from '../apply/events';
import { InputError } from '../errors';

/**
 * Reads the apply journal (`.manila-placement/journal.jsonl`) back into typed records, for the
 * report only: the runner never reads it to decide anything. Every known record kind is checked
 * against the shape apply writes; record kinds this version does not know are skipped, so a
 * journal from a newer manila-placement still renders what it can.
 */

/**
 * Every move phase, once. Typed as a record over `MovePhase` so that a phase added to
 * lib/apply/events.ts fails compilation here instead of failing validation at run time.
 */
const PHASES: Readonly<Record<MovePhase, true>> = {
  queued: true,
  observing: true,
  checking: true,
  starting: true,
  phase1: true,
  'phase1-done': true,
  completing: true,
  verifying: true,
  cancelling: true,
  done: true,
  blocked: true,
  failed: true,
  stale: true,
  conflict: true,
  'awaiting-completion': true,
  'awaiting-window': true,
  'timed-out': true,
  detached: true,
  cancelled: true,
};
const phaseSchema = z.enum(Object.keys(PHASES) as [MovePhase, ...MovePhase[]]);

// The journal writes `new Date().toISOString()`; any ISO 8601 time with an offset is accepted.
const isoTime = z.iso.datetime({ offset: true });

const moveEventSchema = z.object({
  type: z.literal('move'),
  ts: isoTime,
  key: z.string().min(1),
  server: z.string(),
  project: z.object({ id: z.string(), name: z.string().optional() }).optional(),
  from: z.string(),
  to: z.string(),
  phase: phaseSchema,
  taskState: z.string().nullable().optional(),
  progress: z.number().optional(),
  elapsed: z.number(),
  message: z.string().optional(),
  hint: z.string().optional(),
  code: z.string().optional(),
  newServerId: z.string().optional(),
  destinationId: z.string().optional(),
  check: z.object({ requested: z.record(z.string(), z.unknown()), supported: z.record(z.string(), z.unknown()) }).optional(),
  waiting: z.string().optional(),
});

const runEventSchema = z.object({
  type: z.literal('run'),
  ts: isoTime,
  phase: z.enum(['start', 'end', 'warning', 'outage-begun', 'outage-ended', 'outage-limit']),
  moves: z.number(),
  message: z.string().optional(),
  outage: z
    .object({
      lastSeenAt: isoTime,
      since: isoTime,
      endedAt: isoTime.optional(),
      seconds: z.number(),
      failedReads: z.number(),
      error: z.object({ code: z.string(), message: z.string() }),
      waiting: z.array(z.object({ key: z.string(), server: z.string(), phase: z.string() })),
    })
    .optional(),
  outcome: z.record(z.string(), z.number()).optional(),
  exitCode: z.number().optional(),
});

const base = { ts: isoTime, pid: z.number().int().optional() };

const httpSchema = z.object({
  ...base,
  type: z.literal('http'),
  move: z.string().optional(),
  operation: z.string(),
  method: z.string(),
  path: z.string(),
  status: z.number().int().optional(),
  requestId: z.string().optional(),
  attempt: z.number().int(),
  durationMs: z.number(),
  error: z.string().optional(),
});

const eventSchema = z.object({ ...base, type: z.literal('event'), event: z.discriminatedUnion('type', [moveEventSchema, runEventSchema]) });

const signalSchema = z.object({ ...base, type: z.literal('signal'), signal: z.string(), count: z.number().int() });

// Written by apply itself (not by the runner) when the plan had nothing to do.
const idleSchema = z.object({ ...base, type: z.literal('run'), phase: z.literal('end'), moves: z.number(), exitCode: z.number().optional() });

const KNOWN = { http: httpSchema, event: eventSchema, signal: signalSchema, run: idleSchema } as const;

/** What every record carries: where it is in the file, when and by which process it was written. */
interface RecordBase {
  /** 1-based line number in the journal, for messages and for the reader to look it up. */
  readonly line: number;
  /** ISO time the line was written. */
  readonly ts: string;
  /** `ts` in ms since the epoch. */
  readonly at: number;
  /** Process that wrote it (one apply run); absent in hand-made journals. */
  readonly pid?: number;
}

/** One API call (or a call that got no answer: `error` set, no `status`). */
export interface HttpRecord extends RecordBase, Exchange {
  readonly type: 'http';
  /** Plan entry key of the move the call was made for; absent for run-level calls. */
  readonly move?: string;
}

/** A runner event about one move. */
export interface MoveRecord extends RecordBase {
  readonly type: 'move';
  readonly event: MoveEvent;
}

/** A runner event about the whole run (start, end, warning). */
export interface RunRecord extends RecordBase {
  readonly type: 'run';
  readonly event: RunEvent;
}

/** SIGINT/SIGTERM received by apply (the first detaches, the second exits). */
export interface SignalRecord extends RecordBase {
  readonly type: 'signal';
  readonly signal: string;
  readonly count: number;
}

/** An apply pass whose plan had nothing to do ("Nothing to apply"): no run was started. */
export interface IdleRecord extends RecordBase {
  readonly type: 'idle';
  readonly exitCode?: number;
}

/** Any record the report understands. */
export type JournalRecord = HttpRecord | MoveRecord | RunRecord | SignalRecord | IdleRecord;

/** The parsed journal. */
export interface ParsedJournal {
  /** Known records, in file order. */
  readonly records: readonly JournalRecord[];
  /** Lines of a record kind this version does not know (skipped). */
  readonly skipped: number;
}

const FIX_FILE = 'Pass the journal apply wrote (--journal of apply, by default .manila-placement/journal.jsonl), unedited.';

/**
 * Parses and validates journal text. `source` names the file in errors.
 * @throws InputError `MP_JOURNAL_NOT_JSON` (a line is not JSON), `MP_JOURNAL_INVALID` (a line is
 *   JSON but not a journal record) or `MP_JOURNAL_NO_RUN` (no run started in it).
 */
export function parseJournal(text: string, source: string): ParsedJournal {
  const records: JournalRecord[] = [];
  let skipped = 0;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i].trim();
    if (!raw) continue; // the final newline, or blank lines added by hand
    const line = i + 1;
    let doc: unknown;
    try {
      doc = JSON.parse(raw);
    } catch (e) {
      // The journal writes whole lines; a cut line means a full disk, a copy taken mid-write, or an edit.
      const last = lines.slice(i + 1).every((l) => !l.trim());
      throw new InputError(
        'MP_JOURNAL_NOT_JSON',
        `${source} line ${line} is not JSON (${(e as Error).message}): a journal holds one JSON object per line.`,
        last
          ? `It is the last line: if the file was copied while apply was writing, or the disk filled up, remove that line and run report again. ${FIX_FILE}`
          : FIX_FILE,
      );
    }
    const type = doc && typeof doc === 'object' && !Array.isArray(doc) ? (doc as { type?: unknown }).type : undefined;
    if (typeof type !== 'string') {
      throw new InputError('MP_JOURNAL_INVALID', `${source} line ${line} is not a journal record: it has no "type".`, FIX_FILE);
    }
    const schema = KNOWN[type as keyof typeof KNOWN];
    if (!schema) {
      skipped++;
      continue;
    }
    const r = schema.safeParse(doc);
    if (!r.success) {
      const issue = r.error.issues[0];
      throw new InputError(
        'MP_JOURNAL_INVALID',
        `${source} line ${line} is not a valid "${type}" record: ${issue.path.join('.') || '(top level)'}: ${issue.message}.`,
        `The line was edited, or the journal is from another version of manila-placement. ${FIX_FILE}`,
      );
    }
    records.push(toRecord(r.data, line));
  }
  if (!records.some((r) => r.type === 'run' && r.event.phase === 'start')) {
    throw new InputError(
      'MP_JOURNAL_NO_RUN',
      records.length || skipped
        ? `${source} holds no run: no line records the start of an apply run ({"type":"event","event":{"type":"run","phase":"start"}}).`
        : `${source} is empty: it holds no run.`,
      'A run is journalled once apply has planned and been approved. Pass the journal of an apply that started moving servers (see --journal of apply).',
    );
  }
  return { records, skipped };
}

type Parsed = z.infer<(typeof KNOWN)[keyof typeof KNOWN]>;

function toRecord(d: Parsed, line: number): JournalRecord {
  const common = { line, ts: d.ts, at: Date.parse(d.ts), ...(d.pid !== undefined ? { pid: d.pid } : {}) };
  switch (d.type) {
    case 'http': {
      const { ts: _ts, pid: _pid, ...rest } = d;
      return { ...rest, ...common };
    }
    case 'event': {
      // The event's own time is when the runner decided; it is the one shown.
      const at = { ...common, ts: d.event.ts, at: Date.parse(d.event.ts) };
      return d.event.type === 'move' ? { type: 'move', ...at, event: d.event as MoveEvent } : { type: 'run', ...at, event: d.event as RunEvent };
    }
    case 'signal':
      return { type: 'signal', ...common, signal: d.signal, count: d.count };
    case 'run':
      return { type: 'idle', ...common, ...(d.exitCode !== undefined ? { exitCode: d.exitCode } : {}) };
  }
}
