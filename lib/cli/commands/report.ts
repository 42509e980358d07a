import * as fs from 'node:fs';
import * as path from 'node:path';
import { EXIT } from '../../apply/result';
import { InputError } from '../../errors';
import { packageVersion } from '../../package-root';
import { renderReport } from '../../report/html';
import { parseJournal } from '../../report/journal-read';
import { buildRollout } from '../../report/rollout';
import { plural } from '../../util/plural';

/** Options of `report`. */
export interface ReportOptions {
  /** Journal to read. @default .manila-placement/journal.jsonl */
  readonly journal?: string;
  /** HTML file to write. @default manila-placement-report.html */
  readonly out?: string;
}

/** Where apply journals by default (relative to the current directory, as apply's --journal). */
export const DEFAULT_JOURNAL = path.join('.manila-placement', 'journal.jsonl');
/** Where the page goes by default. */
export const DEFAULT_REPORT = 'manila-placement-report.html';

/** Reads the journal, with the file's own failures as typed errors. */
function readJournalText(file: string, shown: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new InputError(
        'MP_JOURNAL_MISSING',
        `${shown} does not exist: there is no journal to report on.`,
        `apply writes its journal to ${DEFAULT_JOURNAL} in the directory it runs in (or to its --journal file): run report from there, or pass --journal <file>.`,
      );
    }
    throw new InputError(
      'MP_JOURNAL_UNREADABLE',
      `${shown} cannot be read (${code ?? (e as Error).message}).`,
      code === 'EISDIR' ? 'Pass the journal file, not its directory: --journal <dir>/journal.jsonl.' : 'Check the file and its permissions (apply creates it readable by its owner only, mode 0600).',
    );
  }
}

/** True when `a` and `b` are the same file (by path, or by inode through a link). */
function sameFile(a: string, b: string): boolean {
  if (a === b) return true;
  try {
    const sa = fs.statSync(a);
    const sb = fs.statSync(b);
    return sa.dev === sb.dev && sa.ino === sb.ino;
  } catch {
    return false; // `b` does not exist yet
  }
}

/** `manila-placement report`: a self-contained HTML page of a rollout from its journal. */
export async function reportCommand(o: ReportOptions): Promise<number> {
  const shown = o.journal ?? DEFAULT_JOURNAL;
  const journalFile = path.resolve(shown);
  const outFile = path.resolve(o.out ?? DEFAULT_REPORT);
  // Writing the page over the journal would destroy the only record of the rollout.
  if (sameFile(journalFile, outFile)) {
    throw new InputError('MP_FLAG_CONFLICT', `--out ${o.out} is the journal itself; writing the report there would destroy the journal.`, 'Pass another file to --out, e.g. --out manila-placement-report.html.');
  }
  // Everything is read and checked before anything is written: bad input leaves no half page behind.
  const parsed = parseJournal(readJournalText(journalFile, shown), shown);
  const rollout = buildRollout(parsed, journalFile);
  const html = renderReport(rollout, { generatedAt: new Date().toISOString(), version: packageVersion() });
  // Temp file, then rename: a reader (or a browser reloading) never sees half a page.
  const tmp = `${outFile}.${process.pid}.tmp`;
  try {
    fs.mkdirSync(path.dirname(outFile), { recursive: true });
    fs.writeFileSync(tmp, html);
    fs.renameSync(tmp, outFile);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw new InputError('MP_REPORT_UNWRITABLE', `${o.out ?? DEFAULT_REPORT} cannot be written (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}).`, 'Pass --out a file in a directory you can write to.');
  }
  process.stderr.write(`Wrote ${outFile}: ${plural(rollout.moves.length, 'move')}, ${plural(rollout.runs.length, 'run')}\n`);
  return EXIT.OK;
}
