import { InputError } from '../errors';
import type { ManilaClient } from '../manila/client';
import type { Plan, PlanEntry } from '../plan/types';
import { checkSnapshotAge } from '../snapshot/file';

/**
 * The checks before a run sends anything that changes the cloud, for every caller (the CLI,
 * a Terraform local-exec, a library user): the plan is for this cloud, the credentials can
 * read share server state (the admin role), the selected moves exist, the snapshot is not too old.
 */

/** Options of the preflight checks. */
export interface PreflightOptions {
  /** Only these plan entry keys. */
  readonly only?: readonly string[];
  /** Refuse a plan whose snapshot is older than this, in ms. @default no limit */
  readonly maxSnapshotAgeMs?: number;
  /** Now, in ms since the epoch. @default Date.now() */
  readonly now?: number;
}

/** One plan out of several (stacks), entries concatenated; keys hold the construct path, so they stay unique. */
export function mergePlans(plans: readonly Plan[]): Plan {
  if (plans.length === 0) throw new InputError('MP_NO_PLAN', 'There is no plan to apply.', 'The app must define a PlacementStack (see examples/move-one/main.ts).');
  if (plans.length === 1) return plans[0];
  const entries: PlanEntry[] = plans.flatMap((p) => [...p.entries]);
  const summary = { ...plans[0].summary };
  for (const p of plans.slice(1)) for (const [k, v] of Object.entries(p.summary)) summary[k as keyof typeof summary] += v;
  const rebalance = plans.flatMap((p) => [...(p.rebalance ?? [])]);
  return { ...plans[0], entries, summary, ...(rebalance.length ? { rebalance } : {}) };
}

/** Runs the checks; throws an InputError (or Manila's error for the admin probe) before anything changes. */
export async function preflight(plan: Plan, client: ManilaClient, opts: PreflightOptions = {}): Promise<void> {
  if (opts.only) {
    const keys = new Set(plan.entries.map((e) => e.key));
    const unknown = opts.only.filter((k) => !keys.has(k));
    if (unknown.length) {
      throw new InputError('MP_MOVE_UNKNOWN', `No move ${unknown.join(', ')} in the plan (it has: ${[...keys].join(', ') || 'none'}).`, 'Use a key shown by `manila-placement plan`.');
    }
  }
  if (opts.maxSnapshotAgeMs !== undefined) checkSnapshotAge(plan.snapshot.takenAt, opts.maxSnapshotAgeMs, 'The snapshot of the plan', opts.now);
  // A plan made for another cloud is refused before anything is sent to this one.
  const endpoint = await client.endpoint();
  const saw = plan.snapshot.cloud;
  if (saw.authUrl !== client.config.authUrl || saw.endpoint !== endpoint) {
    throw new InputError(
      'MP_PLAN_OTHER_CLOUD',
      `The plan was made for ${saw.endpoint} (Keystone ${saw.authUrl}), but the selected cloud is ${endpoint} (Keystone ${client.config.authUrl}).`,
      'Select the cloud the plan was made for (--os-cloud / OS_CLOUD), or plan again against this one.',
    );
  }
  // Credentials that cannot read share server state (e.g. no admin role) stop the run here,
  // before any move starts, as a run-level error.
  await client.listServices({ binary: 'manila-share' });
}
