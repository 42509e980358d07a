import { z } from 'zod';
import { KEY_PATTERN } from './key';

/**
 * The plan's model, in one place: the zod schema of a plan file's content (version 1, as
 * `serializePlan` writes it), the schemas of the declarations the constructs build, and the enums
 * both share with the code. lib/plan/types.ts derives every type from these with `z.infer`: the
 * JSDoc on a field here is what an editor shows on that field of the type.
 */

/** Completion policies that need no window: `auto` completes at once, `manual` waits for `apply --complete`. */
export const COMPLETION_MODES = ['auto', 'manual'] as const;
/** What a plan entry does, in the order of the plan's summary. */
export const PLAN_ACTIONS = ['in-sync', 'migrate', 'resume', 'conflict', 'blocked', 'unmatched'] as const;
/** What a rebalance can even out across its hosts. */
export const REBALANCE_OBJECTIVES = ['server-count', 'allocated-gb', 'free-ratio'] as const;
/** Why a rebalance stopped planning moves. */
export const REBALANCE_STOPS = ['balanced', 'max-moves', 'no-gain', 'drain-blocked'] as const;
/** The part a host plays in a rebalance. */
export const REBALANCE_ROLES = ['balance', 'drain'] as const;
/** What a move can move (lib/manila/resource.ts). */
export const RESOURCE_KINDS = ['share-server', 'share'] as const;
/** The kinds of declaration. */
export const DECLARATION_KINDS = ['placement', 'evacuation', 'rebalance'] as const;

/**
 * `z.object(shape).strict()`, typed with the shape as written: declaration files then keep the
 * fields' JSDoc (zod's own return type maps the shape, which drops it).
 */
function strictObject<S extends z.core.$ZodLooseShape>(shape: S): z.ZodObject<S, z.core.$strict> {
  return z.object(shape).strict();
}

/** Capabilities demanded of a migration (lib/manila's MigrationFlags, checked in types.ts). */
export const migrationFlagsSchema = strictObject({
  /** Shares stay writable during phase 1. @default false */
  writable: z.boolean(),
  /** Clients see no disruption at all (no new export locations). @default false */
  nondisruptive: z.boolean(),
  /** Snapshots move with the shares. @default false */
  preserveSnapshots: z.boolean(),
  /** Share moves only: the share's metadata must be kept. Absent means `true` (lib/manila/migration.ts). @default true */
  preserveMetadata: z.boolean().optional(),
});

/** A recurring maintenance window (lib/plan/window.ts's CompletionWindow, checked in types.ts). */
export const completionWindowSchema = strictObject({
  /** Five-field cron schedule of the window's start, e.g. `0 2 * * SAT` (02:00 every Saturday). */
  cron: z.string(),
  /** How long each window stays open, in minutes (1 to 10080). */
  durationMinutes: z.number().int().positive(),
  /** IANA time zone the schedule is read in, e.g. `Europe/Berlin`. @default 'UTC' */
  timezone: z.string().optional(),
});

/** A windowed completion: complete only while the window is open. */
const windowedCompletionSchema = strictObject({ window: completionWindowSchema });

/** How a migration finishes once phase 1 is done. */
export const completionSchema = z.union([z.enum(COMPLETION_MODES), windowedCompletionSchema]);

/** A window's next opening as the plan computed it from the snapshot's time (ISO 8601). */
export const nextWindowSchema = strictObject({ opens: z.string(), closes: z.string() });

// ---- Declarations: built by the constructs, never read from a file. These schemas are the
// source of their types.

/** Which share servers a declaration is about. */
export const serverSelectorSchema = strictObject({
  /** A share server id. Followed through its lineage: after a migration the new server carries it as `sourceShareServerId`. */
  shareServerId: z.string().optional(),
  /** A share network, by name or id: every share server of that network. */
  shareNetwork: z.string().optional(),
  /** Narrows `shareNetwork` given by name to one project (id). */
  project: z.string().optional(),
  /** Share names or ids: the share servers that hold any of them (for a share placement: those shares). */
  shares: z.array(z.string()).optional(),
  /** Share placements only: every share of this share type (name or id), narrowed by `project`. */
  shareType: z.string().optional(),
  /** Share placements only: every share whose metadata has all these keys with these values. */
  metadata: z.record(z.string(), z.string()).optional(),
});

/** Place the selected share servers on one host. */
export const placementDeclarationSchema = strictObject({
  kind: z.literal('placement'),
  /** Construct path, used in every message about it. */
  path: z.string(),
  select: serverSelectorSchema,
  /** `share`: each selected share moves by itself (share migration) to `host`, a pool. @default 'share-server' */
  resource: z.enum(RESOURCE_KINDS).optional(),
  /** Destination `name@backend` (for a share placement `name@backend#pool`). */
  host: z.string(),
  flags: migrationFlagsSchema,
  /** Move to this share network (name or id) as well. */
  newShareNetwork: z.string().optional(),
  /** Share placements only: retype each share to this share type (name or id) on the way. */
  newShareType: z.string().optional(),
  completion: completionSchema,
});

/** Move every share server off a host, spread over targets. */
export const evacuationDeclarationSchema = strictObject({
  kind: z.literal('evacuation'),
  /** Construct path, used in every message about it. */
  path: z.string(),
  /** The host to empty, `name@backend`. */
  sourceHost: z.string(),
  /** Destinations, `name@backend`, at least one. */
  targets: z.array(z.string()),
  /** At most this many servers per target (counting those already there). */
  maxPerTarget: z.number().int().positive().optional(),
  flags: migrationFlagsSchema,
  completion: completionSchema,
});

/** Spread share servers over a set of backend hosts so that the objective is even, with the fewest moves. */
export const rebalanceDeclarationSchema = strictObject({
  kind: z.literal('rebalance'),
  /** Construct path, used in every message about it. */
  path: z.string(),
  /** Candidate hosts, `name@backend`. */
  hosts: z.array(z.string()).optional(),
  /** Candidate hosts: every manila-share host of the snapshot whose `name@backend` matches (glob with `*` and `?`, or `/regex/` with optional `i` flag). */
  hostPattern: z.string().optional(),
  /** What to even out. */
  objective: z.enum(REBALANCE_OBJECTIVES),
  /** At most this many migrations per plan; undefined: no limit. */
  maxMoves: z.number().int().positive().optional(),
  /** Hosts to empty: sources only, never destinations. Part of the rebalance even when not among the candidates. */
  drain: z.array(z.string()),
  /** Hosts left out: neither source nor destination, not counted. */
  exclude: z.array(z.string()),
  /** Largest spread (most loaded minus least loaded host) that counts as balanced. */
  tolerance: z.number(),
  /** A move is made only if it lowers the more loaded of its two hosts by at least this much. Positive. */
  minGain: z.number(),
  /** Free GiB a destination keeps after a move. */
  reserveGb: z.number(),
  /** Share of its total capacity a destination keeps free after a move (0 to 1). */
  reserveRatio: z.number(),
  flags: migrationFlagsSchema,
  completion: completionSchema,
});

/** Any declaration. */
export const declarationSchema = z.discriminatedUnion('kind', [placementDeclarationSchema, evacuationDeclarationSchema, rebalanceDeclarationSchema]);

// ---- The plan file.

/** A share a move carries. */
export const observedShareSchema = strictObject({
  id: z.string(),
  name: z.string().optional(),
  /** GiB. */
  size: z.number(),
  /** `NFS`, `CIFS`, ... when the snapshot recorded it. */
  protocol: z.string().optional(),
  /** Its snapshots (Manila moves them, or refuses the move when the driver cannot). */
  snapshots: z.number().int().nonnegative(),
});

/**
 * What the plan saw of the thing a move moves: a share server, or (with `resource: 'share'`)
 * one share, which then carries itself (`shareIds` is its own id) and whose `host` is its pool.
 */
export const observedServerSchema = strictObject({
  /** `share` for a share move (share migration); absent for a share server. @default 'share-server' */
  resource: z.enum(RESOURCE_KINDS).optional(),
  id: z.string(),
  /** `name@backend` for a share server, `name@backend#pool` for a share. */
  host: z.string(),
  status: z.string(),
  taskState: z.string().nullable(),
  shareNetworkId: z.string().optional(),
  shareNetworkName: z.string().optional(),
  projectId: z.string(),
  /** The project's name from Keystone, when the snapshot has it. */
  projectName: z.string().optional(),
  /** Ids of the shares it holds, sorted. */
  shareIds: z.array(z.string()),
  /** The shares it holds, as their users know them (sorted by id); what a move does to them. */
  shares: z.array(observedShareSchema).optional(),
});

/** Why a move cannot be made, with a stable code. */
export const blockedReasonSchema = strictObject({
  /**
   * e.g. `SERVER_NOT_ACTIVE`, `NO_SHARES`, `SAME_BACKEND`, `DEST_UNKNOWN`, `DEST_DISABLED`, `DEST_DOWN`, `DEST_NOT_DHSS`,
   * `SHARE_NOT_AVAILABLE`, `SHARE_HAS_REPLICAS`, `SHARE_IN_GROUP`, `SNAPSHOT_NOT_AVAILABLE`, `HOST_FORMAT`, `NO_CAPACITY`
   */
  code: z.string(),
  message: z.string(),
});

/** Fields of every entry. */
const entryBase = {
  /** Stable key of this entry within the plan (declaration path + server lineage). */
  key: z.string().regex(KEY_PATTERN),
  /** Construct path of the declaration. */
  declaration: z.string(),
};

/** The server is already where it should be. */
export const inSyncEntrySchema = strictObject({ ...entryBase, action: z.literal('in-sync'), server: observedServerSchema, host: z.string() });

/** A migration to make. */
export const migrateEntrySchema = strictObject({
  ...entryBase,
  action: z.literal('migrate'),
  server: observedServerSchema,
  from: z.string(),
  to: z.string(),
  flags: migrationFlagsSchema,
  /** Resolved share network id, or null to keep the current one. */
  newShareNetworkId: z.string().nullable(),
  /** Share moves only: the resolved share type id to retype to (`new_share_type_id`); absent keeps the type. */
  newShareTypeId: z.string().optional(),
  completion: completionSchema,
  /** The next maintenance window after the snapshot was taken, for a windowed completion. */
  nextWindow: nextWindowSchema.optional(),
  /** Why this destination (evacuations, rebalancing). */
  why: z.string().optional(),
});

/** Already migrating toward the declared host: the runner continues at the right step. */
export const resumeEntrySchema = strictObject({
  ...entryBase,
  action: z.literal('resume'),
  server: observedServerSchema,
  from: z.string(),
  to: z.string(),
  flags: migrationFlagsSchema,
  /** Resolved share network id, or null to keep the current one. */
  newShareNetworkId: z.string().nullable(),
  /** Share moves only: the resolved share type id to retype to (`new_share_type_id`); absent keeps the type. */
  newShareTypeId: z.string().optional(),
  completion: completionSchema,
  /** The next maintenance window after the snapshot was taken, for a windowed completion. */
  nextWindow: nextWindowSchema.optional(),
});

/** Migrating somewhere else than declared: nothing is done until that migration ends. */
export const conflictEntrySchema = strictObject({
  ...entryBase,
  action: z.literal('conflict'),
  server: observedServerSchema,
  to: z.string(),
  /** Where it is migrating now, when known. */
  migratingTo: z.string().optional(),
  message: z.string(),
});

/** The move is wanted but cannot be made; every reason the snapshot reveals. */
export const blockedEntrySchema = strictObject({ ...entryBase, action: z.literal('blocked'), server: observedServerSchema, to: z.string(), reasons: z.array(blockedReasonSchema) });

/** A selector matched nothing: an error. */
export const unmatchedEntrySchema = strictObject({ ...entryBase, action: z.literal('unmatched'), message: z.string() });

/** One line of a plan. */
export const planEntrySchema = z.discriminatedUnion('action', [
  inSyncEntrySchema,
  migrateEntrySchema,
  resumeEntrySchema,
  conflictEntrySchema,
  blockedEntrySchema,
  unmatchedEntrySchema,
]);

const count = z.number().int().nonnegative();

/** One host of a rebalance: its load before and after the plan, in the objective's unit. */
export const rebalanceHostLoadSchema = strictObject({
  /** `name@backend`. */
  host: z.string(),
  /** `balance`: evened out with the others; `drain`: emptied. */
  role: z.enum(REBALANCE_ROLES),
  /** Load before the plan (servers in flight count on the host they are migrating to); null when unknown (free-ratio without pool capacity). */
  before: z.number().nullable(),
  /** Load once every move of the plan is done; null when unknown. */
  after: z.number().nullable(),
  /** Servers that count here but cannot be moved (in flight, blocked, source service down). */
  pinned: count,
  /** Why it takes no server (blocked reason codes, or `NO_CAPACITY_DATA`); absent when it can receive. */
  cannotReceive: z.array(z.string()).optional(),
});

/** The explanation of one rebalance declaration in a plan. */
export const rebalanceExplanationSchema = strictObject({
  /** Construct path of the declaration. */
  declaration: z.string(),
  /** `share`: its hosts' backends do not handle share servers, and their shares were balanced; absent: share servers. */
  resource: z.enum(RESOURCE_KINDS).optional(),
  objective: z.enum(REBALANCE_OBJECTIVES),
  /** Every host of the rebalance, sorted by name. */
  hosts: z.array(rebalanceHostLoadSchema),
  /** Migrations planned (migrate entries of this declaration). */
  moves: count,
  /** Spread of the balanced hosts before and after (most minus least loaded); drained hosts do not count. */
  spread: strictObject({ before: z.number(), after: z.number() }),
  tolerance: z.number(),
  /** True when, after the plan, the spread is within tolerance and every drained host is empty. */
  balanced: z.boolean(),
  /**
   * `balanced`: within tolerance and every drained host empty; `max-moves`: the limit was
   * reached first; `no-gain`: the spread is above tolerance and no allowed move gains minGain
   * or more (as even as single moves can make it); `drain-blocked`: within tolerance, but a
   * drained host keeps servers that cannot leave it.
   */
  stop: z.enum(REBALANCE_STOPS),
  /** What could not be resolved against the snapshot (unknown hosts, a pattern matching nothing): synth fails on these. */
  problems: z.array(z.string()),
  /** Facts worth knowing: hosts skipped and why, servers pinned, the snapshot's limits. */
  notes: z.array(z.string()),
});

/** Counts per action, one field per action. */
const summarySchema = strictObject(Object.fromEntries(PLAN_ACTIONS.map((a) => [a, count])) as Record<(typeof PLAN_ACTIONS)[number], typeof count>);

/** The plan content, without its digest. */
export const planSchema = strictObject({
  kind: z.literal('manila-placement/plan'),
  version: z.literal(1),
  /** The snapshot it was computed from. */
  snapshot: strictObject({
    digest: z.string(),
    takenAt: z.string(),
    cloud: strictObject({ authUrl: z.string(), endpoint: z.string(), region: z.string().optional() }),
  }),
  /** Entries sorted by key. */
  entries: z.array(planEntrySchema),
  /** Counts per action. */
  summary: summarySchema,
  /** How each rebalance declaration spread the load, sorted by declaration path. Absent when the plan has no rebalance. */
  rebalance: z.array(rebalanceExplanationSchema).optional(),
});

/** A plan file: the plan plus `planDigest`. */
export const planFileSchema = planSchema.extend({ planDigest: z.string().regex(/^sha256:[0-9a-f]{64}$/) });
