import { z } from 'zod';

/**
 * Share server migration as Manila's API describes it: the task states, the demands and
 * parameters of `migration_check`/`migration_start`, and what `migration_check` and
 * `migration_get_progress` answer. Each schema is built once.
 */

/** Share server task states (Manila's `SERVER_TASK_STATE_STATUSES` plus the manager-only `migration_driver_starting`). */
export type TaskState =
  | 'migration_starting'
  | 'migration_in_progress'
  | 'migration_driver_starting'
  | 'migration_driver_in_progress'
  | 'migration_driver_phase1_done'
  | 'migration_completing'
  | 'migration_success'
  | 'migration_error'
  | 'migration_cancel_in_progress'
  | 'migration_cancelled';

/** Capabilities demanded of a migration. Each `true` is a demand: Manila fails the move unless the driver can. */
export interface MigrationFlags {
  /** Shares stay writable during phase 1. @default false */
  readonly writable: boolean;
  /** Clients see no disruption at all (no new export locations). @default false */
  readonly nondisruptive: boolean;
  /** Snapshots move with the shares. @default false */
  readonly preserveSnapshots: boolean;
  /**
   * Share moves only: demand that the driver keeps the share's metadata. Sent `true` unless
   * told otherwise: with every demand false, a failed driver path falls back silently to a
   * host-assisted copy, which needs Manila's data service (docs/share-migration.md §0.5).
   * @default true
   */
  readonly preserveMetadata?: boolean;
}

/** Parameters of `migration_check` and `migration_start`. */
export interface MigrationParams extends MigrationFlags {
  /** Destination `name@backend`. */
  readonly host: string;
  /** Move to this share network; `null` keeps the current one. */
  readonly newShareNetworkId: string | null;
  /** Share moves only: retype the share on the way (`new_share_type_id`); `null` keeps its type. @default null */
  readonly newShareTypeId?: string | null;
}

/** What `migration_check` answered. Supported values may be `null` when the driver could not be asked. */
export interface MigrationCheckResult {
  readonly compatible: boolean;
  readonly requested: Readonly<Record<string, unknown>>;
  readonly supported: {
    readonly writable: boolean | null;
    readonly nondisruptive: boolean | null;
    readonly preserveSnapshots: boolean | null;
    readonly migrationCancel: boolean | null;
    readonly migrationGetProgress: boolean | null;
    readonly shareNetworkId: string | null;
  };
}

const checkSchema = z.object({
  compatible: z.boolean(),
  requested_capabilities: z.record(z.string(), z.unknown()).nullish(),
  supported_capabilities: z
    .object({
      writable: z.boolean().nullish(),
      nondisruptive: z.boolean().nullish(),
      preserve_snapshots: z.boolean().nullish(),
      migration_cancel: z.boolean().nullish(),
      migration_get_progress: z.boolean().nullish(),
      share_network_id: z.string().nullish(),
    })
    .loose()
    .nullish(),
});

const checkView = checkSchema.transform((c): MigrationCheckResult => {
  const s = c.supported_capabilities ?? {};
  return {
    compatible: c.compatible,
    requested: c.requested_capabilities ?? {},
    supported: {
      writable: s.writable ?? null,
      nondisruptive: s.nondisruptive ?? null,
      preserveSnapshots: s.preserve_snapshots ?? null,
      migrationCancel: s.migration_cancel ?? null,
      migrationGetProgress: s.migration_get_progress ?? null,
      shareNetworkId: s.share_network_id ?? null,
    },
  };
});

/** Parses a `migration_check` answer. */
export function parseCheck(raw: unknown): MigrationCheckResult {
  return checkView.parse(raw);
}

/** What `migration_get_progress` answered: the destination's task state. */
export interface MigrationProgress {
  /** 0-100. */
  readonly totalProgress: number;
  /** Destination's task_state; `null` early in phase 1 (2024.1+ answers empty strings). */
  readonly taskState: string | null;
  readonly destinationShareServerId: string | null;
}

const progressView = z
  .object({ total_progress: z.union([z.number(), z.string()]).nullish(), task_state: z.string().nullish(), destination_share_server_id: z.string().nullish() })
  .loose()
  .transform((p): MigrationProgress => {
    const n = typeof p.total_progress === 'string' ? Number(p.total_progress) : p.total_progress;
    return {
      totalProgress: Number.isFinite(n) ? Math.max(0, Math.min(100, n as number)) : 0,
      // 2024.1+ answers empty strings early in phase 1.
      taskState: p.task_state ? p.task_state : null,
      destinationShareServerId: p.destination_share_server_id ? p.destination_share_server_id : null,
    };
  });

/** Parses a `migration_get_progress` answer. */
export function parseProgress(raw: unknown): MigrationProgress {
  return progressView.parse(raw);
}
