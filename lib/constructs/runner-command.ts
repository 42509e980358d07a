import * as fs from 'node:fs';
import * as path from 'node:path';
import { packageRoot } from '../package-root';

/**
 * The command a move's local-exec runs, and where. By default this package's own CLI, by a
 * path relative to the app directory, so `cdktf deploy` needs nothing on PATH and `cdk.tf.json`
 * is the same in every checkout. Works from the TypeScript sources (lib/constructs) and from the
 * compiled package (dist/lib/constructs).
 */

const PACKAGE_NAME = 'manila-placement';

/** The nearest directory at or above `start` whose package.json is named `manila-placement`, if any. */
export function findPackageRoot(start: string): string | undefined {
  try {
    return packageRoot(path.resolve(start));
  } catch {
    return undefined;
  }
}

/** `node "<package root>/bin/manila-placement"` relative to `appDir`, or plain `manila-placement` (from PATH) when the package root cannot be found. */
export function defaultRunnerCommand(start: string = __dirname, appDir: string = process.cwd()): string {
  const root = findPackageRoot(start);
  if (!root) return PACKAGE_NAME;
  const rel = path.relative(appDir, path.join(root, 'bin', PACKAGE_NAME)).split(path.sep).join('/');
  return `node "${rel}"`;
}

/** The app directory relative to a stack's output directory (`<output>/stacks/<stack>`), the `output` read from the app's cdktf.json. */
export function appDirFromStack(stackName: string, appDir: string = process.cwd()): string {
  let output = 'cdktf.out';
  try {
    const doc = JSON.parse(fs.readFileSync(path.join(appDir, 'cdktf.json'), 'utf8')) as { output?: unknown };
    if (typeof doc.output === 'string' && doc.output) output = doc.output;
  } catch {
    // no cdktf.json (a test synth): the default output directory
  }
  const rel = path.relative(path.resolve(appDir, output, 'stacks', stackName), appDir);
  return rel.split(path.sep).join('/') || '.';
}
