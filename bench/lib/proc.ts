import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type * as TypeScript from 'typescript';

/** The repository root (bench/lib/.. /..), as the bench scripts run from the source tree. */
export const REPO = path.resolve(__dirname, '..', '..');
/** Scratch space of the benchmark (git-ignored). */
export const TMP = path.join(REPO, 'bench', 'results', 'tmp');

/** A finished process run under GNU time. */
export interface Measured {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Wall time measured here (spawn to exit), ms. */
  readonly wallMs: number;
  /** "Maximum resident set size" of GNU time, in MiB: the largest RSS of the process and of any descendant it waited for. */
  readonly maxRssMb?: number;
  /** Start and end, epoch ms. */
  readonly t0: number;
  readonly t1: number;
  readonly timedOut: boolean;
}

/** Options of `measure`. */
export interface MeasureOptions {
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Kill the process group after this long. @default 600000 */
  readonly timeoutMs?: number;
  /** Stream stderr to ours as it comes (for long runs). */
  readonly teeStderr?: boolean;
}

/** Parses `/usr/bin/time -v` output for the peak RSS, in MiB. */
export function parseMaxRss(text: string): number | undefined {
  const m = /Maximum resident set size \(kbytes\): (\d+)/.exec(text);
  return m ? Math.round((Number(m[1]) / 1024) * 10) / 10 : undefined;
}

/**
 * Runs `cmd args` under `/usr/bin/time -v` (report to a file, so the program's stderr stays its
 * own), in a process group of its own so a timeout ends exactly what we started.
 */
export function measure(cmd: string, args: readonly string[], opts: MeasureOptions = {}): Promise<Measured> {
  const report = path.join(os.tmpdir(), `mp-bench-time-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}.txt`);
  const t0 = Date.now();
  const h0 = process.hrtime.bigint();
  const child = spawn('/usr/bin/time', ['-v', '-o', report, cmd, ...args], {
    cwd: opts.cwd ?? REPO,
    env: opts.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => {
    err += d;
    if (opts.teeStderr) process.stderr.write(d);
  });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  }, opts.timeoutMs ?? 600_000);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const wallMs = Number(process.hrtime.bigint() - h0) / 1e6;
      let text = '';
      try {
        text = fs.readFileSync(report, 'utf8');
        fs.rmSync(report, { force: true });
      } catch {
        // killed before GNU time wrote it
      }
      resolve({ code, signal, stdout: out, stderr: err, wallMs, maxRssMb: parseMaxRss(text), t0, t1: Date.now(), timedOut });
    });
  });
}

/**
 * Transpiles bench/lib/*.ts to plain CommonJS under bench/results/tmp/js (as ts-node
 * --transpile-only would, but ahead of time), so child processes measured for memory do not
 * carry the TypeScript compiler. Returns that directory.
 */
export function transpileBenchLib(): string {
  const ts: typeof TypeScript = require('typescript');
  const src = path.join(REPO, 'bench', 'lib');
  const out = path.join(TMP, 'js');
  fs.mkdirSync(out, { recursive: true });
  for (const f of fs.readdirSync(src).filter((x) => x.endsWith('.ts'))) {
    const r = ts.transpileModule(fs.readFileSync(path.join(src, f), 'utf8'), {
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
      fileName: f,
    });
    fs.writeFileSync(path.join(out, f.replace(/\.ts$/, '.js')), r.outputText);
  }
  return out;
}

/** Median of numbers (undefined for none). */
export function median(xs: readonly number[]): number | undefined {
  if (!xs.length) return undefined;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Rounds to `d` decimals. */
export function round(x: number | undefined, d = 2): number | undefined {
  if (x === undefined || !Number.isFinite(x)) return undefined;
  const f = 10 ** d;
  return Math.round(x * f) / f;
}

/** Writes JSON with a final newline, creating the directory. */
export function writeJson(file: string, value: unknown): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(value, null, 2) + '\n');
}

/** The last line of `text` that parses as a JSON object. */
export function lastJsonLine<T>(text: string): T | undefined {
  const lines = text.split('\n').filter((l) => l.startsWith('{'));
  for (let i = lines.length - 1; i >= 0; i--) {
    try {
      return JSON.parse(lines[i]) as T;
    } catch {
      // not JSON after all
    }
  }
  return undefined;
}
