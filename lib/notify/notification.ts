import type { MoveEvent, RunEvent, RunnerEvent } from '../apply/events';
import type { OutageRecord } from '../apply/outage';
import { FAILED_PHASES } from '../apply/result';

/**
 * The notifications a run sends, and which runner events become one. Pure: the schema is
 * documented in docs/notifications.md, and `schema` changes with any incompatible change.
 */

/** The schema's name and version, in every body. */
export const NOTIFICATION_SCHEMA = 'manila-placement/notification/v1';

/** What happened. */
export type NotificationEvent = 'waiting-for-window' | 'move-failed' | 'outage-begun' | 'outage-ended' | 'outage-limit' | 'run-finished';

/** One notification (the JSON body of the default format). Never a token, password or secret. */
export interface Notification {
  readonly schema: typeof NOTIFICATION_SCHEMA;
  readonly event: NotificationEvent;
  /** ISO time of the runner event. */
  readonly at: string;
  /** The cloud as clouds.yaml names it (or its Keystone URL without credentials). */
  readonly cloud: string;
  /** The machine and process that ran it. */
  readonly runner: { readonly host: string; readonly pid: number; readonly mode: 'apply' | 'apply --no-wait' };
  /** One line a person reads. */
  readonly text: string;
  /** waiting-for-window, move-failed: the move. */
  readonly move?: {
    readonly key: string;
    readonly server: string;
    readonly from: string;
    readonly to: string;
    readonly phase: string;
    readonly code?: string;
    readonly message?: string;
    readonly hint?: string;
    readonly waiting?: string;
  };
  /** outage-*: when Manila was last seen, how long, what was waiting. */
  readonly outage?: OutageRecord;
  /** run-finished: moves per final phase, the exit code, where the journal is and how to make the report. */
  readonly run?: {
    readonly moves: number;
    readonly outcome: Readonly<Record<string, number>>;
    readonly exitCode?: number;
    readonly journal?: string;
    readonly report?: string;
  };
}

/** What every notification of a run shares. */
export interface NotificationContext {
  readonly cloud: string;
  readonly runner: Notification['runner'];
  readonly journal?: string;
}

function moveOf(e: MoveEvent): NonNullable<Notification['move']> {
  const optional = { code: e.code, message: e.message, hint: e.hint, waiting: e.waiting };
  const present = Object.fromEntries(Object.entries(optional).filter(([, v]) => v !== undefined && v !== ''));
  return { key: e.key, server: e.server, from: e.from, to: e.to, phase: e.phase, ...present };
}

const count = (n: number, one: string): string => `${n} ${one}${n === 1 ? '' : 's'}`;

function finished(e: RunEvent, ctx: NotificationContext): Notification['run'] {
  const outcome = e.outcome ?? {};
  return {
    moves: Object.values(outcome).reduce((a, b) => a + b, 0),
    outcome,
    ...(e.exitCode !== undefined ? { exitCode: e.exitCode } : {}),
    ...(ctx.journal ? { journal: ctx.journal, report: `manila-placement report --journal ${ctx.journal}` } : {}),
  };
}

/**
 * Turns runner events into notifications: each move's wait for a window once per window, each
 * failure once, each outage's beginning and end, and the end of the run.
 */
export class NotificationFilter {
  private readonly waitingSent = new Map<string, string>();
  private readonly failedSent = new Set<string>();

  constructor(private readonly ctx: NotificationContext) {}

  /** The notification this event calls for, if any. */
  public of(e: RunnerEvent): Notification | undefined {
    const base = { schema: NOTIFICATION_SCHEMA, at: e.ts, cloud: this.ctx.cloud, runner: this.ctx.runner } as const;
    if (e.type === 'move') {
      const opens = e.waiting?.startsWith('window opens') ? e.waiting : e.phase === 'awaiting-window' ? (e.message ?? 'the window is closed') : undefined;
      if (opens && this.waitingSent.get(e.key) !== opens) {
        this.waitingSent.set(e.key, opens);
        return { ...base, event: 'waiting-for-window', text: `${e.server} (${e.from} → ${e.to}): phase 1 done, the switchover waits: ${opens}`, move: moveOf(e) };
      }
      if (FAILED_PHASES.has(e.phase) && !this.failedSent.has(e.key)) {
        this.failedSent.add(e.key);
        return { ...base, event: 'move-failed', text: `${e.server} (${e.from} → ${e.to}) ${e.phase}${e.code ? ` [${e.code}]` : ''}: ${e.message ?? ''}${e.hint ? ` Hint: ${e.hint}` : ''}`, move: moveOf(e) };
      }
      return undefined;
    }
    if (e.phase === 'outage-begun' || e.phase === 'outage-ended' || e.phase === 'outage-limit') {
      return { ...base, event: e.phase, text: e.message ?? e.phase, ...(e.outage ? { outage: e.outage } : {}) };
    }
    if (e.phase === 'end') {
      const run = finished(e, this.ctx)!;
      const parts = Object.entries(run.outcome).map(([p, n]) => `${n} ${p}`).join(', ');
      const text = `run finished on ${this.ctx.cloud}: ${count(run.moves, 'move')}${parts ? ` (${parts})` : ''}, exit ${run.exitCode ?? '?'}${run.report ? `; report: ${run.report}` : ''}`;
      return { ...base, event: 'run-finished', text, run };
    }
    return undefined;
  }
}
