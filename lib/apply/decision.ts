import type { MigrationParams } from '../manila/types';
import type { InFlightCounts } from './admission';
import type { MoveEvent, MovePhase } from './events';
import type { MoveMemory, SentCall } from './memory';
import type { MovePolicy } from './options';
import type { Observation } from './stage';

/** The vocabulary of decide: what a move may do next, what a decision carries, and drafts. */

/** How a move ends in this run. */
export interface Outcome {
  readonly phase: MovePhase;
  readonly code?: string;
  readonly message?: string;
  readonly hint?: string;
  readonly newServerId?: string;
  readonly check?: MoveEvent['check'];
  readonly exportLocations?: MoveEvent['exportLocations'];
  readonly readOnly?: MoveEvent['readOnly'];
}

/** Reads that tell the tenants what a move does (never a decision): export locations before the switchover, the read-only cast during phase 1. */
export type ImpactRead = 'exports-before' | 'read-only';

/** The next step of one move. */
export type Action =
  /** Nothing to do until it is read again (`memory.nextPollAt`). */
  | { readonly kind: 'leave' }
  /** Wants to start and waits for a free slot (`needsCounts`: the run must list what is in flight first). */
  | { readonly kind: 'queue'; readonly needsCounts: boolean }
  | { readonly kind: 'check'; readonly params: MigrationParams }
  /** Start, if admission under the lock agrees. */
  | { readonly kind: 'start'; readonly params: MigrationParams }
  | { readonly kind: 'complete' }
  | { readonly kind: 'cancel' }
  /** One round of checks on the destination: shares, rules, snapshots, old record gone. */
  | { readonly kind: 'verify'; readonly destination: { readonly id: string; readonly host: string } }
  /** The move is over for this run. */
  | { readonly kind: 'finish'; readonly outcome: Outcome };

/** What the runner reports about a move, when something changed. */
export type EventDraft = Omit<MoveEvent, 'type' | 'ts' | 'key' | 'server' | 'from' | 'to' | 'elapsed'>;

/** One decision. */
export interface Decision {
  readonly key: string;
  readonly action: Action;
  /** The memory after this decision. */
  readonly memory: MoveMemory;
  /** Ask `migration_get_progress` for the display (never for a decision). */
  readonly progress: boolean;
  /** Read what the move does to the shares' users. */
  readonly reads: readonly ImpactRead[];
  /** Report this (a phase or task state changed, or there is something to say). */
  readonly event?: EventDraft;
}

/** What one pass read from Manila. */
export interface PassObservation {
  /** Fresh observations of the moves read this pass, by key; moves not read are left alone. */
  readonly moves: ReadonlyMap<string, Observation>;
  /** Migrations in flight in the cloud, when the pass listed the share servers. */
  readonly inFlight?: InFlightCounts;
  /** Ctrl-C: start nothing, detach from the rest. */
  readonly detached?: boolean;
  /**
   * When this pass's reads were sent. The next poll is timed from it, not from when the
   * answers came back, so a poll every 2 s is one every 2 s and not every 2 s plus the
   * list's own time. @default the `now` passed to `decide`
   */
  readonly readAt?: number;
}

/** How long rules may stay queued_to_apply after a read-only phase 1 before the move says why. */
export const RULES_SETTLE_MS = 30_000;

export function secs(ms: number): number {
  return Math.round(ms / 1000);
}

/** Within the window after an ambiguous call: keep watching before calling it not applied. */
export function watching(call: SentCall | undefined, now: number, p: MovePolicy): boolean {
  return call?.error?.ambiguous === true && now - call.at < p.ambiguityWindowMs;
}

export interface Draft {
  action: Action;
  phase: MovePhase;
  event?: Partial<EventDraft>;
  progress?: boolean;
  /** Poll again at the base interval (something is about to happen). */
  soon?: boolean;
  /** Poll again at this time at the latest. */
  until?: number;
  memory?: Partial<MoveMemory>;
  /** Wants a start slot. */
  wantsSlot?: boolean;
  /** What Manila showed, to tell when something changed (set when the move was read). */
  signature?: string;
  reads?: ImpactRead[];
}

export const finish = (o: Outcome): Draft => ({
  action: { kind: 'finish', outcome: o },
  phase: o.phase,
  event: {
    code: o.code,
    message: o.message,
    hint: o.hint,
    newServerId: o.newServerId,
    check: o.check,
    exportLocations: o.exportLocations,
    readOnly: o.readOnly,
  },
});

/** Parses Manila's `updated_at` (UTC, often without a zone). */
export function manilaTime(t: string | undefined): number | undefined {
  if (!t) return undefined;
  const ms = Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(t) ? t : `${t}Z`);
  return Number.isFinite(ms) ? ms : undefined;
}
