import { FINAL_PHASES, type MovePhase, type RunnerEvent } from '../apply/events';
import type { Paint } from './paint';

/**
 * The live view of a fleet: when the moves do not fit one line each, `apply` shows one overall
 * bar, the moves per phase, the request rate against the budget and the moves that changed
 * last, newest first, as many as the terminal's rows allow. The state and the drawing are pure
 * (events in, lines out); ./progress.ts writes the lines to the terminal.
 */

/** Above this many moves (or when they do not fit the terminal) the view is the fleet's, not one bar per move. */
export const FLEET_ABOVE = 10;

/** Whether `moves` moves get the fleet view on a terminal of `rows` rows. */
export function fleetWanted(moves: number, rows: number): boolean {
  return moves > Math.min(FLEET_ABOVE, rows - 2);
}

/** Columns and rows of the terminal. */
export interface TerminalSize {
  readonly columns: number;
  readonly rows: number;
}

/** One move as the view knows it. */
export interface FleetMove {
  readonly key: string;
  readonly server: string;
  readonly from: string;
  readonly to: string;
  readonly phase: MovePhase;
  readonly taskState?: string;
  /** 0-100, during phase 1. */
  readonly progress?: number;
  /** Why it waits (a limit, a window), as the runner said. */
  readonly waiting?: string;
  readonly code?: string;
  readonly message?: string;
  readonly newServerId?: string;
  /** Seconds since the move began, at its last event. */
  readonly elapsed: number;
  /** When its last event came (ms since the epoch). */
  readonly seenAt: number;
  /** When its phase last changed (ms since the epoch). */
  readonly changedAt: number;
  /** Order of that change among every move's changes: the larger, the later. */
  readonly seq: number;
}

/** How the counts and the rows name a move's phase; phase 1 done before a window is "waiting for window". */
export function phaseLabel(m: Pick<FleetMove, 'phase' | 'waiting'>): string {
  switch (m.phase) {
    case 'phase1':
      return 'phase 1';
    case 'phase1-done':
      return m.waiting ? 'waiting for window' : 'phase 1 done';
    case 'awaiting-window':
      return 'awaiting window';
    case 'awaiting-completion':
      return 'awaiting completion';
    case 'timed-out':
      return 'timed out';
    default:
      return m.phase;
  }
}

/** Counts shown even at 0, in this order; other labels follow them when some move has one. */
const RUNNING_ALWAYS = ['queued', 'starting', 'phase 1', 'waiting for window', 'completing'];
const RUNNING_ORDER = ['queued', 'observing', 'checking', 'starting', 'phase 1', 'phase 1 done', 'waiting for window', 'completing', 'verifying', 'cancelling'];
const ENDED_ALWAYS = ['done', 'failed', 'blocked', 'cancelled'];
const ENDED_ORDER = ['done', 'failed', 'blocked', 'cancelled', 'stale', 'conflict', 'timed out', 'awaiting window', 'awaiting completion', 'detached'];

/** What the runner reported so far, per move, with the order in which their phases changed. */
export class FleetState {
  private readonly byKey = new Map<string, FleetMove>();
  private seq = 0;
  /** When the run began (its start event), ms since the epoch. */
  public startedAt?: number;

  /** Takes one runner event in. */
  public add(e: RunnerEvent): void {
    const at = Date.parse(e.ts);
    if (e.type === 'run') {
      if (e.phase === 'start') this.startedAt = at;
      return;
    }
    const was = this.byKey.get(e.key);
    // 'observing' comes with every poll: the move stays in the phase it is in.
    if (e.phase === 'observing' && was) {
      this.byKey.set(e.key, { ...was, elapsed: e.elapsed, seenAt: at });
      return;
    }
    const taskState = e.taskState ?? (was?.phase === e.phase ? was.taskState : undefined);
    const next = { phase: e.phase, waiting: e.waiting };
    const changed = !was || phaseLabel(was) !== phaseLabel(next) || taskState !== was.taskState;
    this.byKey.set(e.key, {
      key: e.key,
      server: e.server,
      from: e.from,
      to: e.to,
      phase: e.phase,
      taskState,
      progress: e.phase === 'phase1' ? (e.progress ?? was?.progress) : undefined,
      waiting: e.waiting,
      code: e.code,
      message: e.message,
      newServerId: e.newServerId ?? was?.newServerId,
      elapsed: e.elapsed,
      seenAt: at,
      changedAt: changed ? at : was.changedAt,
      seq: changed ? ++this.seq : was.seq,
    });
  }

  /** Moves known, in the order they were first reported. */
  public get moves(): readonly FleetMove[] {
    return [...this.byKey.values()];
  }

  public get size(): number {
    return this.byKey.size;
  }

  /** The `n` moves whose phase changed last, newest first. */
  public recent(n: number): FleetMove[] {
    return [...this.byKey.values()].sort((a, b) => b.seq - a.seq).slice(0, Math.max(0, n));
  }
}

/** The request rate, as measured, against the budget. */
export interface RequestRate {
  /** Requests per second lately; undefined before there are two samples. */
  readonly perSecond?: number;
  /** The budget, requests per second (`Infinity`: none). */
  readonly budget: number;
  /** Requests sent so far. */
  readonly sent: number;
}

/**
 * Requests per second over a sliding window, from a running count sampled now and then: the
 * count's growth since the newest sample at least `windowMs` old (or the oldest one).
 */
export class RateMeter {
  private readonly samples: Array<{ readonly at: number; readonly n: number }> = [];
  constructor(private readonly windowMs = 10_000) {}

  /** Records the count at `at` and returns the rate, undefined while no time has passed. */
  public sample(at: number, n: number): number | undefined {
    const last = this.samples[this.samples.length - 1];
    if (last && last.at >= at) this.samples[this.samples.length - 1] = { at: last.at, n };
    else this.samples.push({ at, n });
    while (this.samples.length > 2 && this.samples[1].at <= at - this.windowMs) this.samples.shift();
    const first = this.samples[0];
    const newest = this.samples[this.samples.length - 1];
    return newest.at > first.at ? ((newest.n - first.n) * 1000) / (newest.at - first.at) : undefined;
  }
}

/** What one frame shows. */
export interface FleetFrame {
  readonly state: FleetState;
  /** Now, ms since the epoch (the runner's clock). */
  readonly now: number;
  readonly requests?: RequestRate;
}

/** `42s`, `12m05s`, `3h07m`. */
export function durationText(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor(s / 60) % 60).padStart(2, '0')}m`;
}

function bar(fraction: number, width: number): string {
  const full = Math.round(Math.max(0, Math.min(1, fraction)) * width);
  return '\u2588'.repeat(full) + '\u2591'.repeat(width - full);
}

function short(id: string): string {
  return id.length > 13 ? id.slice(0, 8) : id;
}

function rateText(n: number): string {
  return String(Number(n.toFixed(n < 10 ? 1 : 0)));
}

// eslint-disable-next-line no-control-regex
const ESCAPE = /^\x1b\[[0-9;]*m/;

/** Visible length of a line (ANSI colours take no room). */
export function visibleLength(s: string): number {
  // eslint-disable-next-line no-control-regex
  return s.replace(/\x1b\[[0-9;]*m/g, '').length;
}

/** Cuts a line to `width` visible characters (an ellipsis marks the cut), keeping its colours whole. */
export function fitWidth(s: string, width: number): string {
  if (visibleLength(s) <= width) return s;
  let out = '';
  let seen = 0;
  let coloured = false;
  for (let i = 0; i < s.length; ) {
    const esc = ESCAPE.exec(s.slice(i));
    if (esc) {
      out += esc[0];
      coloured = true;
      i += esc[0].length;
      continue;
    }
    if (seen >= width - 1) break;
    out += s[i++];
    seen++;
  }
  return out + '\u2026' + (coloured ? '\x1b[0m' : '');
}

/** Items joined by ` · ` after `head`, over as many lines of `width` as they need. */
function wrapped(head: string, items: readonly string[], width: number): string[] {
  const indent = ' '.repeat(visibleLength(head));
  const lines: string[] = [];
  let line = head;
  let first = true;
  for (const item of items) {
    const sep = first ? '' : ' \u00b7 ';
    if (!first && visibleLength(line) + sep.length + visibleLength(item) > width) {
      lines.push(line);
      line = indent + item;
    } else line += sep + item;
    first = false;
  }
  lines.push(line);
  return lines;
}

const BAD = new Set<MovePhase>(['failed', 'blocked', 'cancelled', 'stale', 'conflict', 'timed-out', 'detached']);

function countItems(counts: ReadonlyMap<string, number>, always: readonly string[], order: readonly string[], p: Paint): string[] {
  const labels = [...always, ...order.filter((l) => !always.includes(l) && counts.has(l)), ...[...counts.keys()].filter((l) => !order.includes(l))];
  return labels.map((l) => {
    const n = counts.get(l) ?? 0;
    const text = `${n} ${l}`;
    if (n === 0) return p.dim(text);
    if (l === 'done') return p.green(text);
    if (['failed', 'blocked', 'cancelled', 'stale', 'conflict', 'timed out', 'detached'].includes(l)) return p.red(text);
    if (l === 'waiting for window' || l.startsWith('awaiting')) return p.yellow(text);
    return text;
  });
}

/** A waiting reason made short: its ISO times as `HH:MM UTC` (with the day when not today's). */
function waitingText(m: FleetMove, now: number): string {
  const today = new Date(now).toISOString().slice(0, 10);
  const w = (m.waiting ?? '').replace(/\b(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})(:\d{2}(\.\d+)?)?Z/g, (_s, day: string, hm: string) => `${day === today ? '' : `${day} `}${hm} UTC`);
  // "waiting for window: opens 01:30 UTC", not "waiting for window: window opens ...".
  return phaseLabel(m) === 'waiting for window' ? w.replace(/^window /, '') : w;
}

function phaseText(m: FleetMove, p: Paint, now: number): string {
  const label = phaseLabel(m);
  if (m.phase === 'done') return p.green(label) + (m.newServerId && m.newServerId !== m.server ? p.dim(` -> ${short(m.newServerId)}`) : '');
  if (FINAL_PHASES.has(m.phase)) {
    const why = [m.code, m.message].filter(Boolean).join(': ');
    return (BAD.has(m.phase) ? p.red(label) : p.yellow(label)) + (why ? p.dim(` ${why}`) : '');
  }
  const detail = [
    m.phase === 'phase1' && m.progress !== undefined ? `${Math.round(m.progress)}%` : '',
    m.phase === 'phase1' && m.taskState ? `(${m.taskState.replace(/^migration_/, '')})` : '',
  ].filter(Boolean);
  return [label, ...detail].join(' ') + (m.waiting ? p.dim(`: ${waitingText(m, now)}`) : '');
}

/**
 * The fleet view's lines for a terminal of `size`: at most `rows - 1` lines (the cursor's line
 * stays free), none wider than `columns - 1`.
 */
export function renderFleet(f: FleetFrame, size: TerminalSize, p: Paint): string[] {
  const width = Math.max(20, size.columns - 1);
  const maxLines = Math.max(1, size.rows - 1);
  const moves = f.state.moves;
  const total = moves.length;
  const ended = moves.filter((m) => FINAL_PHASES.has(m.phase));
  const done = ended.filter((m) => m.phase === 'done').length;
  const elapsed = f.state.startedAt !== undefined ? `  ${durationText((f.now - f.state.startedAt) / 1000)}` : '';
  const pct = total ? Math.floor((ended.length * 100) / total) : 0;
  const barWidth = Math.max(10, Math.min(40, width - 50));
  const lines = [` ${p.bold('Moves')}    |${bar(total ? ended.length / total : 0, barWidth)}| ${ended.length}/${total} finished, ${done} done  ${pct}%${elapsed}`];

  const running = new Map<string, number>();
  const finished = new Map<string, number>();
  for (const m of moves) {
    const to = FINAL_PHASES.has(m.phase) ? finished : running;
    to.set(phaseLabel(m), (to.get(phaseLabel(m)) ?? 0) + 1);
  }
  lines.push(...wrapped(' running  ', countItems(running, RUNNING_ALWAYS, RUNNING_ORDER, p), width));
  lines.push(...wrapped(' ended    ', countItems(finished, ENDED_ALWAYS, ENDED_ORDER, p), width));

  if (f.requests) {
    const r = f.requests;
    const now = r.perSecond === undefined ? '-' : r.perSecond.toFixed(r.perSecond < 10 ? 1 : 0);
    const sent = `${r.sent.toLocaleString('en-US')} sent`;
    if (Number.isFinite(r.budget)) {
      const use = r.perSecond === undefined ? 0 : r.perSecond / r.budget;
      const text = ` ${p.bold('Requests')} |${bar(use, barWidth)}| ${now}/s of ${rateText(r.budget)}/s budget  ${Math.round(use * 100)}%  ${sent}`;
      lines.push(use >= 0.95 ? p.yellow(text) : text);
    } else lines.push(` ${p.bold('Requests')} ${now}/s, no budget  ${sent}`);
  }

  const room = maxLines - lines.length - 1;
  if (room > 0 && total > 0) {
    const rows = f.state.recent(room);
    lines.push(p.dim(` Last changed, newest first (${rows.length} of ${total}):`));
    const routeWidth = Math.min(Math.max(...rows.map((m) => m.from.length + m.to.length + 4)), Math.floor(width / 2));
    for (const m of rows) {
      const ago = durationText((f.now - m.changedAt) / 1000).padStart(6);
      const secs = FINAL_PHASES.has(m.phase) ? m.elapsed : m.elapsed + Math.max(0, f.now - m.seenAt) / 1000;
      lines.push(`  ${p.dim(`${ago} ago`)}  ${short(m.server).padEnd(8)}  ${fitWidth(`${m.from} -> ${m.to}`, routeWidth).padEnd(routeWidth)}  ${durationText(secs).padStart(6)}  ${phaseText(m, p, f.now)}`);
    }
  }
  return lines.slice(0, maxLines).map((l) => fitWidth(l, width));
}
