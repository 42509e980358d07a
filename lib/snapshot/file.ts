import * as fs from 'node:fs';
import * as path from 'node:path';
import { InputError } from '../errors';
import { canonicalJson } from '../util/canonical-json';
import { parseSnapshotText, type CloudSnapshot } from './model';

/**
 * Snapshot files, in one place: where an app keeps its snapshot (the cdktf.json context key,
 * resolved against the app directory, the one base for the CLI and for synth), reading,
 * writing (atomically), and the checks before planning from one (the cloud it is of, its age).
 * Synth never calls the cloud: `refresh` writes the snapshot, as CDK context lookups do.
 */

/** Context key naming the snapshot file (relative to the app directory). */
export const SNAPSHOT_CONTEXT_KEY = 'manila-placement:snapshot';
/** Snapshot file name used when neither a prop nor the context names one. */
export const DEFAULT_SNAPSHOT_FILE = 'manila-placement.snapshot.json';

/**
 * The absolute path of an app's snapshot: `chosen` (a prop or an option), else the context
 * value, else the default file; relative paths resolve against the app directory.
 */
export function snapshotPath(appDir: string, contextValue?: unknown, chosen?: string): string {
  const name = chosen ?? (typeof contextValue === 'string' && contextValue.length > 0 ? contextValue : DEFAULT_SNAPSHOT_FILE);
  return path.resolve(appDir, name);
}

/** Why a snapshot file cannot be read: missing, or unreadable/invalid (with the parser's message). */
export type SnapshotFileProblem = { readonly kind: 'missing' } | { readonly kind: 'invalid'; readonly detail: string; readonly cause: unknown };

/**
 * Reads and validates a snapshot. `onProblem` turns a missing or invalid file into the error
 * its caller shows (the CLI's, or one naming the construct).
 */
export function readSnapshot(file: string, onProblem: (p: SnapshotFileProblem) => Error): CloudSnapshot {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw onProblem({ kind: 'missing' });
    throw onProblem({ kind: 'invalid', detail: (e as Error).message, cause: e });
  }
  try {
    return parseSnapshotText(text, file);
  } catch (e) {
    throw onProblem({ kind: 'invalid', detail: (e as Error).message, cause: e });
  }
}

/** Writes a snapshot atomically (a temp file beside it, then a rename): a reader never sees half a file. */
export function writeSnapshotFile(file: string, snap: CloudSnapshot): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, canonicalJson(snap));
  fs.renameSync(tmp, file);
}

/** Refuses a snapshot of another cloud than the selected one (by Keystone URL). */
export function checkSnapshotCloud(snap: CloudSnapshot, file: string, selected: { readonly authUrl: string; readonly cloudName?: string }): void {
  if (selected.authUrl !== snap.cloud.authUrl) {
    throw new InputError(
      'MP_SNAPSHOT_OTHER_CLOUD',
      `The snapshot ${file} is of the cloud at ${snap.cloud.authUrl}, but the selected cloud${selected.cloudName ? ` '${selected.cloudName}'` : ''} is at ${selected.authUrl}.`,
      'Select the cloud the snapshot was taken of (--os-cloud / OS_CLOUD), or refresh against this one.',
    );
  }
}

/** Refuses a snapshot taken longer than `maxAgeMs` ago. */
export function checkSnapshotAge(takenAt: string, maxAgeMs: number, what: string, now: number = Date.now()): void {
  const age = now - Date.parse(takenAt);
  if (!(age <= maxAgeMs)) {
    throw new InputError(
      'MP_SNAPSHOT_TOO_OLD',
      `${what} was taken ${takenAt}, ${Math.round(age / 3600_000)} h ago (limit ${Math.round(maxAgeMs / 3600_000)} h).`,
      'Refresh it (`manila-placement refresh`), leave out --snapshot, or raise --max-snapshot-age.',
    );
  }
}
