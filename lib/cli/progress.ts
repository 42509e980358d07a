import * as cliProgress from 'cli-progress';
import { FINAL_PHASES, type MoveEvent, type MovePhase, type RunnerEvent } from '../apply/events';
import type { MoveResult } from '../apply/result';
import { systemClock, type Clock } from '../util/clock';
import { FleetState, fleetWanted, RateMeter, renderFleet, type TerminalSize } from './fleet-view';
import type { Paint } from './paint';
import { countOutcomes, outcomeLabel, outcomeOf, outcomeSummary } from '../apply/outcome';
import { plural } from '../util/plural';

/** Receives runner events and shows them. */
export interface Renderer {
  event(e: RunnerEvent): void;
  /** Stops live output (before the summary is printed). */
  stop(): void;
}

/** One JSON object per line on stdout: for CI and for other programs. */
export class JsonLinesRenderer implements Renderer {
  constructor(private readonly out: NodeJS.WritableStream = process.stdout) {}
  event(e: RunnerEvent): void {
    this.out.write(JSON.stringify(e) + '\n');
  }
  stop(): void {}
}

/** Rough share of the whole move that each phase stands for, for the bar. */
function percentOf(e: MoveEvent): number {
  const base: Partial<Record<MovePhase, number>> = { queued: 0, observing: 1, checking: 3, starting: 5, phase1: 8, 'phase1-done': 80, completing: 85, verifying: 95, done: 100 };
  if (e.phase === 'phase1' && e.progress !== undefined) return 8 + Math.round(e.progress * 0.7);
  return base[e.phase] ?? 100;
}

function short(id: string): string {
  return id.length > 13 ? id.slice(0, 8) : id;
}

/** Whole seconds, right-aligned in four columns (the line's `{elapsed}s`). */
function elapsedText(seconds: number): string {
  return seconds.toFixed(0).padStart(4);
}

/** Where the live view reads the request rate; the client's RequestBudget is one. */
export interface RequestCounter {
  /** Requests let through so far. */
  readonly granted: number;
  /** The budget, requests per second (`Infinity`: none). */
  readonly rate: number;
}

/** Options of the TTY view. */
export interface TtyRendererOptions {
  /** @default process.stderr */
  readonly stream?: NodeJS.WriteStream;
  /** The runner's clock (virtual in the simulator). @default systemClock */
  readonly clock?: Clock;
  /** The client's request budget: the fleet view shows the request rate against it. */
  readonly requests?: RequestCounter;
}

const HIDE_CURSOR = '\x1b[?25l';
const SHOW_CURSOR = '\x1b[?25h';

/**
 * Lines redrawn in place at the bottom of a terminal, with log lines scrolling above them. The
 * cursor stays at the end of the last line, so a frame as tall as the terminal does not scroll.
 */
export class LiveRegion {
  private height = 0;
  private hidden = false;
  private last: readonly string[] = [];

  constructor(private readonly out: NodeJS.WritableStream) {}

  /** Back to the start of the region's first line. */
  private home(): string {
    if (this.height === 0) return '';
    return '\r' + (this.height > 1 ? `\x1b[${this.height - 1}A` : '');
  }

  /** Replaces the region with `lines` (each must fit the width: a wrapped line would shift the next frame). */
  public draw(lines: readonly string[]): void {
    const cursor = this.hidden ? '' : HIDE_CURSOR;
    this.hidden = true;
    this.out.write(cursor + this.home() + lines.map((l) => `\x1b[2K${l}`).join('\n') + '\x1b[J');
    this.height = lines.length;
    this.last = lines;
  }

  /** Writes `text` above the region, which is drawn again beneath it. */
  public log(text: string): void {
    this.out.write(this.home() + '\x1b[J' + (text.endsWith('\n') ? text : `${text}\n`));
    this.height = 0;
    this.draw(this.last);
  }

  /** Leaves the last frame on the screen, the cursor on the line below it. */
  public end(): void {
    this.out.write((this.height > 0 ? '\n' : '') + (this.hidden ? SHOW_CURSOR : ''));
    this.height = 0;
    this.hidden = false;
  }
}

/**
 * The live view on a TTY. A run of a few moves that fit the terminal gets a line per move
 * (server, from → to, phase, %, elapsed) through cli-progress; a larger one gets the fleet view
 * (./fleet-view.ts): one overall bar, the moves per phase, the request rate against the budget
 * and the moves that changed last, redrawn five times a second.
 */
export class TtyRenderer implements Renderer {
  private readonly stream: NodeJS.WriteStream;
  private readonly clock: Clock;
  private readonly requests?: RequestCounter;
  private readonly state = new FleetState();
  private readonly meter = new RateMeter();
  private mode?: 'bars' | 'fleet';
  private multibar?: cliProgress.MultiBar;
  private region?: LiveRegion;
  private fleetTimer?: NodeJS.Timeout;
  private readonly bars = new Map<string, cliProgress.SingleBar>();
  private readonly lastPercent = new Map<string, number>();
  /** Moves still running: elapsed at their last event, and when it came (the loop reports changes only). */
  private readonly running = new Map<string, { elapsed: number; at: number }>();
  private readonly ticker: NodeJS.Timeout;

  constructor(private readonly p: Paint, opts: TtyRendererOptions = {}) {
    this.stream = opts.stream ?? process.stderr;
    this.clock = opts.clock ?? systemClock;
    this.requests = opts.requests;
    // Hours-long phases report nothing for minutes: keep each line's elapsed time going.
    this.ticker = setInterval(() => {
      for (const [key, r] of this.running) this.bars.get(key)?.update({ elapsed: elapsedText(r.elapsed + (this.clock.now() - r.at) / 1000) });
    }, 1_000);
    this.ticker.unref();
  }

  /** The terminal's size (80 x 24 when the stream does not say). */
  private size(): TerminalSize {
    return { columns: this.stream.columns || 80, rows: this.stream.rows || 24 };
  }

  event(e: RunnerEvent): void {
    this.state.add(e);
    if (e.type === 'run') {
      if (e.phase === 'start' && !this.mode && fleetWanted(e.moves, this.size().rows)) this.toFleet();
      // Outages and warnings are said above the bars: the bars alone would only stand still.
      if (e.phase !== 'start' && e.phase !== 'end' && e.message) this.log(`${e.phase === 'outage-ended' ? this.p.green(e.phase) : this.p.yellow(e.phase)}: ${e.message}\n`);
      return;
    }
    // More moves than the run announced (those the plan blocked come on top): the fleet view once they do not fit.
    if (this.mode !== 'fleet' && fleetWanted(this.bars.size + (this.bars.has(e.key) ? 0 : 1), this.size().rows)) this.toFleet();
    if (this.mode === 'fleet') return;
    this.mode = 'bars';
    this.barEvent(e);
  }

  private log(text: string): void {
    if (this.mode === 'fleet') {
      if (this.region) this.region.log(text);
      else this.stream.write(text);
    } else if (this.multibar) this.multibar.log(text);
    else this.stream.write(text);
  }

  private toFleet(): void {
    // Bars drawn already (a run that grew past the terminal) stay above the fleet view, still.
    this.multibar?.stop();
    this.multibar = undefined;
    this.bars.clear();
    this.running.clear();
    this.mode = 'fleet';
    // Not a terminal: no frames (as cli-progress draws none), only the log lines.
    if (!this.stream.isTTY) return;
    this.region = new LiveRegion(this.stream);
    this.fleetTimer = setInterval(() => this.drawFleet(), 200);
    this.fleetTimer.unref();
  }

  /** One frame of the fleet view, at the terminal's size now. */
  private drawFleet(): void {
    if (!this.region) return;
    const now = this.clock.now();
    const requests = this.requests
      ? { perSecond: this.meter.sample(now, this.requests.granted), budget: this.requests.rate, sent: this.requests.granted }
      : undefined;
    this.region.draw(renderFleet({ state: this.state, now, requests }, this.size(), this.p));
  }

  private bar(): cliProgress.MultiBar {
    this.multibar ??= new cliProgress.MultiBar(
      {
        stream: this.stream,
        format: ' {server} {route} |{bar}| {percentage}% {phase} {elapsed}s',
        barsize: 24,
        hideCursor: true,
        clearOnComplete: false,
        stopOnComplete: false,
        autopadding: true,
        fps: 5,
      },
      cliProgress.Presets.shades_classic,
    );
    return this.multibar;
  }

  private barEvent(e: MoveEvent): void {
    if (FINAL_PHASES.has(e.phase) || e.phase === 'queued') this.running.delete(e.key);
    else this.running.set(e.key, { elapsed: e.elapsed, at: this.clock.now() });
    let bar = this.bars.get(e.key);
    // 'observing' happens on every poll: keep showing the phase the move is in.
    if (e.phase === 'observing' && bar) {
      bar.update({ elapsed: elapsedText(e.elapsed) });
      return;
    }
    const payload = {
      server: short(e.server),
      route: `${e.from} -> ${e.to}`.padEnd(30),
      phase: this.phaseText(e),
      elapsed: elapsedText(e.elapsed),
    };
    // The bar never goes backwards (a resumed move re-observes before it goes on).
    const pct = Math.max(this.lastPercent.get(e.key) ?? 0, FINAL_PHASES.has(e.phase) && e.phase !== 'done' ? (this.lastPercent.get(e.key) ?? 0) : percentOf(e));
    this.lastPercent.set(e.key, pct);
    if (!bar) {
      bar = this.bar().create(100, pct, payload);
      this.bars.set(e.key, bar);
    } else {
      bar.update(pct, payload);
    }
  }

  private phaseText(e: MoveEvent): string {
    const t = e.phase + (e.phase === 'phase1' && e.taskState ? ` (${e.taskState.replace(/^migration_/, '')})` : '');
    if (e.phase === 'done') return this.p.green(t);
    if (FINAL_PHASES.has(e.phase)) return this.p.red(t);
    return t;
  }

  stop(): void {
    clearInterval(this.ticker);
    if (this.fleetTimer) clearInterval(this.fleetTimer);
    if (this.region) {
      this.drawFleet();
      this.region.end();
    }
    this.multibar?.stop();
  }
}

/** The closing summary: one line per move and what to do next. */
export function renderSummary(results: readonly MoveResult[], calls: (key: string) => number, p: Paint, opts: { noWait?: boolean } = {}): string {
  if (!results.length) return 'Nothing to apply.\n';
  const out = ['', p.bold(opts.noWait ? 'Where every move stands (one pass):' : 'Summary:')];
  for (const r of results) {
    // The words of the report's rows: blocked, failed and cancelled apart, each with its phase where that says more.
    const outcome = outcomeOf(r.phase);
    const mark = outcome === 'done' ? p.green('ok') : outcome === 'blocked' || outcome === 'failed' || outcome === 'cancelled' ? p.red(outcomeLabel(r.phase)) : p.yellow(outcomeLabel(r.phase));
    const id = r.newServerId && r.newServerId !== r.server ? `${r.server} -> ${r.newServerId}` : r.server;
    out.push(`  ${mark} ${id} ${r.from} -> ${r.to} (${r.elapsed}s, ${plural(calls(r.key), 'API call')})`);
    if (r.message && r.phase !== 'done') out.push(`      ${r.code ? `${r.code}: ` : ''}${r.message}`);
    if (r.hint && r.phase !== 'done') out.push(p.dim(`      hint: ${r.hint}`));
    if (r.readOnly?.duringPhase1) out.push(p.dim(`      Manila kept its shares read-only during phase 1${r.readOnly.restored ? '; the rules are read-write again' : ''}`));
    for (const x of r.exportLocations ?? []) {
      if (x.changed) out.push(p.yellow(`      share ${x.name ?? x.shareId}: remount from ${(x.before ?? []).join(', ')} to ${(x.after ?? []).join(', ')}`));
    }
  }
  // The same counts, in the same words, as the report's header.
  out.push('', `${outcomeSummary(countOutcomes(results.map((r) => r.phase)))}.`);
  if (opts.noWait && results.some((r) => !FINAL_PHASES.has(r.phase))) out.push(p.dim('Work remains: run `manila-placement apply --no-wait` again (exit 4 until every move is done).'));
  return out.join('\n') + '\n';
}
