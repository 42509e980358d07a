import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Construct } from 'constructs';
import { ManilaPlacementError } from '../errors';
import { parseSnapshotText, type CloudSnapshot } from '../snapshot/model';
import { snapshotMissing, snapshotUnreadable } from './errors';

/**
 * Where synth finds the snapshot, and reading it. Synth never calls the cloud: `refresh`
 * writes the snapshot, as CDK context lookups do.
 */

/** Context key naming the snapshot file (relative to the working directory). */
export const SNAPSHOT_CONTEXT_KEY = 'manila-placement:snapshot';
/** Snapshot file name used when neither the prop nor the context names one. */
export const DEFAULT_SNAPSHOT_FILE = 'manila-placement.snapshot.json';

/** Absolute snapshot path: the prop, else the context key, else the default file; relative paths resolve against process.cwd(). */
export function resolveSnapshotPath(scope: Construct, prop?: string): string {
  const fromContext: unknown = scope.node.tryGetContext(SNAPSHOT_CONTEXT_KEY);
  const chosen = prop ?? (typeof fromContext === 'string' && fromContext.length > 0 ? fromContext : DEFAULT_SNAPSHOT_FILE);
  return path.resolve(process.cwd(), chosen);
}

/** Reads and validates the snapshot; errors name the construct and tell the user to run `manila-placement refresh`. */
export function readSnapshotFile(constructPath: string, file: string): CloudSnapshot {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw snapshotMissing(constructPath, file);
    throw snapshotUnreadable(constructPath, file, (e as Error).message, e);
  }
  try {
    return parseSnapshotText(text, file);
  } catch (e) {
    throw snapshotUnreadable(constructPath, file, e instanceof ManilaPlacementError ? e.message : String(e), e);
  }
}
