import type { MigrationFlags } from '../manila/types';
import type { CompletionWindow } from './window';

/**
 * Declarations (what the operator wants) and plans (what would change), as plain data.
 * Constructs produce declarations; `plan()` turns declarations and a snapshot into a Plan;
 * the runner executes a Plan. Nothing here does I/O.
 */

/**
 * How a migration finishes once phase 1 is done: `auto` completes at once, `manual` waits for
 * `apply --complete`, a window completes only while a maintenance window is open.
 */
export type Completion = 'auto' | 'manual' | { readonly window: CompletionWindow };

/** A window's next opening as the plan computed it from the snapshot's time (ISO 8601). */
export interface NextWindow {
  readonly opens: string;
  readonly closes: string;
}

/**
 * Which share servers a declaration is about. Exactly one of `shareServerId`, `shareNetwork`
 * or `shares` is set.
 */
export interface ServerSelector {
  /** A share server id. Followed through its lineage: after a migration the new server carries it as `sourceShareServerId`. */
  readonly shareServerId?: string;
  /** A share network, by name or id: every share server of that network. */
  readonly shareNetwork?: string;
  /** Narrows `shareNetwork` given by name to one project (id). */
  readonly project?: string;
  /** Share names or ids: the share servers that hold any of them. */
  readonly shares?: readonly string[];
}

/** Place the selected share servers on one host. */
export interface PlacementDeclaration {
  readonly kind: 'placement';
  /** Construct path, used in every message about it. */
  readonly path: string;
  readonly select: ServerSelector;
  /** Destination `name@backend`. */
  readonly host: string;
  readonly flags: MigrationFlags;
  /** Move to this share network (name or id) as well. */
  readonly newShareNetwork?: string;
  readonly completion: Completion;
}

/** Move every share server off a host, spread over targets. */
export interface EvacuationDeclaration {
  readonly kind: 'evacuation';
  readonly path: string;
  /** The host to empty, `name@backend`. */
  readonly sourceHost: string;
  /** Destinations, `name@backend`, at least one. */
  readonly targets: readonly string[];
  /** At most this many servers per target (counting those already there). */
  readonly maxPerTarget?: number;
  readonly flags: MigrationFlags;
  readonly completion: Completion;
}

/**
 * What a rebalance evens out across its hosts:
 * - `server-count`: the number of share servers per host;
 * - `allocated-gb`: the allocated GiB per host, the sum of the sizes of the shares its share servers hold;
 * - `free-ratio`: the free share of the capacity the host's pools report (free / total GiB).
 */
export type RebalanceObjective = 'server-count' | 'allocated-gb' | 'free-ratio';

/**
 * Spread share servers over a set of backend hosts so that the objective is even, with the
 * fewest moves. Exactly one of `hosts` or `hostPattern` is set. All numbers are in the
 * objective's unit: servers, GiB, or a ratio between 0 and 1.
 */
export interface RebalanceDeclaration {
  readonly kind: 'rebalance';
  /** Construct path, used in every message about it. */
  readonly path: string;
  /** Candidate hosts, `name@backend`. */
  readonly hosts?: readonly string[];
  /** Candidate hosts: every manila-share host of the snapshot whose `name@backend` matches (glob with `*` and `?`, or `/regex/` with optional `i` flag). */
  readonly hostPattern?: string;
  /** What to even out. */
  readonly objective: RebalanceObjective;
  /** At most this many migrations per plan; undefined: no limit. */
  readonly maxMoves?: number;
  /** Hosts to empty: sources only, never destinations. Part of the rebalance even when not among the candidates. */
  readonly drain: readonly string[];
  /** Hosts left out: neither source nor destination, not counted. */
  readonly exclude: readonly string[];
  /** Largest spread (most loaded minus least loaded host) that counts as balanced. */
  readonly tolerance: number;
  /** A move is made only if it lowers the more loaded of its two hosts by at least this much. Positive. */
  readonly minGain: number;
  /** Free GiB a destination keeps after a move. */
  readonly reserveGb: number;
  /** Share of its total capacity a destination keeps free after a move (0 to 1). */
  readonly reserveRatio: number;
  readonly flags: MigrationFlags;
  readonly completion: Completion;
}

/** Any declaration. */
export type Declaration = PlacementDeclaration | EvacuationDeclaration | RebalanceDeclaration;

/** What the plan saw of a server: the runner refuses to act when live state differs (stale plan). */
export interface ObservedServer {
  readonly id: string;
  readonly host: string;
  readonly status: string;
  readonly taskState: string | null;
  readonly shareNetworkId?: string;
  readonly shareNetworkName?: string;
  readonly projectId: string;
  /** Ids of the shares it holds, sorted. */
  readonly shareIds: readonly string[];
  /** The shares it holds, as their users know them (sorted by id); what a move does to them. */
  readonly shares?: readonly ObservedShare[];
}

/** A share a move carries. */
export interface ObservedShare {
  readonly id: string;
  readonly name?: string;
  /** GiB. */
  readonly size: number;
  /** `NFS`, `CIFS`, ... when the snapshot recorded it. */
  readonly protocol?: string;
  /** Its snapshots (Manila moves them, or refuses the move when the driver cannot). */
  readonly snapshots: number;
}

/** Why a move cannot be made, with a stable code. */
export interface BlockedReason {
  /** e.g. `SERVER_NOT_ACTIVE`, `NO_SHARES`, `SAME_BACKEND`, `DEST_UNKNOWN`, `DEST_DISABLED`, `DEST_DOWN`, `DEST_NOT_DHSS`, `SHARE_NOT_AVAILABLE`, `SHARE_HAS_REPLICAS`, `SHARE_IN_GROUP`, `SNAPSHOT_NOT_AVAILABLE`, `HOST_FORMAT`, `NO_CAPACITY` */
  readonly code: string;
  readonly message: string;
}

interface EntryBase {
  /** Stable key of this entry within the plan (declaration path + server lineage). */
  readonly key: string;
  /** Construct path of the declaration. */
  readonly declaration: string;
}

/** The server is already where it should be. */
export interface InSyncEntry extends EntryBase {
  readonly action: 'in-sync';
  readonly server: ObservedServer;
  readonly host: string;
}

/** A migration to make. */
export interface MigrateEntry extends EntryBase {
  readonly action: 'migrate';
  readonly server: ObservedServer;
  readonly from: string;
  readonly to: string;
  readonly flags: MigrationFlags;
  /** Resolved share network id, or null to keep the current one. */
  readonly newShareNetworkId: string | null;
  readonly completion: Completion;
  /** The next maintenance window after the snapshot was taken, for a windowed completion. */
  readonly nextWindow?: NextWindow;
  /** Why this destination (evacuations, rebalancing). */
  readonly why?: string;
}

/** Already migrating toward the declared host: the runner continues at the right step. */
export interface ResumeEntry extends EntryBase {
  readonly action: 'resume';
  readonly server: ObservedServer;
  readonly from: string;
  readonly to: string;
  readonly flags: MigrationFlags;
  readonly newShareNetworkId: string | null;
  readonly completion: Completion;
  /** The next maintenance window after the snapshot was taken, for a windowed completion. */
  readonly nextWindow?: NextWindow;
}

/** Migrating somewhere else than declared: nothing is done until that migration ends. */
export interface ConflictEntry extends EntryBase {
  readonly action: 'conflict';
  readonly server: ObservedServer;
  readonly to: string;
  /** Where it is migrating now, when known. */
  readonly migratingTo?: string;
  readonly message: string;
}

/** The move is wanted but cannot be made; every reason the snapshot reveals. */
export interface BlockedEntry extends EntryBase {
  readonly action: 'blocked';
  readonly server: ObservedServer;
  readonly to: string;
  readonly reasons: readonly BlockedReason[];
}

/** A selector matched nothing: an error. */
export interface UnmatchedEntry extends EntryBase {
  readonly action: 'unmatched';
  readonly message: string;
}

/** One line of a plan. */
export type PlanEntry = InSyncEntry | MigrateEntry | ResumeEntry | ConflictEntry | BlockedEntry | UnmatchedEntry;

/** The result of planning: deterministic for the same declarations and snapshot. */
export interface Plan {
  readonly kind: 'manila-placement/plan';
  readonly version: 1;
  /** The snapshot it was computed from. */
  readonly snapshot: {
    readonly digest: string;
    readonly takenAt: string;
    readonly cloud: { readonly authUrl: string; readonly endpoint: string; readonly region?: string };
  };
  /** Entries sorted by key. */
  readonly entries: readonly PlanEntry[];
  /** Counts per action. */
  readonly summary: Readonly<Record<PlanEntry['action'], number>>;
  /** How each rebalance declaration spread the load, sorted by declaration path. Absent when the plan has no rebalance. */
  readonly rebalance?: readonly RebalanceExplanation[];
}

/** One host of a rebalance: its load before and after the plan, in the objective's unit. */
export interface RebalanceHostLoad {
  /** `name@backend`. */
  readonly host: string;
  /** `balance`: evened out with the others; `drain`: emptied. */
  readonly role: 'balance' | 'drain';
  /** Load before the plan (servers in flight count on the host they are migrating to); null when unknown (free-ratio without pool capacity). */
  readonly before: number | null;
  /** Load once every move of the plan is done; null when unknown. */
  readonly after: number | null;
  /** Servers that count here but cannot be moved (in flight, blocked, source service down). */
  readonly pinned: number;
  /** Why it takes no server (blocked reason codes, or `NO_CAPACITY_DATA`); absent when it can receive. */
  readonly cannotReceive?: readonly string[];
}

/** Why a rebalance stopped planning moves. */
export type RebalanceStop = 'balanced' | 'max-moves' | 'no-gain' | 'drain-blocked';

/** The explanation of one rebalance declaration in a plan. */
export interface RebalanceExplanation {
  /** Construct path of the declaration. */
  readonly declaration: string;
  readonly objective: RebalanceObjective;
  /** Every host of the rebalance, sorted by name. */
  readonly hosts: readonly RebalanceHostLoad[];
  /** Migrations planned (migrate entries of this declaration). */
  readonly moves: number;
  /** Spread of the balanced hosts before and after (most minus least loaded); drained hosts do not count. */
  readonly spread: { readonly before: number; readonly after: number };
  readonly tolerance: number;
  /** True when, after the plan, the spread is within tolerance and every drained host is empty. */
  readonly balanced: boolean;
  /**
   * `balanced`: within tolerance and every drained host empty; `max-moves`: the limit was
   * reached first; `no-gain`: the spread is above tolerance and no allowed move gains minGain
   * or more (as even as single moves can make it); `drain-blocked`: within tolerance, but a
   * drained host keeps servers that cannot leave it.
   */
  readonly stop: RebalanceStop;
  /** What could not be resolved against the snapshot (unknown hosts, a pattern matching nothing): synth fails on these. */
  readonly problems: readonly string[];
  /** Facts worth knowing: hosts skipped and why, servers pinned, the snapshot's limits. */
  readonly notes: readonly string[];
}

/** Entries that need the runner. */
export function pendingMoves(plan: Plan): Array<MigrateEntry | ResumeEntry> {
  return plan.entries.filter((e): e is MigrateEntry | ResumeEntry => e.action === 'migrate' || e.action === 'resume');
}
