import * as fs from 'node:fs';
import { InputError } from '../errors';

/**
 * How a bad declaration reaches the user whole, whoever runs the synth (`manila-placement
 * plan`/`apply`, `cdktf synth`/`deploy`), from a TypeScript or a JavaScript app: one block with
 * the construct path, what is wrong, the fix and the error code, and no stack trace unless
 * MANILA_PLACEMENT_DEBUG is set. The same problems go, as JSON, to the file named by
 * MANILA_PLACEMENT_SYNTH_ERRORS, so `manila-placement plan` carries them from the synth child
 * in a structured form instead of scraping its stderr.
 */

/** One problem of one declaration. */
export interface SynthProblem {
  /** Stable code, e.g. `MP_HOST_FORMAT`. */
  readonly code: string;
  /** Construct path, e.g. `placement/move-one`. */
  readonly path: string;
  /** What is wrong, and why. */
  readonly what: string;
  /** How to fix it. */
  readonly fix: string;
}

/** Env: file the synth child writes its problems to (JSON `{ problems: SynthProblem[] }`). */
export const SYNTH_ERRORS_ENV = 'MANILA_PLACEMENT_SYNTH_ERRORS';
/** Env: print stack traces too. */
export const DEBUG_ENV = 'MANILA_PLACEMENT_DEBUG';

/** A bad declaration, thrown while the construct is built. */
export class DeclarationError extends InputError implements SynthProblem {
  constructor(
    code: string,
    public readonly path: string,
    public readonly what: string,
    public readonly fix: string,
  ) {
    super(code, `[${path}] ${what} ${fix}`, fix);
  }
}

const recorded = new Map<string, SynthProblem>();

/**
 * A validation problem (found when cdktf validates the tree, e.g. a selector that matched
 * nothing): recorded for the reporter, and returned as the message cdktf shows.
 */
export function validationMessage(p: SynthProblem): string {
  recorded.set(`${p.code} ${p.path} ${p.what}`, p);
  return `${p.what} ${p.fix} [${p.code}]`;
}

/** The problems an error stands for: a DeclarationError, or the validation problems recorded so far. */
export function problemsOf(err: unknown): SynthProblem[] {
  const e = err as Partial<SynthProblem> & { message?: string };
  if (e && typeof e.code === 'string' && typeof e.path === 'string' && typeof e.what === 'string' && typeof e.fix === 'string') {
    return [{ code: e.code, path: e.path, what: e.what, fix: e.fix }];
  }
  return [...recorded.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** The block the user reads for one problem. */
export function formatProblem(p: SynthProblem): string {
  return `[${p.code}] ${p.path}: ${p.what}\n    fix: ${p.fix}`;
}

const INSTALLED = Symbol.for('manila-placement/synth-reporter');

/**
 * Inside a synth (cdktf sets CDKTF_OUTDIR for the app it runs, and so does manila-placement),
 * reports a bad declaration as clean blocks on stderr and as JSON for manila-placement, then
 * exits 1. Anything else keeps Node's usual report. Installed once per process.
 */
export function installSynthReporter(env: NodeJS.ProcessEnv = process.env): void {
  if (!env.CDKTF_OUTDIR) return;
  const proc = process as unknown as Record<symbol, boolean>;
  if (proc[INSTALLED]) return;
  proc[INSTALLED] = true;
  process.on('uncaughtException', (err: unknown) => {
    const problems = problemsOf(err);
    if (problems.length === 0) {
      process.stderr.write(`${(err as Error)?.stack ?? String(err)}\n`);
      process.exit(1);
    }
    const file = env[SYNTH_ERRORS_ENV];
    if (file) {
      try {
        fs.writeFileSync(file, JSON.stringify({ problems }, null, 2));
      } catch {
        // the blocks below still say it
      }
    }
    const n = problems.length;
    process.stderr.write(`\nmanila-placement: ${n} problem${n === 1 ? '' : 's'} in the declarations; nothing was synthesized:\n${problems.map((p) => `  ${formatProblem(p)}`).join('\n')}\n`);
    if (env[DEBUG_ENV]) process.stderr.write(`\n${(err as Error)?.stack ?? String(err)}\n`);
    process.exit(1);
  });
}
