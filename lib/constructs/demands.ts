import type { MigrationFlags } from '../manila/types';
import type { Completion } from '../plan/types';
import { windowProblem, type CompletionWindow } from '../plan/window';
import { badCompletion, badWindow, notBoolean } from './errors';

/** What every declaration demands of its migrations, and how they finish. */
export interface MigrationDemands {
  /**
   * Shares must stay writable during phase 1. A demand: Manila fails the move unless the driver can.
   * @default false
   */
  readonly writable?: boolean;
  /**
   * Clients must see no disruption at all (no new export locations). A demand.
   * @default false
   */
  readonly nondisruptive?: boolean;
  /**
   * Snapshots must move with the shares. A demand.
   * @default false
   */
  readonly preserveSnapshots?: boolean;
  /**
   * How a migration finishes once phase 1 is done: `auto` completes at once, `manual` waits for
   * `manila-placement apply --complete` (the disruptive step, under the operator's control), and
   * `{ window: { cron, durationMinutes, timezone } }` completes only while a maintenance window
   * is open (phase 1 runs at any time), e.g.
   * `{ window: { cron: '0 2 * * SAT', durationMinutes: 120, timezone: 'Europe/Berlin' } }`.
   * @default 'auto'
   */
  readonly completion?: Completion;
}

function bool(path: string, prop: string, v: unknown): boolean {
  if (v === undefined) return false;
  if (typeof v !== 'boolean') throw notBoolean(path, prop, v);
  return v;
}

/** Validated flags; throws a construct-scoped InputError on a non-boolean. */
export function flagsOf(path: string, d: MigrationDemands & { readonly preserveMetadata?: unknown }): MigrationFlags {
  return {
    writable: bool(path, 'writable', d.writable),
    nondisruptive: bool(path, 'nondisruptive', d.nondisruptive),
    preserveSnapshots: bool(path, 'preserveSnapshots', d.preserveSnapshots),
    // A share placement's demand; recorded only when turned off (absent means true).
    ...(d.preserveMetadata !== undefined && !bool(path, 'preserveMetadata', d.preserveMetadata) ? { preserveMetadata: false } : {}),
  };
}

/** Validated completion policy (a window is checked against its cron schedule and time zone). */
export function completionOf(path: string, d: MigrationDemands): Completion {
  const c: unknown = d.completion ?? 'auto';
  if (c === 'auto' || c === 'manual') return c;
  if (c && typeof c === 'object' && !Array.isArray(c) && 'window' in c) {
    const w = (c as { window: unknown }).window;
    const problem = windowProblem(w);
    if (problem) throw badWindow(path, w, problem);
    const { cron, durationMinutes, timezone } = w as CompletionWindow;
    return { window: { cron, durationMinutes, ...(timezone !== undefined ? { timezone } : {}) } };
  }
  throw badCompletion(path, c);
}
