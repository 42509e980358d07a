/**
 * The seam between the two kinds of thing Manila migrates: a share server (backends that
 * handle share servers) and a single share (share migration, mostly on backends that do not).
 * Everything that differs between them is here: where the actions go, what the statuses are
 * called, and how a host is written. The runner, the state reading and the plan ask this
 * table, so the rest of the flow is one flow (docs/share-migration.md §6).
 */

/** What a move moves. */
export type ResourceKind = 'share-server' | 'share';

/** What differs between the two kinds. */
export interface ResourceTraits {
  /** The API collection: `POST /v2/<path>/{id}/action`. */
  readonly path: 'share-servers' | 'shares';
  /** How messages name one. */
  readonly noun: string;
  /** Statuses Manila gives it, in and out of a migration. */
  readonly status: {
    /** Usable, no migration: share servers `active`, shares `available`. */
    readonly idle: string;
    /** The source of a migration in flight. */
    readonly migrating: string;
    /** The destination of a migration in flight (a share server record, or a share instance). */
    readonly migratingTo: string;
  };
  /** Whether Manila offers a read-only `migration_check` (shares have none: share/api.py). */
  readonly hasCheck: boolean;
  /** Whether a migration gives it a new id (share servers do; a share keeps its id). */
  readonly newIdAfterMove: boolean;
  /** The `manila` client's command that clears a task state, for hints. */
  readonly resetTaskStateCommand: string;
}

export const RESOURCES: Readonly<Record<ResourceKind, ResourceTraits>> = {
  'share-server': {
    path: 'share-servers',
    noun: 'share server',
    status: { idle: 'active', migrating: 'server_migrating', migratingTo: 'server_migrating_to' },
    hasCheck: true,
    newIdAfterMove: true,
    resetTaskStateCommand: 'manila share-server-reset-task-state',
  },
  share: {
    path: 'shares',
    noun: 'share',
    status: { idle: 'available', migrating: 'migrating', migratingTo: 'migrating_to' },
    hasCheck: false,
    newIdAfterMove: false,
    resetTaskStateCommand: 'manila reset-task-state',
  },
};

/** The kind of a record or plan entry; records without the field are share servers (plans written before shares). */
export function kindOf(r: { readonly resource?: ResourceKind } | undefined): ResourceKind {
  return r?.resource ?? 'share-server';
}

/** The traits of a record's kind. */
export function traitsOf(r: { readonly resource?: ResourceKind } | undefined): ResourceTraits {
  return RESOURCES[kindOf(r)];
}

/** `host@backend` of a host that may carry a pool (`host@backend#pool`): what limits count per host. */
export function backendHostOf(host: string): string {
  const i = host.indexOf('#');
  return i < 0 ? host : host.slice(0, i);
}
