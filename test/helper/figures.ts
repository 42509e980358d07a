import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO } from './testbed';

/** Where the reliability tests leave their figures (read into docs/reliability.md). */
export const FIGURES_FILE = path.join(REPO, '.manila-placement', 'reliability-figures.json');

/** Adds `n` to a named counter of the reliability figures of this run. */
export function addFigure(name: string, n = 1): void {
  fs.mkdirSync(path.dirname(FIGURES_FILE), { recursive: true });
  let doc: Record<string, number> = {};
  try {
    doc = JSON.parse(fs.readFileSync(FIGURES_FILE, 'utf8'));
  } catch {
    // first figure of the run
  }
  doc[name] = (doc[name] ?? 0) + n;
  fs.writeFileSync(FIGURES_FILE, JSON.stringify(doc, null, 2) + '\n');
}
