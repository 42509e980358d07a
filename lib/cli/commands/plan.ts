import * as fs from 'node:fs';
import * as path from 'node:path';
import { checkSnapshotAge } from '../../apply/preflight';
import { ConfigError, InputError } from '../../errors';
import type { ManilaClient } from '../../manila/client';
import { CloudConfig, resolveCloudConfig } from '../../manila/config';
import { parseSnapshotText } from '../../snapshot/model';
import type { GlobalOptions } from '../context';
import { secondsFlag } from '../context';
import { colourWanted, hasChanges, hasProblems, paint, renderPlans } from '../render-plan';
import { StackPlan, readCdktfJson, snapshotPathOf, synthApp } from '../synth';
import { writeSnapshot } from './refresh';

/** Options shared by `plan` and `apply` for making a plan. */
export interface PlanningOptions extends GlobalOptions {
  readonly app?: string;
  readonly snapshot?: string;
  readonly maxSnapshotAge?: string;
}

/** Options of `plan`. */
export interface PlanOptions extends PlanningOptions {
  readonly json?: boolean;
  readonly detailedExitcode?: boolean;
  readonly color?: boolean;
}

/** The cloud selected by flags or environment, when one is (planning from a file needs none). */
function selectedCloud(o: PlanningOptions): CloudConfig | undefined {
  try {
    return resolveCloudConfig({ cloud: o.osCloud });
  } catch (e) {
    if (e instanceof ConfigError && e.code === 'MP_NO_CLOUD') return undefined;
    throw e;
  }
}

/** Refreshes (unless --snapshot, through `client` when given), synthesizes the app and returns its plans. */
export async function makePlans(o: PlanningOptions, client?: ManilaClient): Promise<StackPlan[]> {
  const app = readCdktfJson(path.resolve(o.app ?? '.'));
  let snapshotFile: string;
  if (o.snapshot) {
    snapshotFile = path.resolve(o.snapshot);
    if (!fs.existsSync(snapshotFile)) {
      throw new InputError('MP_SNAPSHOT_MISSING', `The snapshot ${snapshotFile} does not exist.`, 'Write one with `manila-placement refresh --out <file>`, or leave out --snapshot to refresh now.');
    }
    const snap = parseSnapshotText(fs.readFileSync(snapshotFile, 'utf8'), snapshotFile);
    const cloud = selectedCloud(o);
    if (cloud && cloud.authUrl !== snap.cloud.authUrl) {
      throw new InputError(
        'MP_SNAPSHOT_OTHER_CLOUD',
        `The snapshot ${snapshotFile} is of the cloud at ${snap.cloud.authUrl}, but the selected cloud${cloud.cloudName ? ` '${cloud.cloudName}'` : ''} is at ${cloud.authUrl}.`,
        'Select the cloud the snapshot was taken of (--os-cloud / OS_CLOUD), or refresh against this one.',
      );
    }
    checkSnapshotAge(snap.takenAt, secondsFlag(o.maxSnapshotAge, '--max-snapshot-age', 86_400_000)!, `The snapshot ${snapshotFile}`);
  } else {
    snapshotFile = snapshotPathOf(app);
    await writeSnapshot(o, snapshotFile, client);
  }
  return synthApp(app, snapshotFile, { debug: o.debug });
}

/** `manila-placement plan`. */
export async function planCommand(o: PlanOptions): Promise<number> {
  const plans = await makePlans(o);
  if (o.json) {
    process.stdout.write(JSON.stringify({ plans: plans.map((p) => ({ stack: p.stack, file: p.file, ...p.plan })) }, null, 2) + '\n');
  } else {
    process.stdout.write(renderPlans(plans.map((p) => p.plan), paint(colourWanted(process.stdout, o.color))));
    for (const p of plans) process.stdout.write(`Plan file: ${p.file}\n`);
  }
  if (!o.detailedExitcode) return 0;
  const ps = plans.map((p) => p.plan);
  return hasChanges(ps) || hasProblems(ps) ? 2 : 0;
}
