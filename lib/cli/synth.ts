import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { InputError } from '../errors';
import { snapshotPath, SNAPSHOT_CONTEXT_KEY } from '../snapshot/file';
import { PLAN_FILE_NAME as PLAN_FILE, parsePlanText } from '../plan/file';
import { DEBUG_ENV, formatProblem, SYNTH_ERRORS_ENV, type SynthProblem } from '../constructs/synth-problems';
import type { Plan } from '../plan/types';

/** A synthesized stack's plan. */
export interface StackPlan {
  readonly stack: string;
  readonly file: string;
  readonly plan: Plan;
}

/** The cdktf app of a directory, from its cdktf.json. */
export interface CdktfApp {
  readonly dir: string;
  readonly app: string;
  readonly output: string;
  readonly context: Record<string, unknown>;
}

/** Reads cdktf.json of `dir`. */
export function readCdktfJson(dir: string): CdktfApp {
  const file = path.join(dir, 'cdktf.json');
  if (!fs.existsSync(file)) {
    throw new InputError('MP_NO_APP', `No cdktf.json in ${dir}: this is not a cdktf app.`, 'Run the command in the directory of your cdktf app, or pass --app DIR (see examples/move-one).');
  }
  let doc: { app?: unknown; output?: unknown; context?: unknown };
  try {
    doc = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new InputError('MP_NO_APP', `${file} is not valid JSON: ${(e as Error).message}`, 'Fix cdktf.json.');
  }
  if (typeof doc.app !== 'string' || !doc.app) throw new InputError('MP_NO_APP', `${file} has no "app" command.`, 'Add "app": "npx ts-node main.ts" (or your command) to cdktf.json.');
  return {
    dir,
    app: doc.app,
    output: typeof doc.output === 'string' ? doc.output : 'cdktf.out',
    context: doc.context && typeof doc.context === 'object' ? (doc.context as Record<string, unknown>) : {},
  };
}

/** Where the snapshot of an app is, by its cdktf.json context (relative to the app dir). */
export function snapshotPathOf(app: CdktfApp): string {
  return snapshotPath(app.dir, app.context[SNAPSHOT_CONTEXT_KEY]);
}

/**
 * Runs the app's synth as `cdktf synth` does (CDKTF_OUTDIR, CDKTF_CONTEXT_JSON), with the
 * snapshot path given, and reads the plan file of every stack. A bad declaration comes back
 * from the child as structured problems (path, what, fix, code), never scraped from stderr;
 * other failures (the app does not compile, a module is missing) keep the end of its output.
 */
export async function synthApp(app: CdktfApp, snapshotFile: string, opts: { debug?: boolean } = {}): Promise<StackPlan[]> {
  const outdir = path.resolve(app.dir, app.output);
  const context = { ...app.context, [SNAPSHOT_CONTEXT_KEY]: path.resolve(snapshotFile) };
  const errorsFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'mp-synth-')), 'problems.json');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    CDKTF_OUTDIR: outdir,
    CDKTF_CONTEXT_JSON: JSON.stringify(context),
    CHECKPOINT_DISABLE: '1',
    [SYNTH_ERRORS_ENV]: errorsFile,
    ...(opts.debug ? { [DEBUG_ENV]: '1' } : {}),
  };
  try {
    const { code, stderr, stdout } = await new Promise<{ code: number | null; stderr: string; stdout: string }>((resolve, reject) => {
      const child = spawn(app.app, { cwd: app.dir, env, shell: true, stdio: ['ignore', 'pipe', 'pipe'] });
      let err = '';
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (err += d));
      child.on('error', reject);
      child.on('close', (c) => resolve({ code: c, stderr: err, stdout: out }));
    });
    if (code !== 0) {
      const problems = readProblems(errorsFile);
      if (problems.length) {
        const n = problems.length;
        throw new InputError(
          'MP_SYNTH_FAILED',
          `${n} problem${n === 1 ? '' : 's'} in the declarations of the cdktf app in ${app.dir}; nothing was planned:\n` +
            problems.map((p) => `  ${formatProblem(p)}`).join('\n') +
            (opts.debug ? `\n--- synth output (--debug) ---\n${(stderr || stdout).trim()}` : ''),
          `Fix the declaration${n === 1 ? '' : 's'} named above as each fix says, then plan again.`,
        );
      }
      const tail = (stderr || stdout).trim().split('\n').slice(opts.debug ? -200 : -15).join('\n');
      throw new InputError('MP_SYNTH_FAILED', `Synth of the cdktf app in ${app.dir} failed (exit ${code}):\n${tail}`, 'Fix the app (its output above says where) and plan again.');
    }
  } finally {
    fs.rmSync(path.dirname(errorsFile), { recursive: true, force: true });
  }
  return readStackPlans(outdir);
}

function readProblems(file: string): SynthProblem[] {
  try {
    const doc = JSON.parse(fs.readFileSync(file, 'utf8')) as { problems?: SynthProblem[] };
    return Array.isArray(doc.problems) ? doc.problems : [];
  } catch {
    return [];
  }
}

/** Reads `<outdir>/stacks/<stack>/manila-placement.plan.json` for every stack. */
export function readStackPlans(outdir: string): StackPlan[] {
  const stacksDir = path.join(outdir, 'stacks');
  const stacks = fs.existsSync(stacksDir) ? fs.readdirSync(stacksDir).sort() : [];
  const out: StackPlan[] = [];
  for (const stack of stacks) {
    const file = path.join(stacksDir, stack, PLAN_FILE);
    if (fs.existsSync(file)) out.push({ stack, file, plan: readPlanFile(file) });
  }
  if (!out.length) {
    throw new InputError('MP_NO_PLAN', `Synth wrote no ${PLAN_FILE} under ${stacksDir}.`, 'The app must define a PlacementStack (see examples/move-one/main.ts).');
  }
  return out;
}

/** Reads and validates one plan file. */
export function readPlanFile(file: string): Plan {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new InputError('MP_PLAN_UNREADABLE', `Cannot read the plan ${file}: ${(e as Error).message}`, 'Check the path given to --plan.');
  }
  return parsePlanText(text, file);
}
