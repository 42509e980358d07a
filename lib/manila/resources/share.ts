import { z } from 'zod';

/** Shares (`GET /shares/detail`), as ../types.ts describes the view. */

/** A share. */
export interface Share {
  readonly id: string;
  readonly name?: string;
  readonly projectId: string;
  readonly status: string;
  readonly size: number;
  /** `host@backend#pool` (admin only). */
  readonly host?: string;
  readonly shareServerId?: string;
  readonly shareNetworkId?: string;
  readonly shareTypeId?: string;
  readonly shareTypeName?: string;
  readonly availabilityZone?: string;
  readonly hasReplicas: boolean;
  readonly shareGroupId?: string;
  readonly isSoftDeleted: boolean;
  readonly taskState?: string;
  readonly accessRulesStatus?: string;
  /** `NFS`, `CIFS`, ... */
  readonly protocol?: string;
  /** The share's metadata (detail view), key to value; absent when it has none. */
  readonly metadata?: Readonly<Record<string, string>>;
  readonly createdAt?: string;
  readonly updatedAt?: string;
}

const shareSchema = z
  .object({
    id: z.string(),
    name: z.string().nullish(),
    project_id: z.string().nullish(),
    status: z.string(),
    size: z.number(),
    host: z.string().nullish(),
    share_server_id: z.string().nullish(),
    share_network_id: z.string().nullish(),
    share_type: z.string().nullish(),
    share_type_name: z.string().nullish(),
    availability_zone: z.string().nullish(),
    has_replicas: z.boolean().nullish(),
    share_group_id: z.string().nullish(),
    is_soft_deleted: z.boolean().nullish(),
    task_state: z.string().nullish(),
    access_rules_status: z.string().nullish(),
    share_proto: z.string().nullish(),
    metadata: z.record(z.string(), z.unknown()).nullish(),
    created_at: z.string().nullish(),
    updated_at: z.string().nullish(),
  })
  .loose();

const shareView = shareSchema.transform((s): Share => ({
    id: s.id,
    name: s.name ?? undefined,
    projectId: s.project_id ?? '',
    status: s.status,
    size: s.size,
    host: s.host ?? undefined,
    shareServerId: s.share_server_id ?? undefined,
    shareNetworkId: s.share_network_id ?? undefined,
    shareTypeId: s.share_type ?? undefined,
    shareTypeName: s.share_type_name ?? undefined,
    availabilityZone: s.availability_zone ?? undefined,
    hasReplicas: s.has_replicas ?? false,
    shareGroupId: s.share_group_id ?? undefined,
    isSoftDeleted: s.is_soft_deleted ?? false,
    taskState: s.task_state ?? undefined,
    accessRulesStatus: s.access_rules_status ?? undefined,
    protocol: s.share_proto ?? undefined,
    metadata: metadataOf(s.metadata),
    createdAt: s.created_at ?? undefined,
    updatedAt: s.updated_at ?? undefined,
  }));

/** Metadata as strings (Manila stores strings); undefined when there is none. */
function metadataOf(m: Record<string, unknown> | null | undefined): Record<string, string> | undefined {
  if (!m) return undefined;
  const entries = Object.entries(m).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)] as const);
  return entries.length > 0 ? Object.fromEntries(entries) : undefined;
}

/** Parses one share. */
export function parseShare(raw: unknown): Share {
  return shareView.parse(raw);
}
