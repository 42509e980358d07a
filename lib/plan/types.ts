import type { z } from 'zod';
import type { MigrationFlags } from '../manila/types';
import type * as schema from './schema';
import type { CompletionWindow } from './window';

/**
 * Declarations (what the operator wants) and plans (what would change), as plain data.
 * Constructs produce declarations; `plan()` turns declarations and a snapshot into a Plan;
 * the runner executes a Plan. Nothing here does I/O.
 *
 * Every type is derived from its schema in lib/plan/schema.ts (one model, one source), read-only
 * all the way down; the fields' JSDoc lives on the schema.
 */

/** `T` with every property, array and nested object read-only. */
type DeepReadonly<T> = T extends (infer U)[] ? readonly DeepReadonly<U>[] : T extends object ? { readonly [K in keyof T]: DeepReadonly<T[K]> } : T;

/** The read-only type of what a schema accepts. */
type Model<S extends z.ZodType> = DeepReadonly<z.infer<S>>;

/** `auto` or `manual`: a completion policy without a window. */
export type CompletionMode = (typeof schema.COMPLETION_MODES)[number];

/**
 * How a migration finishes once phase 1 is done: `auto` completes at once, `manual` waits for
 * `apply --complete`, a window completes only while a maintenance window is open.
 */
export type Completion = Model<typeof schema.completionSchema>;

/** A window's next opening as the plan computed it from the snapshot's time (ISO 8601). */
export type NextWindow = Model<typeof schema.nextWindowSchema>;

/** The kind of a declaration: `placement`, `evacuation` or `rebalance`. */
export type DeclarationKind = (typeof schema.DECLARATION_KINDS)[number];

/**
 * Which share servers a declaration is about. Exactly one of `shareServerId`, `shareNetwork`
 * or `shares` is set.
 */
export type ServerSelector = Model<typeof schema.serverSelectorSchema>;

/** Place the selected share servers on one host. */
export type PlacementDeclaration = Model<typeof schema.placementDeclarationSchema>;

/** Move every share server off a host, spread over targets. */
export type EvacuationDeclaration = Model<typeof schema.evacuationDeclarationSchema>;

/**
 * What a rebalance evens out across its hosts:
 * - `server-count`: the number of share servers per host;
 * - `allocated-gb`: the allocated GiB per host, the sum of the sizes of the shares its share servers hold;
 * - `free-ratio`: the free share of the capacity the host's pools report (free / total GiB).
 */
export type RebalanceObjective = (typeof schema.REBALANCE_OBJECTIVES)[number];

/**
 * Spread share servers over a set of backend hosts so that the objective is even, with the
 * fewest moves. Exactly one of `hosts` or `hostPattern` is set. All numbers are in the
 * objective's unit: servers, GiB, or a ratio between 0 and 1.
 */
export type RebalanceDeclaration = Model<typeof schema.rebalanceDeclarationSchema>;

/** Any declaration. */
export type Declaration = Model<typeof schema.declarationSchema>;

/** What the plan saw of a server: the runner refuses to act when live state differs (stale plan). */
export type ObservedServer = Model<typeof schema.observedServerSchema>;

/** A share a move carries. */
export type ObservedShare = Model<typeof schema.observedShareSchema>;

/** Why a move cannot be made, with a stable code. */
export type BlockedReason = Model<typeof schema.blockedReasonSchema>;

/** What a plan entry does: `in-sync`, `migrate`, `resume`, `conflict`, `blocked` or `unmatched`. */
export type PlanAction = (typeof schema.PLAN_ACTIONS)[number];

/** The server is already where it should be. */
export type InSyncEntry = Model<typeof schema.inSyncEntrySchema>;

/** A migration to make. */
export type MigrateEntry = Model<typeof schema.migrateEntrySchema>;

/** Already migrating toward the declared host: the runner continues at the right step. */
export type ResumeEntry = Model<typeof schema.resumeEntrySchema>;

/** Migrating somewhere else than declared: nothing is done until that migration ends. */
export type ConflictEntry = Model<typeof schema.conflictEntrySchema>;

/** The move is wanted but cannot be made; every reason the snapshot reveals. */
export type BlockedEntry = Model<typeof schema.blockedEntrySchema>;

/** A selector matched nothing: an error. */
export type UnmatchedEntry = Model<typeof schema.unmatchedEntrySchema>;

/** One line of a plan. */
export type PlanEntry = Model<typeof schema.planEntrySchema>;

/** The result of planning: deterministic for the same declarations and snapshot. */
export type Plan = Model<typeof schema.planSchema>;

/** `balance`: a host evened out with the others; `drain`: a host emptied. */
export type RebalanceRole = (typeof schema.REBALANCE_ROLES)[number];

/** One host of a rebalance: its load before and after the plan, in the objective's unit. */
export type RebalanceHostLoad = Model<typeof schema.rebalanceHostLoadSchema>;

/** Why a rebalance stopped planning moves. */
export type RebalanceStop = (typeof schema.REBALANCE_STOPS)[number];

/** The explanation of one rebalance declaration in a plan. */
export type RebalanceExplanation = Model<typeof schema.rebalanceExplanationSchema>;

// Compile-time proof that the schemas agree with the enums and with the interfaces kept elsewhere:
// lib/manila's MigrationFlags (manila knows nothing of plans) and lib/plan/window.ts's CompletionWindow.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const agree = <_ extends true>(): void => undefined;
agree<Same<PlanEntry['action'], PlanAction>>();
agree<Same<Declaration['kind'], DeclarationKind>>();
agree<Same<RebalanceHostLoad['role'], RebalanceRole>>();
agree<Same<MigrateEntry['flags'], MigrationFlags>>();
agree<Same<Model<typeof schema.completionWindowSchema>, CompletionWindow>>();
agree<Same<Completion, CompletionMode | { readonly window: CompletionWindow }>>();

/** Entries that need the runner. */
export function pendingMoves(plan: Plan): Array<MigrateEntry | ResumeEntry> {
  return plan.entries.filter((e): e is MigrateEntry | ResumeEntry => e.action === 'migrate' || e.action === 'resume');
}
