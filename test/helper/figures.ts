import * as fs from 'node:fs';
import * as path from 'node:path';
import * as lockfile from 'proper-lockfile';
import { REPO } from './testbed';

/** Where the reliability tests leave their figures (read into docs/reliability.md). */
export const FIGURES_FILE = path.join(REPO, '.manila-placement', 'reliability-figures.json');

/** proper-lockfile's sync lock cannot retry: this waits for it (a few ms at most: another worker's read-add-write). */
function lockSync(file: string): () => void {
  for (let i = 0; ; i++) {
    try {
      return lockfile.lockSync(file, { realpath: false, stale: 10_000 });
    } catch (e) {
      if ((e as { code?: string }).code !== 'ELOCKED' || i > 500) throw e;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
    }
  }
}

/** Adds `n` to a named counter of the reliability figures of this run (test files run side by side: under a lock). */
export function addFigure(name: string, n = 1): void {
  fs.mkdirSync(path.dirname(FIGURES_FILE), { recursive: true });
  const release = lockSync(FIGURES_FILE);
  try {
    let doc: Record<string, number> = {};
    try {
      doc = JSON.parse(fs.readFileSync(FIGURES_FILE, 'utf8'));
    } catch {
      // first figure of the run
    }
    doc[name] = (doc[name] ?? 0) + n;
    fs.writeFileSync(FIGURES_FILE, JSON.stringify(doc, null, 2) + '\n');
  } finally {
    release();
  }
}
