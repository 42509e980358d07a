import type { ResourceKind } from '../resource';
import { z } from 'zod';

/** Share servers (`GET /share-servers`, `/share-servers/{id}`), as ../types.ts describes the view. */

/** A share server. */
export interface ShareServer {
  readonly id: string;
  readonly projectId: string;
  readonly status: string;
  /** `name@backend`, never with a pool. */
  readonly host: string;
  readonly shareNetworkId?: string;
  readonly shareNetworkName?: string;
  /** Null when no task runs. Needs microversion 2.57. */
  readonly taskState: string | null;
  /** The server this one was migrated from (2.57). Kept after success. */
  readonly sourceShareServerId: string | null;
  readonly identifier?: string;
  readonly isAutoDeletable?: boolean;
  /** Subnets (2.51-2.69 one, 2.70+ a list). */
  readonly shareNetworkSubnetIds: readonly string[];
  readonly createdAt?: string;
  readonly updatedAt?: string;
  /**
   * Set on a share seen as the record a move follows (share migration, ../share-record.ts):
   * `id`, `status`, `taskState` and `host` (`host@backend#pool`) are then the share's.
   * @default 'share-server'
   */
  readonly resource?: ResourceKind;
}

const shareServerSchema = z
  .object({
    id: z.string(),
    project_id: z.string().nullish(),
    status: z.string(),
    host: z.string().nullish(),
    share_network_id: z.string().nullish(),
    share_network_name: z.string().nullish(),
    task_state: z.string().nullish(),
    source_share_server_id: z.string().nullish(),
    identifier: z.string().nullish(),
    is_auto_deletable: z.boolean().nullish(),
    share_network_subnet_id: z.string().nullish(),
    share_network_subnet_ids: z.array(z.string()).nullish(),
    created_at: z.string().nullish(),
    updated_at: z.string().nullish(),
  })
  .loose();

const shareServerView = shareServerSchema.transform((s): ShareServer => {
  const subnets = s.share_network_subnet_ids ?? (s.share_network_subnet_id ? [s.share_network_subnet_id] : []);
  return {
    id: s.id,
    projectId: s.project_id ?? '',
    status: s.status,
    host: s.host ?? '',
    shareNetworkId: s.share_network_id ?? undefined,
    shareNetworkName: s.share_network_name ?? undefined,
    taskState: s.task_state ?? null,
    sourceShareServerId: s.source_share_server_id ?? null,
    identifier: s.identifier ?? undefined,
    isAutoDeletable: s.is_auto_deletable ?? undefined,
    shareNetworkSubnetIds: [...subnets].sort(),
    createdAt: s.created_at ?? undefined,
    updatedAt: s.updated_at ?? undefined,
  };
});

/** Parses one share server from Manila's JSON. */
export function parseShareServer(raw: unknown): ShareServer {
  return shareServerView.parse(raw);
}
