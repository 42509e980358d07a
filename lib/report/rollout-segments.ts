import { FINAL_PHASES, type MoveEvent, type MovePhase } from '../apply/events';
import { FAILED_OUTCOMES, outcomeOf, type Outcome } from '../apply/outcome';

/**
 * One move's time line as segments: the stretches of time it spent in each stage, run by run,
 * with the gaps between runs where no runner watched it. Pure.
 */

/** What a stretch of a move's time line shows. */
export type SegmentKind =
  /** Waiting for a slot under the limits. */
  | 'queued'
  /** Reading Manila, migration_check and migration_start until Manila shows the migration. */
  | 'check'
  /** Phase 1: the driver copies data. */
  | 'phase1'
  /** Phase 1 done; the switchover waits for the maintenance window. */
  | 'window'
  /** migration_complete sent, switchover running. */
  | 'completing'
  /** Checking shares, access rules and snapshots on the new server. */
  | 'verifying'
  | 'cancelling'
  /** Between two runs, after a run ended the move in a phase nothing happens in by itself. */
  | 'idle'
  /** The phase a run ended the move in (a point in time). */
  | 'final';

/** The colour of an outcome: green when done, red when it failed (blocked, failed, cancelled), amber while not over. */
export type Tone = 'done' | 'failed' | 'unfinished';

/** The colour of an outcome (lib/apply/outcome.ts counts and names them). */
export function toneOf(o: Outcome): Tone {
  return o === 'done' ? 'done' : FAILED_OUTCOMES.has(o) ? 'failed' : 'unfinished';
}

/** A stretch of one move's time line in one stage. */
export interface Segment {
  readonly kind: SegmentKind;
  /** Phases reported during it, in order (one for most). */
  readonly phases: readonly MovePhase[];
  /** Start, ms since the epoch. */
  readonly from: number;
  /** End; equal to `from` for `final`. */
  readonly to: number;
  /** Run (1-based) it belongs to; undefined between runs, where no process watched. */
  readonly run?: number;
  /** False between runs: Manila (or the clock) went on, but no runner was there to see it. */
  readonly watched: boolean;
  /** Why it waited, or what the runner said (distinct texts, in order). */
  readonly notes: readonly string[];
  /** For `final`: the outcome of its phase. */
  readonly outcome?: Outcome;
}

const KIND: Readonly<Record<MovePhase, SegmentKind>> = {
  queued: 'queued',
  observing: 'check',
  checking: 'check',
  starting: 'check',
  phase1: 'phase1',
  'phase1-done': 'phase1',
  completing: 'completing',
  verifying: 'verifying',
  cancelling: 'cancelling',
  done: 'final',
  blocked: 'final',
  failed: 'final',
  stale: 'final',
  conflict: 'final',
  'awaiting-completion': 'final',
  'awaiting-window': 'final',
  'timed-out': 'final',
  detached: 'final',
  cancelled: 'final',
};

/** The stage an event begins. */
function kindOf(e: MoveEvent): SegmentKind {
  // Phase 1 is done and a window holds the switchover back: that wait is the point of the report.
  if (e.phase === 'phase1-done' && e.waiting) return 'window';
  return KIND[e.phase];
}

/** What the time between two runs was, given where the earlier run left the move. */
function gapKindOf(e: MoveEvent): SegmentKind {
  if (e.phase === 'awaiting-window' || (e.phase === 'phase1-done' && e.waiting)) return 'window';
  const k = KIND[e.phase];
  // A migration left in flight (a `--no-wait` pass) goes on in Manila; anything final waits for the next run.
  return k === 'final' ? 'idle' : k;
}

interface SegmentBuilder {
  kind: SegmentKind;
  phases: MovePhase[];
  from: number;
  to: number;
  run?: number;
  watched: boolean;
  notes: string[];
  outcome?: Outcome;
}

/** Texts worth keeping on a segment: why it waits, what the runner said on the way. */
function notesOf(e: MoveEvent): string[] {
  return [e.waiting, FINAL_PHASES.has(e.phase) ? undefined : e.message].filter((s): s is string => Boolean(s));
}

/**
 * The segments of one move's time line from its events, sorted by time (the file order breaking
 * ties), each with the run it belongs to; `runEnd` tells when a run ended.
 */
export function moveSegments(sorted: ReadonlyArray<{ readonly e: MoveEvent; readonly run?: number }>, runEnd: (run?: number) => number | undefined): Segment[] {
  // Consecutive events of the same run form one appearance of the move.
  const appearances: Array<{ run?: number; evs: MoveEvent[] }> = [];
  for (const x of sorted) {
    const last = appearances[appearances.length - 1];
    if (last && last.run === x.run) last.evs.push(x.e);
    else appearances.push({ run: x.run, evs: [x.e] });
  }
  const segs: SegmentBuilder[] = [];
  const push = (s: SegmentBuilder): void => {
    const prev = segs[segs.length - 1];
    // Progress reports within one stage are one stretch, not dozens.
    if (prev && s.kind !== 'final' && prev.kind === s.kind && prev.run === s.run && prev.watched === s.watched && prev.to === s.from) {
      prev.to = s.to;
      for (const p of s.phases) if (!prev.phases.includes(p)) prev.phases.push(p);
      for (const n of s.notes) if (!prev.notes.includes(n)) prev.notes.push(n);
      return;
    }
    segs.push(s);
  };
  appearances.forEach((a, ai) => {
    const at = (e: MoveEvent): number => Date.parse(e.ts);
    for (let i = 0; i < a.evs.length - 1; i++) {
      const e = a.evs[i];
      const kind = kindOf(e);
      if (kind === 'final') {
        // A final phase followed by more events in the same run (a retry): mark it, then go on.
        push({ kind, phases: [e.phase], from: at(e), to: at(e), run: a.run, watched: true, notes: [], outcome: outcomeOf(e.phase) });
        continue;
      }
      push({ kind, phases: [e.phase], from: at(e), to: at(a.evs[i + 1]), run: a.run, watched: true, notes: notesOf(e) });
    }
    const last = a.evs[a.evs.length - 1];
    let end = at(last);
    if (FINAL_PHASES.has(last.phase)) {
      push({ kind: 'final', phases: [last.phase], from: end, to: end, run: a.run, watched: true, notes: [], outcome: outcomeOf(last.phase) });
    } else {
      // The run stopped reporting the move (a `--no-wait` pass, or the process ended): it stood there until the run ended.
      end = Math.max(end, runEnd(a.run) ?? end);
      push({ kind: kindOf(last), phases: [last.phase], from: at(last), to: end, run: a.run, watched: true, notes: notesOf(last) });
    }
    const next = appearances[ai + 1];
    if (next) {
      const nextAt = at(next.evs[0]);
      if (nextAt > end) push({ kind: gapKindOf(last), phases: [last.phase], from: end, to: nextAt, watched: false, notes: last.waiting ? [last.waiting] : [] });
    }
  });
  return segs.map((s) => ({ ...s, phases: [...s.phases], notes: [...s.notes] }));
}
