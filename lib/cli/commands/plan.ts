import * as path from 'node:path';
import { checkSnapshotAge, checkSnapshotCloud, readSnapshot } from '../../snapshot/file';
import { ConfigError, InputError } from '../../errors';
import type { ManilaClient } from '../../manila/client';
import { type CloudConfig, resolveCloudConfig } from '../../manila/config';
import { blockByChecks, checkMoves, type MoveCheck } from '../../apply/check';
import { impactByProject } from '../../plan/impact';
import type { MigrateEntry } from '../../plan/types';
import { cliClient, type GlobalOptions } from '../cli-client';
import { secondsFlag } from '../flags';
import { renderMarkdown } from '../render-markdown';
import { colourWanted, hasChanges, hasProblems, paint, renderPlans, supportedOf } from '../render-plan';
import { type StackPlan, readCdktfJson, snapshotPathOf, synthApp } from '../synth';
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
  /** `text` (default), `json` or `markdown` (a summary fit for a merge-request comment). */
  readonly format?: string;
  readonly detailedExitcode?: boolean;
  /** Ask Manila's `migration_check` (read-only) about every pending move. */
  readonly check?: boolean;
  /** Every move in detail (default: moves grouped by source and destination). */
  readonly verbose?: boolean;
  readonly color?: boolean;
}

/** Exit codes of `plan` with --detailed-exitcode or --check, documented in the README and --help. */
export const PLAN_EXIT = {
  NO_CHANGES: 0,
  ERROR: 1,
  CHANGES: 2,
  /** Some move is blocked (by what the snapshot shows, or by Manila's check), in conflict or unmatched. */
  BLOCKED: 3,
} as const;

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
    const file = snapshotFile;
    const snap = readSnapshot(file, (p) =>
      p.kind === 'missing'
        ? new InputError('MP_SNAPSHOT_MISSING', `The snapshot ${file} does not exist.`, 'Write one with `manila-placement refresh --out <file>`, or leave out --snapshot to refresh now.')
        : p.cause instanceof Error ? p.cause : new Error(p.detail),
    );
    const cloud = selectedCloud(o);
    if (cloud) checkSnapshotCloud(snap, file, cloud);
    checkSnapshotAge(snap.takenAt, secondsFlag(o.maxSnapshotAge, '--max-snapshot-age', 86_400_000)!, `The snapshot ${file}`);
  } else {
    snapshotFile = snapshotPathOf(app);
    await writeSnapshot(o, snapshotFile, client);
  }
  return synthApp(app, snapshotFile, { debug: o.debug });
}

/** `manila-placement plan`. */
export async function planCommand(o: PlanOptions): Promise<number> {
  const format = o.json ? 'json' : (o.format ?? 'text');
  if (!['text', 'json', 'markdown'].includes(format)) {
    throw new InputError('MP_FLAG_INVALID', `--format must be text, json or markdown, got '${format}'.`, 'Example: --format markdown (a summary for a merge-request comment).');
  }
  // With --check the refresh and the checks share one client (one token).
  const shared = o.check ? cliClient(o) : undefined;
  try {
    const stacks = await makePlans(o, shared?.client);
    let checks: Map<string, MoveCheck> | undefined;
    let plans = stacks.map((p) => p.plan);
    if (shared) {
      const all = await checkMoves(shared.client, plans.flatMap((p) => p.entries.filter((e): e is MigrateEntry => e.action === 'migrate')));
      checks = new Map(all.map((c) => [c.key, c] as const));
      plans = plans.map((p) => blockByChecks(p, all));
    }
    const now = Date.now();
    if (format === 'json') {
      const out = {
        plans: plans.map((p, i) => ({ stack: stacks[i].stack, file: stacks[i].file, ...p })),
        ...(checks ? { checks: [...checks.values()] } : {}),
        impact: impactByProject(plans.flatMap((p) => [...p.entries]), supportedOf(checks)),
      };
      process.stdout.write(JSON.stringify(out, null, 2) + '\n');
    } else if (format === 'markdown') {
      process.stdout.write(renderMarkdown(plans, now, { checks, verbose: o.verbose }));
    } else {
      process.stdout.write(renderPlans(plans, paint(colourWanted(process.stdout, o.color)), now, { checks, verbose: o.verbose }));
      for (const p of stacks) process.stdout.write(`Plan file: ${p.file}\n`);
    }
    if (!o.detailedExitcode && !o.check) return PLAN_EXIT.NO_CHANGES;
    if (hasProblems(plans)) return PLAN_EXIT.BLOCKED;
    return hasChanges(plans) ? PLAN_EXIT.CHANGES : PLAN_EXIT.NO_CHANGES;
  } finally {
    await shared?.client.close();
  }
}
