import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Testing, type App, type TerraformStack } from 'cdktf';
import { PlacementStack, type PlacementStackProps } from '../../../lib/constructs/placement-stack';
import { parseSnapshotText, type CloudSnapshot } from '../../../lib/snapshot/model';

/** Helpers for construct tests: the test bed fixture, temp snapshot files, a stack on them, synth as the app runs it. */

export const FIXTURE = path.join(__dirname, '..', '..', 'fixtures', 'snapshots', 'testbed-initial.json');

export function fixture(): CloudSnapshot {
  return parseSnapshotText(fs.readFileSync(FIXTURE, 'utf8'), FIXTURE);
}

/** Id of the fixture's server of share network `mp-sn-<n>`. */
export function serverOf(n: number, s: CloudSnapshot = fixture()): string {
  const srv = s.shareServers.find((x) => x.shareNetworkName === `mp-sn-${n}`);
  if (!srv) throw new Error(`no server for mp-sn-${n}`);
  return srv.id;
}

export function tempDir(prefix = 'mp-constructs-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Writes a snapshot to a fresh temp file and returns its path. */
export function writeSnapshot(s: CloudSnapshot): string {
  const file = path.join(tempDir(), 'snapshot.json');
  fs.writeFileSync(file, JSON.stringify(s, null, 2));
  return file;
}

/** The fixture with servers moved or changed. */
export function fixtureWith(change: (s: CloudSnapshot) => CloudSnapshot): string {
  return writeSnapshot(change(fixture()));
}

export function newStack(props: PlacementStackProps = {}, app: App = Testing.app()): { app: App; stack: PlacementStack } {
  return { app, stack: new PlacementStack(app, 'placement', { snapshotPath: FIXTURE, ...props }) };
}

/**
 * `Testing.synth` after `prepareStack()`, as `app.synth()` runs them: a PlacementStack adds its
 * move resources and warnings in prepareStack, which `Testing.synth` does not call.
 */
export function synth(stack: TerraformStack, runValidations = false): string {
  stack.prepareStack();
  return Testing.synth(stack, runValidations);
}

/** `Testing.fullSynth` after `prepareStack()` (it does not call it either); returns the output directory. */
export function fullSynth(stack: TerraformStack): string {
  stack.prepareStack();
  return Testing.fullSynth(stack);
}

export function caught(fn: () => unknown): Error & { code?: string; hint?: string } {
  try {
    fn();
  } catch (e) {
    return e as Error & { code?: string; hint?: string };
  }
  throw new Error('expected an error, got none');
}
