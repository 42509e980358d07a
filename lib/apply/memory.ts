import type { MigrationCheckResult, ShareServer } from '../manila/types';
import type { MigrateEntry, ResumeEntry } from '../plan/types';
import type { Verification } from './verify';

/**
 * What one run remembers of a move between two passes. None of it is the truth: every
 * decision starts from what Manila shows now. The memory only holds what Manila cannot say
 * (this run sent a start whose answer was lost, the last `migration_check` answer, when a
 * state began as this run saw it), and it is gone when the process ends: a rerun starts with
 * an empty memory and reaches the same decisions from Manila's records.
 */

/** A state-changing call this run sent, and how it went. */
export interface SentCall {
  readonly at: number;
  /** Set when the call failed; `ambiguous` when it may have been applied (timeout, reset, 5xx). */
  readonly error?: { readonly code: string; readonly message: string; readonly hint: string; readonly ambiguous: boolean };
}

/** The run's memory of one move. */
export interface MoveMemory {
  /** The run began watching it. */
  readonly since: number;
  /** It first left the queue in this run (for `elapsed`). */
  readonly begunAt?: number;
  /** The first observation of this run was decided on. */
  readonly observed: boolean;
  /** This run saw the migration in flight, or its start accepted: a return to `active` is then a failure or a cancel. */
  readonly seenInFlight: boolean;
  /** The destination record, once seen (its host does not change while the migration runs). */
  readonly destination?: ShareServer;
  /** Destination id from `migration_complete` or the destination record. */
  readonly destinationId?: string;
  /** The last `migration_check` answer (or its error) for this move. */
  readonly check?: { readonly at: number; readonly result?: MigrationCheckResult; readonly error?: SentCall['error'] };
  readonly start?: SentCall;
  readonly complete?: SentCall;
  readonly cancel?: SentCall;
  /** The stage as this run last saw it, and since when. */
  readonly stage?: { readonly kind: string; readonly since: number };
  /** `status/task_state/host/id` last seen, to tell when something changed. */
  readonly signature?: string;
  readonly lastChangeAt: number;
  readonly verifySince?: number;
  readonly verification?: Verification;
  readonly progress?: number;
  readonly progressAt?: number;
  /** Why it waits to start (the limit), when queued. */
  readonly waiting?: string;
  /** Each share's export locations before the switchover, by share id. */
  readonly exportsBefore?: Readonly<Record<string, readonly string[]>>;
  /** What Manila showed of the shares during phase 1: rules cast read-only or not. */
  readonly readOnlyInPhase1?: boolean;
  /** That was asked just before the switchover (answered or not): the complete no longer waits for it. */
  readonly readOnlyAskedBeforeComplete?: boolean;
  /** When to read it again. */
  readonly nextPollAt: number;
  /** The last phase reported. */
  readonly phase: string;
  /** The last message reported. */
  readonly message?: string;
}

/** A move of the plan with the run's memory of it. */
export interface TrackedMove {
  readonly entry: MigrateEntry | ResumeEntry;
  readonly memory: MoveMemory;
}

/** A move as the reconcile loop holds it: the plan's entry, the memory, and what reading it taught. */
export interface LoopMove {
  readonly entry: MigrateEntry | ResumeEntry;
  memory: MoveMemory;
  /** Reads of it in a row that failed for a moment. */
  readFailures: number;
  /** When those failures began. */
  failingSince?: number;
  /** Its source record was seen gone. */
  sourceGone?: boolean;
}

/** The memory of a move the run has not looked at yet. */
export function freshMemory(now: number): MoveMemory {
  return { since: now, observed: false, seenInFlight: false, lastChangeAt: now, nextPollAt: now, phase: 'queued' };
}
