import * as path from 'node:path';
import { packageRoot } from '../package-root';

/**
 * The command a move's local-exec runs. By default this package's own CLI, by absolute path,
 * so `cdktf deploy` needs nothing on PATH. Works from the TypeScript sources (lib/constructs)
 * and from the compiled package (dist/lib/constructs).
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

/** `node "<package root>/bin/manila-placement"`, or plain `manila-placement` (from PATH) when the package root cannot be found. */
export function defaultRunnerCommand(start: string = __dirname): string {
  const root = findPackageRoot(start);
  return root ? `node "${path.join(root, 'bin', PACKAGE_NAME)}"` : PACKAGE_NAME;
}
