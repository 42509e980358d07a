import type { SimNetwork, SimRule, SimServer, SimService, SimShare, SimShareInstance, SimShareType, SimSnapshot } from './model';
import type { BackendSpec } from './backends';

/**
 * JSON views of the simulated records, field for field as Zed's view builders write them
 * (`manila/api/views/share_servers.py` and friends), with the fields each microversion adds.
 */

/** A microversion as [major, minor]. */
export type Version = readonly [number, number];

/** Parses `2.57`. */
export function parseVersion(v: string): Version | undefined {
  const m = /^(\d+)\.(\d+)$/.exec(v.trim());
  return m ? [Number(m[1]), Number(m[2])] : undefined;
}

/** a >= b. */
export function atLeast(a: Version, b: Version): boolean {
  return a[0] > b[0] || (a[0] === b[0] && a[1] >= b[1]);
}

/** Manila's timestamps: UTC, microseconds, no zone (`2026-11-25T07:44:18.922434`). */
export function manilaTime(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace('Z', '')
    .replace(/\.(\d{3})$/, '.$1000');
}

/** A share server, in a list (`detail` false) or alone. */
export function serverView(s: SimServer, net: SimNetwork | undefined, v: Version, detail: boolean): Record<string, unknown> {
  const o: Record<string, unknown> = {
    id: s.id,
    project_id: s.projectId,
    updated_at: manilaTime(s.updatedAt),
    status: s.status,
    host: s.host,
    share_network_name: net?.name || s.shareNetworkId,
    share_network_id: s.shareNetworkId,
  };
  if (detail) {
    o.created_at = manilaTime(s.createdAt);
    o.backend_details = { service_ip: s.ip, username: 'fake_username', server_id: s.id };
  }
  if (atLeast(v, [2, 49])) {
    o.is_auto_deletable = s.isAutoDeletable;
    o.identifier = s.identifier;
  }
  if (atLeast(v, [2, 51]) && !atLeast(v, [2, 70])) o.share_network_subnet_id = s.subnetIds[0] ?? null;
  if (atLeast(v, [2, 57])) {
    o.task_state = s.taskState;
    o.source_share_server_id = s.sourceShareServerId;
  }
  if (atLeast(v, [2, 63])) o.security_service_update_support = true;
  if (atLeast(v, [2, 70])) {
    o.share_network_subnet_ids = [...s.subnetIds].sort();
    o.network_allocation_update_support = true;
  }
  return o;
}

/** A share (admin view: host and share_server_id shown). */
export function shareView(sh: SimShare, base: string): Record<string, unknown> {
  return {
    id: sh.id,
    size: sh.size,
    availability_zone: sh.availabilityZone,
    created_at: manilaTime(sh.createdAt),
    status: sh.status,
    name: sh.name,
    description: null,
    project_id: sh.projectId,
    snapshot_id: null,
    share_network_id: sh.shareNetworkId,
    share_proto: 'NFS',
    metadata: {},
    share_type: sh.shareTypeId,
    volume_type: sh.shareTypeName,
    links: [{ rel: 'self', href: `${base}/shares/${sh.id}` }],
    is_public: false,
    snapshot_support: true,
    task_state: sh.taskState,
    share_type_name: sh.shareTypeName,
    access_rules_status: sh.accessRulesStatus,
    replication_type: null,
    has_replicas: false,
    user_id: 'admin',
    create_share_from_snapshot_support: false,
    revert_to_snapshot_support: false,
    share_group_id: null,
    source_share_group_snapshot_member_id: null,
    mount_snapshot_support: false,
    progress: '100%',
    is_soft_deleted: false,
    scheduled_to_be_deleted_at: null,
    share_server_id: sh.shareServerId,
    host: sh.host,
  };
}

/** A share's instances (admin API): its own, and while it migrates by itself the destination. */
export function shareInstanceViews(sh: SimShare, v: Version): Array<Record<string, unknown>> {
  return sh.destination ? [shareInstanceView(sh, v), destinationInstanceView(sh, sh.destination, v)] : [shareInstanceView(sh, v)];
}

/** The destination instance of a share migration: on its pool, no export locations until the switchover. */
function destinationInstanceView(sh: SimShare, d: SimShareInstance, v: Version): Record<string, unknown> {
  return {
    ...shareInstanceView(sh, v),
    id: d.id,
    created_at: manilaTime(d.createdAt),
    cast_rules_to_readonly: false,
    host: d.host,
    status: d.status,
    progress: d.status === 'available' ? '100%' : '0%',
    ...(atLeast(v, [2, 71]) ? { updated_at: manilaTime(d.updatedAt) } : {}),
  };
}

/** A share's own instance (admin API); `updated_at` from 2.71. */
export function shareInstanceView(sh: SimShare, v: Version): Record<string, unknown> {
  return {
    ...(atLeast(v, [2, 71]) ? { updated_at: manilaTime(sh.updatedAt) } : {}),
    id: sh.instanceId,
    share_id: sh.id,
    availability_zone: sh.availabilityZone,
    replica_state: null,
    created_at: manilaTime(sh.createdAt),
    cast_rules_to_readonly: sh.castRulesToReadonly,
    share_network_id: sh.shareNetworkId,
    share_server_id: sh.shareServerId,
    host: sh.host,
    access_rules_status: sh.accessRulesStatus,
    share_type_id: sh.shareTypeId,
    status: sh.status,
    progress: '100%',
  };
}

/** An export location. */
export function exportLocationView(sh: SimShare): Array<Record<string, unknown>> {
  return sh.exportLocations.map((e) => ({ id: e.id, path: e.path, preferred: e.preferred, share_instance_id: sh.instanceId, is_admin_only: e.isAdminOnly }));
}

/** A snapshot. */
export function snapshotView(sn: SimSnapshot, base: string): Record<string, unknown> {
  return {
    id: sn.id,
    share_id: sn.shareId,
    share_size: sn.size,
    created_at: manilaTime(sn.createdAt),
    status: sn.status,
    name: sn.name,
    description: null,
    size: sn.size,
    share_proto: 'NFS',
    links: [{ rel: 'self', href: `${base}/snapshots/${sn.id}` }],
    provider_location: sn.providerLocation,
    user_id: 'admin',
    project_id: sn.projectId,
    metadata: {},
  };
}

/** An access rule (`share-access-rules`, 2.45+). */
export function ruleView(r: SimRule): Record<string, unknown> {
  return {
    id: r.id,
    access_level: r.accessLevel,
    access_to: r.accessTo,
    access_type: r.accessType,
    state: r.state,
    access_key: null,
    created_at: manilaTime(r.createdAt),
    updated_at: null,
    metadata: {},
  };
}

/** A share network with its subnets. */
export function networkView(n: SimNetwork): Record<string, unknown> {
  return {
    id: n.id,
    name: n.name,
    project_id: n.projectId,
    created_at: manilaTime(n.createdAt),
    updated_at: null,
    description: null,
    share_network_subnets: n.subnets.map((s) => ({
      id: s.id,
      availability_zone: s.availabilityZone,
      created_at: manilaTime(n.createdAt),
      updated_at: null,
      segmentation_id: null,
      neutron_net_id: null,
      neutron_subnet_id: null,
      ip_version: null,
      cidr: null,
      network_type: null,
      mtu: null,
      gateway: null,
    })),
    status: n.status,
    security_service_update_support: true,
    network_allocation_update_support: true,
  };
}

/** A service. */
export function serviceView(s: SimService, at: number): Record<string, unknown> {
  return { id: s.id, binary: s.binary, host: s.host, zone: s.zone, status: s.status, state: s.state, updated_at: manilaTime(at) };
}

/** One pool (`host@backend#pool`) of `scheduler-stats/pools/detail`. */
export function poolView(b: BackendSpec, name: string, allocatedGb: number): Record<string, unknown> {
  const [host, backend] = b.host.split('@');
  const pool = name.slice(name.indexOf('#') + 1);
  return {
    name,
    host,
    backend,
    pool,
    capabilities: {
      pool_name: pool,
      total_capacity_gb: b.totalCapacityGb,
      free_capacity_gb: Math.max(0, b.totalCapacityGb - allocatedGb),
      allocated_capacity_gb: allocatedGb,
      driver_handles_share_servers: b.dhss ?? true,
      share_backend_name: (backend ?? '').toUpperCase(),
      snapshot_support: true,
      storage_protocol: 'NFS_CIFS',
      vendor_name: 'Open Source',
      driver_version: '1.0',
    },
  };
}

/** A share type. */
export function typeView(t: SimShareType): Record<string, unknown> {
  return {
    id: t.id,
    name: t.name,
    extra_specs: t.extraSpecs,
    required_extra_specs: { driver_handles_share_servers: t.extraSpecs.driver_handles_share_servers },
    share_type_access: { is_public: true },
    is_default: false,
    description: null,
  };
}
