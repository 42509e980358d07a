import { InputError } from '../errors';
import { snapshotDigest, type CloudSnapshot } from '../snapshot/model';
import type { Declaration, Plan, PlanEntry, RebalanceExplanation } from './types';
import { createContext, type PlanContext } from './plan-context';
import { planEvacuation } from './evacuation';
import { compareStrings } from '../util/compare';
import { problemsIn, type DeclarationProblem } from './overlap';
import { planPlacement } from './placement';
import { planRebalance } from './rebalance';
import { PLAN_ACTIONS as ACTIONS } from './schema';
import { windowAt } from './window';

/**
 * Planning: declarations + snapshot -> Plan. Pure and deterministic: no I/O, no clock, no
 * randomness; the same inputs (in any list order) give the same plan.
 */

/** How to fix declarations that contradict each other (the hint of `plan()`'s error, and of synth's). */
export const CONTRADICTION_HINT =
  'Each share server may be selected by one declaration only, and no declaration may send servers to a host another one evacuates or rebalances. Change the declarations named above.';

/** What planning finds: the contradictions between the declarations, and the plan when there are none. */
export interface PlanAnalysis {
  /** Overlaps, conflicts, duplicate paths and clashing keys between declarations; empty when planned. */
  readonly problems: readonly DeclarationProblem[];
  /** The plan: present exactly when `problems` is empty. */
  readonly plan?: Plan;
}

/**
 * Checks the declarations against each other and, if they agree, plans them, normalising and
 * indexing the snapshot once for both. Pure; returns the contradictions instead of throwing,
 * so a caller (the PlacementStack) can report each one as a validation message.
 */
export function analysePlan(declarations: readonly Declaration[], snapshot: CloudSnapshot): PlanAnalysis {
  const ctx = createContext(snapshot);
  const problems = problemsIn(declarations, ctx);
  return problems.length > 0 ? { problems } : { problems, plan: planIn(declarations, snapshot, ctx) };
}

/**
 * Computes what would change for `declarations` given `snapshot`.
 * @throws InputError `MP_DECLARATION_OVERLAP` when two declarations select the same server (or evacuate the same host),
 *   `MP_DECLARATION_CONFLICT` when one sends servers to a host another evacuates or rebalances,
 *   `MP_DECLARATION_DUPLICATE` / `MP_DECLARATION_KEY_CLASH` when two declarations share a path or a key.
 */
export function plan(declarations: readonly Declaration[], snapshot: CloudSnapshot): Plan {
  const a = analysePlan(declarations, snapshot);
  if (a.plan) return a.plan;
  throw new InputError(a.problems[0].code, a.problems.map((p) => p.message).join('\n'), CONTRADICTION_HINT);
}

/** The plan of declarations that do not contradict each other. */
function planIn(declarations: readonly Declaration[], snapshot: CloudSnapshot, ctx: PlanContext): Plan {
  const rebalance: RebalanceExplanation[] = [];
  const entries = declarations
    .flatMap((d) => {
      switch (d.kind) {
        case 'placement':
          return planPlacement(d, ctx);
        case 'evacuation':
          return planEvacuation(d, ctx);
        case 'rebalance': {
          const r = planRebalance(d, ctx);
          rebalance.push(...r.explanations);
          return r.entries;
        }
      }
    })
    .sort((a, b) => compareStrings(a.key, b.key))
    .map((e) => withNextWindow(e, Date.parse(snapshot.takenAt)));
  const summary = Object.fromEntries(ACTIONS.map((a) => [a, entries.filter((e) => e.action === a).length])) as Record<PlanEntry['action'], number>;
  const { cloud } = ctx.snapshot;
  return {
    kind: 'manila-placement/plan',
    version: 1,
    snapshot: {
      digest: snapshotDigest(ctx.snapshot),
      takenAt: snapshot.takenAt,
      cloud: { authUrl: cloud.authUrl, endpoint: cloud.endpoint, ...(cloud.region !== undefined ? { region: cloud.region } : {}) },
    },
    entries,
    summary,
    ...(rebalance.length > 0 ? { rebalance: rebalance.sort((a, b) => compareStrings(a.declaration, b.declaration)) } : {}),
  };
}

/** A windowed move with the next window after the snapshot's time (so the plan stays a function of its inputs). */
function withNextWindow(e: PlanEntry, at: number): PlanEntry {
  if ((e.action !== 'migrate' && e.action !== 'resume') || typeof e.completion === 'string' || !Number.isFinite(at)) return e;
  const w = windowAt(e.completion.window, at);
  if (!Number.isFinite(w.opensAt)) return e;
  return { ...e, nextWindow: { opens: new Date(w.opensAt).toISOString(), closes: new Date(w.closesAt).toISOString() } };
}
