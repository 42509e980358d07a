import { type ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO, testbedEnv } from './testbed';

/** The built CLI, as a user runs it. */
export const BIN = path.join(REPO, 'bin', 'manila-placement');

/** Result of a finished CLI run. */
export interface CliRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** A running CLI process with its output so far. */
export interface LiveCli {
  readonly child: ChildProcess;
  readonly done: Promise<CliRun>;
  stdout(): string;
  /** Resolves with the first JSON line for which `pred` holds. */
  waitForJson(pred: (o: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
}

/** Starts `manila-placement args...` against the test bed. */
export function spawnCli(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; cloud?: string } = {}): LiveCli {
  const env: NodeJS.ProcessEnv = { ...testbedEnv(opts.cloud), ...(opts.env ?? {}) };
  for (const k of Object.keys(env)) if (env[k] === undefined) delete env[k]; // `{ X: undefined }` unsets X
  const child = spawn(process.execPath, [BIN, ...args], { cwd: opts.cwd ?? REPO, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const waiters: Array<{ pred: (o: Record<string, unknown>) => boolean; resolve: (o: Record<string, unknown>) => void }> = [];
  const check = (): void => {
    for (const lineText of out.split('\n')) {
      if (!lineText.startsWith('{')) continue;
      let o: Record<string, unknown>;
      try {
        o = JSON.parse(lineText);
      } catch {
        continue;
      }
      for (const w of [...waiters]) {
        if (w.pred(o)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(o);
        }
      }
    }
  };
  child.stdout!.on('data', (d) => {
    out += d;
    check();
  });
  child.stderr!.on('data', (d) => (err += d));
  const done = new Promise<CliRun>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout: out, stderr: err })));
  return {
    child,
    done,
    stdout: () => out,
    waitForJson: (pred, timeoutMs = 180_000) =>
      new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`no matching JSON line in ${timeoutMs} ms; stdout so far:\n${out.slice(-3000)}\nstderr:\n${err.slice(-2000)}`)), timeoutMs);
        waiters.push({
          pred,
          resolve: (o) => {
            clearTimeout(t);
            resolve(o);
          },
        });
        check();
        void done.then(() => {
          if (waiters.length) {
            clearTimeout(t);
            reject(new Error(`the CLI exited before a matching JSON line; stdout:\n${out.slice(-3000)}\nstderr:\n${err.slice(-2000)}`));
          }
        });
      }),
  };
}

/** Runs the CLI to the end. */
export function runCli(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; cloud?: string } = {}): Promise<CliRun> {
  return spawnCli(args, opts).done;
}

/** JSON lines of an output. */
export function jsonLines(text: string): Array<Record<string, unknown>> {
  return text
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l));
}

/**
 * A throw-away cdktf app under test/e2e/.work/<release>/<name> (the release of this worker's
 * test bed: a file that runs on Zed and on Epoxy at once keeps two apps), importing the built
 * library (dist/lib, as the CLI under test is) by absolute path: ts-node then transpiles main.ts
 * alone, not the library's sources at every synth (1.5 s of CPU each on a 2-core machine running
 * four test beds). `body` is the code between `const stack = ...` and `app.synth()`.
 */
export function makeApp(name: string, body: string, stackProps = '{}'): string {
  const dir = path.join(REPO, 'test', 'e2e', '.work', process.env.MP_TESTBED_RELEASE || 'zed', name);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  writeMain(dir, name, body, stackProps);
  fs.writeFileSync(
    path.join(dir, 'cdktf.json'),
    JSON.stringify({ language: 'typescript', app: `${JSON.stringify(path.join(REPO, 'node_modules', '.bin', 'ts-node'))} --transpile-only main.ts`, context: { 'manila-placement:snapshot': 'manila-placement.snapshot.json' } }, null, 2),
  );
  return dir;
}

/** (Re)writes the app's main.ts: one PlacementStack named `name` holding `body`; the rest of the directory (state, snapshot) stays. */
export function writeMain(dir: string, name: string, body: string, stackProps = '{}'): void {
  fs.writeFileSync(
    path.join(dir, 'main.ts'),
    `import { App } from 'cdktf';\nimport { PlacementStack, ShareServerPlacement, SharePlacement, HostEvacuation, Rebalance } from ${JSON.stringify(path.join(REPO, 'dist', 'lib'))};\n` +
      `void ShareServerPlacement; void SharePlacement; void HostEvacuation; void Rebalance;\n` +
      `const app = new App();\nconst stack = new PlacementStack(app, ${JSON.stringify(name)}, ${stackProps});\nvoid stack;\n${body}\napp.synth();\n`,
  );
}
