import { plural } from '../util/plural';
import type { MovePhase } from './events';

/**
 * How a move ended (or where it stands), as every summary counts it: the report's header and
 * rows, and apply's exit summary. One reading of the phases, so that the three agree. Pure.
 */
export type Outcome =
  /** Never started: Manila's check, the plan or another migration stands in the way; nothing changed. */
  | 'blocked'
  /** Tried, and it went wrong (or the server is gone or stuck). */
  | 'failed'
  /** Cancelled on a deadline. */
  | 'cancelled'
  /** Phase 1 is done; the switchover waits for a person (`--complete`) or a maintenance window. */
  | 'waiting'
  /** Not over: a pass stopped watching it, a deadline passed with the migration left running, or a detach. A later run carries it on. */
  | 'unfinished'
  | 'done';

/** Every phase's outcome; a record over `MovePhase`, so that a new phase fails compilation until it is classed. */
const OUTCOME_OF_PHASE: Readonly<Record<MovePhase, Outcome>> = {
  queued: 'unfinished',
  observing: 'unfinished',
  checking: 'unfinished',
  starting: 'unfinished',
  phase1: 'unfinished',
  'phase1-done': 'unfinished',
  completing: 'unfinished',
  verifying: 'unfinished',
  cancelling: 'unfinished',
  done: 'done',
  blocked: 'blocked',
  failed: 'failed',
  stale: 'blocked',
  conflict: 'blocked',
  'awaiting-completion': 'waiting',
  'awaiting-window': 'waiting',
  'timed-out': 'unfinished',
  detached: 'unfinished',
  cancelled: 'cancelled',
};

/** In the order summaries list them: what needs a person first. */
export const OUTCOMES: readonly Outcome[] = ['blocked', 'failed', 'cancelled', 'waiting', 'unfinished', 'done'];

/** How summaries name each outcome. */
export const OUTCOME_WORD: Readonly<Record<Outcome, string>> = {
  blocked: 'blocked',
  failed: 'failed',
  cancelled: 'cancelled',
  waiting: 'waiting',
  unfinished: 'not finished',
  done: 'done',
};

/** Outcomes that count as a failure of the move (exit code 3, a red mark, a `failed` notification). */
export const FAILED_OUTCOMES: ReadonlySet<Outcome> = new Set<Outcome>(['blocked', 'failed', 'cancelled']);

/** True for a phase this version knows (a journal from a newer one may hold others). */
export function isMovePhase(s: string): s is MovePhase {
  return Object.prototype.hasOwnProperty.call(OUTCOME_OF_PHASE, s);
}

/** The outcome of a move that ended (or stands) in `phase`. */
export function outcomeOf(phase: MovePhase): Outcome {
  return OUTCOME_OF_PHASE[phase];
}

/** Phases whose outcome is one of `outcomes`. */
export function phasesOf(outcomes: ReadonlySet<Outcome>): ReadonlySet<MovePhase> {
  return new Set((Object.keys(OUTCOME_OF_PHASE) as MovePhase[]).filter((p) => outcomes.has(OUTCOME_OF_PHASE[p])));
}

/** What a row says of a move: its outcome, and its phase where that says more (`blocked`, `blocked (stale)`, `waiting (awaiting-window)`). */
export function outcomeLabel(phase: MovePhase): string {
  const word = OUTCOME_WORD[outcomeOf(phase)];
  return word === phase ? word : `${word} (${phase})`;
}

/** Moves per outcome, every outcome present (0 when none). */
export function countOutcomes(phases: Iterable<MovePhase>): Record<Outcome, number> {
  const n: Record<Outcome, number> = { blocked: 0, failed: 0, cancelled: 0, waiting: 0, unfinished: 0, done: 0 };
  for (const p of phases) n[outcomeOf(p)]++;
  return n;
}

/** `['1 blocked', '1 failed', '15 done']`: each outcome apart, in the order of `OUTCOMES`, none that is 0. */
export function outcomeParts(counts: Readonly<Record<Outcome, number>>): string[] {
  return OUTCOMES.filter((o) => counts[o] > 0).map((o) => `${counts[o]} ${OUTCOME_WORD[o]}`);
}

/** `18 moves: 1 blocked, 1 failed, 1 cancelled, 15 done`; `1 move: 1 done`; `0 moves`. */
export function outcomeSummary(counts: Readonly<Record<Outcome, number>>): string {
  const total = OUTCOMES.reduce((s, o) => s + counts[o], 0);
  const parts = outcomeParts(counts);
  return `${plural(total, 'move')}${parts.length ? `: ${parts.join(', ')}` : ''}`;
}
