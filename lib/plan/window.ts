import { Cron } from 'croner';

/**
 * Maintenance windows for the switchover (`migration_complete`, the step that disrupts
 * clients). A window opens at each time a cron schedule names and stays open for a duration.
 * The schedule is croner's (https://croner.56k.guru); nothing here reads the clock: the time
 * is always passed in.
 */

/** A recurring maintenance window. */
export interface CompletionWindow {
  /** Five-field cron schedule of the window's start, e.g. `0 2 * * SAT` (02:00 every Saturday). */
  readonly cron: string;
  /** How long each window stays open, in minutes (1 to 10080). */
  readonly durationMinutes: number;
  /** IANA time zone the schedule is read in, e.g. `Europe/Berlin`. @default 'UTC' */
  readonly timezone?: string;
}

/** A valid window, for messages. */
export const WINDOW_EXAMPLE = "{ window: { cron: '0 2 * * SAT', durationMinutes: 120, timezone: 'Europe/Berlin' } }";

/** The window around a time: open now (until `closesAt`), or the next one. */
export interface WindowState {
  readonly open: boolean;
  /** Start of the current window when open, else of the next one (epoch ms). */
  readonly opensAt: number;
  /** End of that window (epoch ms). */
  readonly closesAt: number;
}

const MAX_MINUTES = 7 * 24 * 60;

function cronOf(w: CompletionWindow): Cron {
  return new Cron(w.cron, { timezone: w.timezone ?? 'UTC', paused: true });
}

/** Why a window spec is unusable, or undefined when it is fine. Checks the schedule against croner. */
export function windowProblem(w: unknown): string | undefined {
  if (!w || typeof w !== 'object' || Array.isArray(w)) return 'window must be an object { cron, durationMinutes, timezone? }';
  const { cron, durationMinutes, timezone } = w as Record<string, unknown>;
  if (typeof cron !== 'string' || cron.trim().split(/\s+/).length !== 5) return `cron ${JSON.stringify(cron)} is not a five-field cron schedule (minute hour day-of-month month day-of-week)`;
  if (typeof durationMinutes !== 'number' || !Number.isInteger(durationMinutes) || durationMinutes < 1 || durationMinutes > MAX_MINUTES) {
    return `durationMinutes ${JSON.stringify(durationMinutes)} is not a whole number of minutes from 1 to ${MAX_MINUTES}`;
  }
  if (timezone !== undefined && (typeof timezone !== 'string' || timezone.length === 0)) return `timezone ${JSON.stringify(timezone)} is not a time zone name`;
  try {
    const next = cronOf({ cron, durationMinutes, timezone: timezone as string | undefined }).nextRun(new Date(0));
    if (!next) return `cron "${cron}" never fires`;
  } catch (e) {
    return (e as Error).message.replace(/\s+/g, ' ').slice(0, 300);
  }
  return undefined;
}

/** Whether the window is open at `now` (epoch ms), and when it (or the next one) opens and closes. */
export function windowAt(w: CompletionWindow, now: number): WindowState {
  const cron = cronOf(w);
  const ms = w.durationMinutes * 60_000;
  // A window is open at `now` when one started in (now - duration, now]: croner's next run
  // after now - duration tells.
  const start = cron.nextRun(new Date(now - ms));
  if (start && start.getTime() <= now) return { open: true, opensAt: start.getTime(), closesAt: start.getTime() + ms };
  const next = start ?? cron.nextRun(new Date(now));
  if (!next) return { open: false, opensAt: Number.POSITIVE_INFINITY, closesAt: Number.POSITIVE_INFINITY };
  return { open: false, opensAt: next.getTime(), closesAt: next.getTime() + ms };
}

/** `window:<cron>/<minutes>m/<zone>`: a window as one string (Terraform triggers, messages). */
export function windowText(w: CompletionWindow): string {
  return `window:${w.cron}/${w.durationMinutes}m/${w.timezone ?? 'UTC'}`;
}

/** A completion policy as one string: `auto`, `manual` or `window:<cron>/<minutes>m/<zone>`. */
export function completionText(c: 'auto' | 'manual' | { readonly window: CompletionWindow }): string {
  return typeof c === 'string' ? c : windowText(c.window);
}
