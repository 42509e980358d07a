import * as cliProgress from 'cli-progress';
import { FINAL_PHASES, type MoveEvent, type MovePhase, type RunnerEvent } from '../apply/events';
import type { MoveResult } from '../apply/result';
import type { Paint } from './render-plan';

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

/** A live line per move (server, from → to, phase, %, elapsed) on a TTY, through cli-progress. */
export class TtyRenderer implements Renderer {
  private readonly multibar: cliProgress.MultiBar;
  private readonly bars = new Map<string, cliProgress.SingleBar>();
  private readonly lastPercent = new Map<string, number>();
  /** Moves still running: elapsed at their last event, and when it came (the loop reports changes only). */
  private readonly running = new Map<string, { elapsed: number; at: number }>();
  private readonly ticker: NodeJS.Timeout;

  constructor(private readonly p: Paint, stream: NodeJS.WriteStream = process.stderr) {
    this.multibar = new cliProgress.MultiBar(
      {
        stream,
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
    // Hours-long phases report nothing for minutes: keep each line's elapsed time going.
    this.ticker = setInterval(() => {
      for (const [key, r] of this.running) this.bars.get(key)?.update({ elapsed: elapsedText(r.elapsed + (Date.now() - r.at) / 1000) });
    }, 1_000);
    this.ticker.unref();
  }

  event(e: RunnerEvent): void {
    if (e.type === 'run') {
      // Outages and warnings are said above the bars: the bars alone would only stand still.
      if (e.phase !== 'start' && e.phase !== 'end' && e.message) this.multibar.log(`${e.phase === 'outage-ended' ? this.p.green(e.phase) : this.p.yellow(e.phase)}: ${e.message}\n`);
      return;
    }
    if (FINAL_PHASES.has(e.phase) || e.phase === 'queued') this.running.delete(e.key);
    else this.running.set(e.key, { elapsed: e.elapsed, at: Date.now() });
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
      bar = this.multibar.create(100, pct, payload);
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
    this.multibar.stop();
  }
}

/** The closing summary: one line per move and what to do next. */
export function renderSummary(results: readonly MoveResult[], calls: (key: string) => number, p: Paint, opts: { noWait?: boolean } = {}): string {
  if (!results.length) return 'Nothing to apply.\n';
  const out = ['', p.bold(opts.noWait ? 'Where every move stands (one pass):' : 'Summary:')];
  for (const r of results) {
    const mark = r.phase === 'done' ? p.green('ok') : FINAL_PHASES.has(r.phase) ? p.red(r.phase) : p.yellow(r.phase);
    const id = r.newServerId && r.newServerId !== r.server ? `${r.server} -> ${r.newServerId}` : r.server;
    out.push(`  ${mark} ${id} ${r.from} -> ${r.to} (${r.elapsed}s, ${calls(r.key)} API calls)`);
    if (r.message && r.phase !== 'done') out.push(`      ${r.code ? `${r.code}: ` : ''}${r.message}`);
    if (r.hint && r.phase !== 'done') out.push(p.dim(`      hint: ${r.hint}`));
    if (r.readOnly?.duringPhase1) out.push(p.dim(`      Manila kept its shares read-only during phase 1${r.readOnly.restored ? '; the rules are read-write again' : ''}`));
    for (const x of r.exportLocations ?? []) {
      if (x.changed) out.push(p.yellow(`      share ${x.name ?? x.shareId}: remount from ${(x.before ?? []).join(', ')} to ${(x.after ?? []).join(', ')}`));
    }
  }
  const done = results.filter((r) => r.phase === 'done').length;
  out.push('', `${done} of ${results.length} move(s) done.`);
  if (opts.noWait && results.some((r) => !FINAL_PHASES.has(r.phase))) out.push(p.dim('Work remains: run `manila-placement apply --no-wait` again (exit 4 until every move is done).'));
  return out.join('\n') + '\n';
}
