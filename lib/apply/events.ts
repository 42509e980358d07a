import type { OutageRecord } from './outage';

/**
 * What the runner reports while it works. One stream of these drives the TTY display, the
 * JSON-lines output and the journal.
 */

/** Where a move stands. */
export type MovePhase =
  | 'queued'
  | 'observing'
  | 'checking'
  | 'starting'
  | 'phase1'
  | 'phase1-done'
  | 'completing'
  | 'verifying'
  | 'cancelling'
  // final phases:
  | 'done'
  | 'blocked'
  | 'failed'
  | 'stale'
  | 'conflict'
  | 'awaiting-completion'
  | 'awaiting-window'
  | 'timed-out'
  | 'detached'
  | 'cancelled';

/** Phases after which a move does nothing more in this run. */
export const FINAL_PHASES: ReadonlySet<MovePhase> = new Set([
  'done',
  'blocked',
  'failed',
  'stale',
  'conflict',
  'awaiting-completion',
  'awaiting-window',
  'timed-out',
  'detached',
  'cancelled',
]);

/** A change of a move's phase, or progress within one. */
export interface MoveEvent {
  readonly type: 'move';
  /** ISO time. */
  readonly ts: string;
  /** Plan entry key. */
  readonly key: string;
  /** Server id as the plan saw it. */
  readonly server: string;
  /** The project that owns the server, named when the snapshot had its name (on the first event of a move). */
  readonly project?: { readonly id: string; readonly name?: string };
  readonly from: string;
  readonly to: string;
  readonly phase: MovePhase;
  /** Manila's task_state, when read. */
  readonly taskState?: string | null;
  /** 0-100 from migration_get_progress. */
  readonly progress?: number;
  /** Seconds since this move began in this run. */
  readonly elapsed: number;
  readonly message?: string;
  /** What to do (final phases other than done). */
  readonly hint?: string;
  /** Error code for blocked/failed/stale. */
  readonly code?: string;
  /** The new share server id (done). */
  readonly newServerId?: string;
  /** Destination server id, once known. */
  readonly destinationId?: string;
  /** Requested vs supported capabilities when migration_check said no. */
  readonly check?: { readonly requested: Readonly<Record<string, unknown>>; readonly supported: Readonly<Record<string, unknown>> };
  /** Why a queued move waits (the limit that holds it back), or when a window opens. */
  readonly waiting?: string;
  /** Each share's export locations: before the switchover, and after once the move is done. */
  readonly exportLocations?: ReadonlyArray<ShareExports>;
  /** Manila's read-only cast of the shares' rules: seen during phase 1, and whether it was lifted after. */
  readonly readOnly?: { readonly duringPhase1?: boolean; readonly restored?: boolean };
}

/** A share's export locations around a move. */
export interface ShareExports {
  readonly shareId: string;
  readonly name?: string;
  readonly before?: readonly string[];
  readonly after?: readonly string[];
  /** The clients must remount: the paths after differ from those before. */
  readonly changed?: boolean;
}

/** Start and end of a whole run, and warnings about the cloud (e.g. limits already exceeded). */
export interface RunEvent {
  readonly type: 'run';
  readonly ts: string;
  readonly phase: 'start' | 'end' | 'warning' | 'outage-begun' | 'outage-ended' | 'outage-limit';
  readonly moves: number;
  readonly message?: string;
  /** Outage events: when Manila was last seen, how long, what was waiting. */
  readonly outage?: OutageRecord;
  /** At the end: final phase counts. */
  readonly outcome?: Readonly<Record<string, number>>;
  readonly exitCode?: number;
}

/** Anything the runner reports. */
export type RunnerEvent = MoveEvent | RunEvent;
