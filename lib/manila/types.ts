import { z } from 'zod';

/**
 * Manila resources as manila-placement uses them: a normalised, microversion-independent view.
 * Fields absent at the negotiated microversion are `undefined` (or `[]`), never invented. Each
 * schema (Manila's snake_case JSON in, this view out) is built once, when the module loads.
 * Migration calls: ./migration.ts.
 */

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

/** A `manila-share` (or other) service. */
export interface Service {
  readonly id: number;
  readonly binary: string;
  /** `name@backend` for manila-share. */
  readonly host: string;
  readonly zone: string;
  /** `enabled` or `disabled`. */
  readonly status: string;
  /** `up` or `down`. */
  readonly state: string;
  /** Why an admin disabled it (2.83+). */
  readonly disabledReason?: string;
  /** The backend is re-checking its shares after a restart (2.86+, Manila 2024.2). */
  readonly ensuring?: boolean;
}

const serviceSchema = z
  .object({
    id: z.number(),
    binary: z.string(),
    host: z.string(),
    zone: z.string().nullish(),
    status: z.string(),
    state: z.string(),
    disabled_reason: z.string().nullish(),
    ensuring: z.boolean().nullish(),
  })
  .loose();

const serviceView = serviceSchema.transform(
  (s): Service => ({
    id: s.id,
    binary: s.binary,
    host: s.host,
    zone: s.zone ?? '',
    status: s.status,
    state: s.state,
    disabledReason: s.disabled_reason ?? undefined,
    ensuring: s.ensuring ?? undefined,
  }),
);

/** Parses one service. */
export function parseService(raw: unknown): Service {
  return serviceView.parse(raw);
}

/** A scheduler pool (`host@backend#pool`). */
export interface Pool {
  readonly name: string;
  /** `host@backend`. */
  readonly backendHost: string;
  readonly pool: string;
  readonly dhss?: boolean;
  readonly totalCapacityGb?: number;
  readonly freeCapacityGb?: number;
  readonly allocatedCapacityGb?: number;
  readonly shareBackendName?: string;
}

const capacity = z.union([z.number(), z.string()]).nullish();
const poolSchema = z
  .object({
    name: z.string(),
    host: z.string().nullish(),
    backend: z.string().nullish(),
    pool: z.string().nullish(),
    capabilities: z
      .object({
        driver_handles_share_servers: z.union([z.boolean(), z.string()]).nullish(),
        total_capacity_gb: capacity,
        free_capacity_gb: capacity,
        allocated_capacity_gb: capacity,
        share_backend_name: z.string().nullish(),
      })
      .loose()
      .nullish(),
  })
  .loose();

function num(v: number | string | null | undefined): number | undefined {
  if (v === null || v === undefined) return undefined;
  const n = typeof v === 'number' ? v : Number(v);
  return Number.isFinite(n) ? n : undefined; // 'unknown' and 'infinite' are not numbers
}

const poolView = poolSchema.transform((p): Pool => {
  const [backendHost, pool = p.pool ?? ''] = p.name.split('#');
  const dhss = p.capabilities?.driver_handles_share_servers;
  return {
    name: p.name,
    backendHost,
    pool,
    dhss: dhss === undefined || dhss === null ? undefined : dhss === true || String(dhss).toLowerCase() === 'true',
    totalCapacityGb: num(p.capabilities?.total_capacity_gb),
    freeCapacityGb: num(p.capabilities?.free_capacity_gb),
    allocatedCapacityGb: num(p.capabilities?.allocated_capacity_gb),
    shareBackendName: p.capabilities?.share_backend_name ?? undefined,
  };
});

/** Parses one pool from `scheduler-stats/pools/detail`. */
export function parsePool(raw: unknown): Pool {
  return poolView.parse(raw);
}

/** A share network subnet. */
export interface ShareNetworkSubnet {
  readonly id: string;
  readonly availabilityZone: string | null;
  readonly neutronNetId?: string;
  readonly neutronSubnetId?: string;
}

/** A share network. */
export interface ShareNetwork {
  readonly id: string;
  readonly name?: string;
  readonly projectId: string;
  /** 2.63+; `undefined` before. */
  readonly status?: string;
  readonly subnets: readonly ShareNetworkSubnet[];
}

const shareNetworkSchema = z
  .object({
    id: z.string(),
    name: z.string().nullish(),
    project_id: z.string().nullish(),
    status: z.string().nullish(),
    share_network_subnets: z
      .array(
        z
          .object({
            id: z.string(),
            availability_zone: z.string().nullish(),
            neutron_net_id: z.string().nullish(),
            neutron_subnet_id: z.string().nullish(),
          })
          .loose(),
      )
      .nullish(),
  })
  .loose();

const shareNetworkView = shareNetworkSchema.transform((n): ShareNetwork => ({
    id: n.id,
    name: n.name ?? undefined,
    projectId: n.project_id ?? '',
    status: n.status ?? undefined,
    subnets: (n.share_network_subnets ?? [])
      .map((s) => ({
        id: s.id,
        availabilityZone: s.availability_zone ?? null,
        neutronNetId: s.neutron_net_id ?? undefined,
        neutronSubnetId: s.neutron_subnet_id ?? undefined,
      }))
      .sort((a, b) => a.id.localeCompare(b.id)),
  }));

/** Parses one share network. */
export function parseShareNetwork(raw: unknown): ShareNetwork {
  return shareNetworkView.parse(raw);
}

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
  }));

/** Parses one share. */
export function parseShare(raw: unknown): Share {
  return shareView.parse(raw);
}

/** A share type, with the one extra spec planning needs. */
export interface ShareType {
  readonly id: string;
  readonly name?: string;
  /**
   * The `availability_zones` extra spec as Manila stores it (comma-separated zone names), or
   * undefined when the type has none (any zone).
   */
  readonly availabilityZones?: string;
}

const shareTypeView = z
  .object({ id: z.string(), name: z.string().nullish(), extra_specs: z.record(z.string(), z.unknown()).nullish() })
  .loose()
  .transform((t): ShareType => {
    const azs = t.extra_specs?.availability_zones;
    return { id: t.id, name: t.name ?? undefined, availabilityZones: typeof azs === 'string' && azs !== '' ? azs : undefined };
  });

/** Parses one share type (`GET /types`). */
export function parseShareType(raw: unknown): ShareType {
  return shareTypeView.parse(raw);
}

/** A share snapshot. */
export interface Snapshot {
  readonly id: string;
  readonly shareId: string;
  readonly status: string;
  readonly name?: string;
}

const snapshotView = z
  .object({ id: z.string(), share_id: z.string(), status: z.string(), name: z.string().nullish() })
  .loose()
  .transform((s): Snapshot => ({ id: s.id, shareId: s.share_id, status: s.status, name: s.name ?? undefined }));

/** Parses one snapshot. */
export function parseSnapshot(raw: unknown): Snapshot {
  return snapshotView.parse(raw);
}

/** An access rule. */
export interface AccessRule {
  readonly id: string;
  readonly accessType: string;
  readonly accessTo: string;
  readonly accessLevel: string;
  readonly state: string;
}

const accessRuleView = z
  .object({ id: z.string(), access_type: z.string(), access_to: z.string(), access_level: z.string(), state: z.string() })
  .loose()
  .transform((r): AccessRule => ({ id: r.id, accessType: r.access_type, accessTo: r.access_to, accessLevel: r.access_level, state: r.state }));

/** Parses one access rule. */
export function parseAccessRule(raw: unknown): AccessRule {
  return accessRuleView.parse(raw);
}

/** Where clients mount a share (`GET /shares/{id}/export_locations`, 2.9+). */
export interface ExportLocation {
  readonly id: string;
  readonly path: string;
  /** 2.14+; `undefined` before. */
  readonly preferred?: boolean;
  /** Admin-only locations (the admin network), 2.9+ for admins. */
  readonly isAdminOnly?: boolean;
}

const exportLocationView = z
  .object({ id: z.string(), path: z.string(), preferred: z.boolean().nullish(), is_admin_only: z.boolean().nullish() })
  .loose()
  .transform((e): ExportLocation => ({ id: e.id, path: e.path, preferred: e.preferred ?? undefined, isAdminOnly: e.is_admin_only ?? undefined }));

/** Parses one export location. */
export function parseExportLocation(raw: unknown): ExportLocation {
  return exportLocationView.parse(raw);
}

/** A share instance (admin: `GET /shares/{id}/instances`). */
export interface ShareInstance {
  readonly id: string;
  readonly status: string;
  readonly shareServerId?: string;
  /** 2.30+: Manila applies every access rule of the instance read-only (e.g. during a migration's phase 1). */
  readonly castRulesToReadonly?: boolean;
}

const shareInstanceView = z
  .object({ id: z.string(), status: z.string(), share_server_id: z.string().nullish(), cast_rules_to_readonly: z.boolean().nullish() })
  .loose()
  .transform(
    (i): ShareInstance => ({
      id: i.id,
      status: i.status,
      shareServerId: i.share_server_id ?? undefined,
      castRulesToReadonly: i.cast_rules_to_readonly ?? undefined,
    }),
  );

/** Parses one share instance. */
export function parseShareInstance(raw: unknown): ShareInstance {
  return shareInstanceView.parse(raw);
}

// The migration calls' types live beside the resources' (one import path for Manila's types).
export * from './migration';
