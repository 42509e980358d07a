import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BIN } from './cli';
import { REPO } from './testbed';

/**
 * The package as an operator gets it: `npm pack` of this repository, then `manila-placement
 * init` and `npm install` of the tarball into a fresh app under test/e2e/.work/. The install is
 * kept between test files of one run while the tarball is the same (same sha256).
 */

const WORK = path.join(REPO, 'test', 'e2e', '.work');

/** `npm pack` into test/e2e/.work/pack; the tarball's path and sha256. */
export function packTarball(): { file: string; sha: string } {
  const dir = path.join(WORK, 'pack');
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  // --ignore-scripts: dist/ is built already by `npm test` (tsc); prepare would build it again.
  const out = execFileSync('npm', ['pack', '--ignore-scripts', '--pack-destination', dir, '--json'], { cwd: REPO, encoding: 'utf8' });
  const name = (JSON.parse(out) as Array<{ filename: string }>)[0].filename;
  const file = path.join(dir, name);
  return { file, sha: createHash('sha256').update(fs.readFileSync(file)).digest('hex') };
}

/** A new app made by `manila-placement init`, with the packed package installed (the install is reused for the same tarball; the files are always fresh). */
export function initApp(name: string, tarball: { file: string; sha: string }): string {
  const dir = path.join(WORK, name);
  const stamp = path.join(dir, '.installed-sha');
  const reuse = fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8') === tarball.sha;
  if (reuse) {
    for (const f of fs.readdirSync(dir)) if (f !== 'node_modules' && f !== '.installed-sha' && f !== 'package-lock.json') fs.rmSync(path.join(dir, f), { recursive: true, force: true });
  } else {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  execFileSync(process.execPath, [BIN, 'init', dir, '--package-spec', `file:${tarball.file}`], { encoding: 'utf8' });
  if (!reuse) {
    execFileSync('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline'], { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 600_000 });
    fs.writeFileSync(stamp, tarball.sha);
  }
  return dir;
}
