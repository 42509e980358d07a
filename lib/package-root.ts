import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * The directory of this package (where its package.json and bin/ are), found by walking up
 * from this file: works from lib/ under ts-node and from dist/lib/ once compiled.
 */
export function packageRoot(from: string = __dirname): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const pj = path.join(dir, 'package.json');
    if (fs.existsSync(pj)) {
      try {
        if (JSON.parse(fs.readFileSync(pj, 'utf8')).name === 'manila-placement') return dir;
      } catch {
        // unreadable package.json: keep walking
      }
    }
    if (path.dirname(dir) === dir) throw new Error(`manila-placement's package.json not found above ${from}`);
  }
}

/** This package's version. */
export function packageVersion(): string {
  return JSON.parse(fs.readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')).version;
}
