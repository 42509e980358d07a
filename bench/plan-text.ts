/**
 * Benchmark of reading a plan at fleet size (pure, no test bed): the generated cloud of
 * bench/lib/generate-moves.ts (500 moves over 5 host pairs, 1 blocked, 4 named projects, by
 * default), planned once, then rendered side by side in one run as the default compact text,
 * `--verbose` and `--format markdown`, each timed over several runs after a warm-up. Writes
 * bench/results/plan-text.json: per rendering its lines, characters, where the first blocked
 * move is, median / min / max ms, and the ratios against the verbose text.
 *
 *   npx ts-node --transpile-only bench/plan-text.ts [--moves 500] [--pairs 5] [--blocked 1] [--runs 9] [--out FILE]
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { renderMarkdown } from '../lib/cli/render-markdown';
import { paint, renderPlans } from '../lib/cli/render-plan';
import { plan } from '../lib/plan/plan';
import { arg } from './lib/args';
import { generateMoves } from './lib/generate-moves';

const MOVES = Number(arg('--moves', '500'));
const PAIRS = Number(arg('--pairs', '5'));
const BLOCKED = Number(arg('--blocked', '1'));
const RUNS = Number(arg('--runs', '9'));
const OUT = path.resolve(arg('--out', path.join(__dirname, 'results', 'plan-text.json')));
const NOW = Date.parse('2026-12-07T09:00:00.000Z');

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const round = (v: number, d = 2): number => Math.round(v * 10 ** d) / 10 ** d;

function timed(f: () => string): { text: string; times: number[] } {
  f(); // warm-up
  const times: number[] = [];
  let text = '';
  for (let i = 0; i < RUNS; i++) {
    const t = process.hrtime.bigint();
    text = f();
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  return { text, times };
}

function main(): void {
  const g = generateMoves(MOVES, PAIRS, BLOCKED);
  const t0 = process.hrtime.bigint();
  const p = plan(g.declarations, g.snapshot);
  const planMs = Number(process.hrtime.bigint() - t0) / 1e6;
  const plain = paint(false);
  const renderings = {
    compact: () => renderPlans([p], plain, NOW),
    verbose: () => renderPlans([p], plain, NOW, { verbose: true }),
    markdown: () => renderMarkdown([p], NOW),
  };
  const rows = Object.entries(renderings).map(([name, f]) => {
    const { text, times } = timed(f);
    const lines = text.trimEnd().split('\n');
    const firstBlocked = lines.findIndex((l) => /blocked|SERVER_NOT_ACTIVE/.test(l) && !/^(\*\*)?Plan:/.test(l) && !/^Needs attention/.test(l));
    return {
      rendering: name,
      lines: lines.length,
      characters: text.length,
      firstBlockedLine: firstBlocked + 1,
      medianMs: round(median(times)),
      minMs: round(Math.min(...times)),
      maxMs: round(Math.max(...times)),
    };
  });
  const verbose = rows.find((r) => r.rendering === 'verbose')!;
  const doc = {
    benchmark: 'plan-text',
    what: 'the text of one plan, rendered three ways side by side in one process (pure; the plan computed once beforehand)',
    input: { moves: MOVES, pairs: PAIRS, blocked: BLOCKED, projects: 4, runs: RUNS, planMs: round(planMs) },
    machine: { cpus: os.cpus().length, node: process.version, loadAverage1m: round(os.loadavg()[0]) },
    results: rows.map((r) => ({ ...r, linesVsVerbose: round(r.lines / verbose.lines, 4), timeVsVerbose: round(r.medianMs / verbose.medianMs, 3) })),
  };
  for (const r of doc.results) process.stderr.write(`${r.rendering}: ${r.lines} lines, ${r.characters} chars, first blocked on line ${r.firstBlockedLine}, median ${r.medianMs} ms (${r.timeVsVerbose}x verbose)\n`);
  fs.mkdirSync(path.dirname(OUT), { recursive: true });
  fs.writeFileSync(OUT, JSON.stringify(doc, null, 2) + '\n');
}

main();
