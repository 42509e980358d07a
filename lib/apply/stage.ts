import type { ShareServer } from '../manila/types';
import {
  isCancelling,
  isCompleting,
  isIdle,
  isInFlightTaskState,
  isInPhase1,
  isMigrationSource,
  isPhase1Done,
  isRetiredSource,
  SERVER_STATUS,
} from '../manila/server-state';

/** What Manila shows of one move, read fresh. */
export interface Observation {
  /** The server the move follows, or `undefined` when Manila answers 404. */
  readonly source?: ShareServer;
  /** When the source is gone (or retired after success): the server that replaced it. */
  readonly successor?: ShareServer;
  /** The in-flight destination (`server_migrating_to`), if any. */
  readonly destination?: ShareServer;
  /** Destinations left in `error` by a failed migration of the source (for the hint). */
  readonly leftovers?: readonly string[];
}

/** Stages in which the move's migration holds a slot of every limit (Manila counts it in flight). */
export const IN_FLIGHT_STAGES: ReadonlySet<string> = new Set(['phase1', 'phase1-done', 'completing', 'cancelling']);

/** Where a move stands, derived only from Manila's state. */
export type Stage =
  | { readonly kind: 'ready'; readonly server: ShareServer }
  | { readonly kind: 'at-target'; readonly server: ShareServer }
  | { readonly kind: 'phase1'; readonly server: ShareServer; readonly destination?: ShareServer }
  | { readonly kind: 'phase1-done'; readonly server: ShareServer; readonly destination?: ShareServer }
  | { readonly kind: 'completing'; readonly server: ShareServer; readonly destination?: ShareServer }
  | { readonly kind: 'cancelling'; readonly server: ShareServer }
  | { readonly kind: 'elsewhere'; readonly server: ShareServer; readonly destinationHost?: string }
  | { readonly kind: 'moved-elsewhere'; readonly server: ShareServer }
  | { readonly kind: 'stuck'; readonly server: ShareServer; readonly why: string }
  | { readonly kind: 'gone' };

/**
 * Classifies an observation for a move toward `target`. Pure: the same observation always gives
 * the same stage, so a rerun after a crash picks up exactly where Manila is.
 */
export function classify(obs: Observation, target: string): Stage {
  const s = obs.source;
  if (!s || isRetiredSource(s)) {
    const next = obs.successor;
    if (!next) return s ? { kind: 'completing', server: s } : { kind: 'gone' };
    if (next.status === SERVER_STATUS.active && next.host === target && !isCompleting(next)) return { kind: 'at-target', server: next };
    if (next.status === SERVER_STATUS.active) return { kind: 'moved-elsewhere', server: next };
    return { kind: 'completing', server: s ?? next, destination: next };
  }
  if (isMigrationSource(s)) {
    const d = obs.destination;
    if (d && d.host !== target) return { kind: 'elsewhere', server: s, destinationHost: d.host };
    if (isPhase1Done(s)) return { kind: 'phase1-done', server: s, destination: d };
    if (isCompleting(s)) return { kind: 'completing', server: s, destination: d };
    if (isCancelling(s)) return { kind: 'cancelling', server: s };
    if (isInPhase1(s)) return { kind: 'phase1', server: s, destination: d };
    return { kind: 'stuck', server: s, why: `status server_migrating with task_state ${s.taskState ?? 'null'}` };
  }
  if (isIdle(s)) {
    if (isCompleting(s)) return { kind: 'completing', server: s };
    // A share whose migration is being cancelled is `available` again a moment before its task
    // state says so (share/manager.py migration_cancel sets the instance status first; seen on
    // Epoxy): still winding down, not a failure.
    if (s.resource === 'share' && isInFlightTaskState(s.taskState)) return { kind: 'cancelling', server: s };
    if (s.host === target) return { kind: 'at-target', server: s };
    return { kind: 'ready', server: s };
  }
  return { kind: 'stuck', server: s, why: `status ${s.status}${s.taskState ? ` with task_state ${s.taskState}` : ''}` };
}
