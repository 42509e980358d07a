import type { ManilaClient } from '../manila/client';
import type { CloudSnapshot, SnapshotShare } from './model';

const byId = <T extends { id: string }>(a: T, b: T): number => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/**
 * Reads the cloud (read-only: GETs only) and returns a snapshot: share servers with their
 * shares and snapshot states, manila-share services, pools, share networks and the share types
 * in use, and (from Keystone) the names of the projects that own share servers. Eight list
 * calls, whatever the number of servers.
 */
export async function takeSnapshot(client: ManilaClient, now: () => Date = () => new Date()): Promise<CloudSnapshot> {
  const [endpoint, microversion] = await Promise.all([client.endpoint(), client.microversion()]);
  const [servers, services, pools, networks, shares, snapshots, types, projects] = await Promise.all([
    client.listShareServers(),
    client.listServices({ binary: 'manila-share' }),
    client.listPools(),
    client.listShareNetworks(),
    client.listShares(),
    client.listSnapshots(),
    client.listShareTypes(),
    client.listProjectNames(),
  ]);
  // Where each share in flight goes: only its destination instance says (one more list, read
  // only when some share migrates by itself; a share server's migration shows
  // server_migrating on its shares instead).
  const moving = shares.some((sh) => sh.status === 'migrating');
  const destinationOf = new Map(
    (moving ? await client.listAllShareInstances() : []).filter((i) => i.status === 'migrating_to' && i.shareId && i.host).map((i) => [i.shareId as string, i.host as string] as const),
  );
  const projectName = new Map((projects ?? []).map((p) => [p.id, p.name] as const));
  const flat = shares.filter((sh) => !sh.shareServerId && sh.host);
  const flatIds = new Set(flat.map((sh) => sh.id));
  const owners = new Set([...servers.map((s) => s.projectId), ...flat.map((sh) => sh.projectId)]);
  // Only the types that shares on share servers and flat shares use (Manila checks their
  // `availability_zones` against the destination's zone), and, when flat shares exist, the types
  // without share servers a SharePlacement may retype them to (`newShareType`); the rest would
  // only make the file longer.
  const typeIdsInUse = new Set(shares.filter((sh) => (sh.shareServerId || flatIds.has(sh.id)) && sh.shareTypeId).map((sh) => sh.shareTypeId as string));
  if (flat.length > 0) for (const t of types) if (t.dhss === false) typeIdsInUse.add(t.id);
  const snapsByShare = new Map<string, Array<{ id: string; status: string }>>();
  for (const s of snapshots) {
    const list = snapsByShare.get(s.shareId) ?? [];
    list.push({ id: s.id, status: s.status });
    snapsByShare.set(s.shareId, list);
  }
  const sharesByServer = new Map<string, SnapshotShare[]>();
  const snapshotShare = (sh: (typeof shares)[number]): SnapshotShare => ({
    id: sh.id,
    name: sh.name,
    status: sh.status,
    size: sh.size,
    shareTypeId: sh.shareTypeId,
    availabilityZone: sh.availabilityZone,
    hasReplicas: sh.hasReplicas,
    shareGroupId: sh.shareGroupId,
    isSoftDeleted: sh.isSoftDeleted,
    taskState: sh.taskState,
    accessRulesStatus: sh.accessRulesStatus,
    protocol: sh.protocol,
    snapshots: (snapsByShare.get(sh.id) ?? []).sort(byId),
    ...(sh.host ? { host: sh.host } : {}),
    ...(destinationOf.has(sh.id) ? { migratingTo: destinationOf.get(sh.id) } : {}),
  });
  for (const sh of shares) {
    if (!sh.shareServerId) continue;
    const list = sharesByServer.get(sh.shareServerId) ?? [];
    list.push(snapshotShare(sh));
    sharesByServer.set(sh.shareServerId, list);
  }
  return {
    kind: 'manila-placement/snapshot',
    version: 1,
    cloud: { authUrl: client.config.authUrl, endpoint, region: client.config.regionName },
    takenAt: now().toISOString(),
    microversion,
    shareServers: servers
      .map((s) => ({
        id: s.id,
        projectId: s.projectId,
        ...(projectName.has(s.projectId) ? { projectName: projectName.get(s.projectId) } : {}),
        status: s.status,
        host: s.host,
        shareNetworkId: s.shareNetworkId,
        shareNetworkName: s.shareNetworkName,
        taskState: s.taskState,
        sourceShareServerId: s.sourceShareServerId,
        shareNetworkSubnetIds: [...s.shareNetworkSubnetIds],
        shares: (sharesByServer.get(s.id) ?? []).sort(byId),
      }))
      .sort(byId),
    // Shares no share server holds (DHSS=False backends): they move one by one. Written only
    // when there are some, so that a snapshot of a cloud without them keeps its digest.
    ...(flat.length
      ? {
          flatShares: flat
            .map((sh) => ({
              ...snapshotShare(sh),
              host: sh.host as string,
              projectId: sh.projectId,
              ...(projectName.has(sh.projectId) ? { projectName: projectName.get(sh.projectId) } : {}),
              ...(sh.shareNetworkId ? { shareNetworkId: sh.shareNetworkId } : {}),
              ...(sh.metadata ? { metadata: { ...sh.metadata } } : {}),
            }))
            .sort(byId),
        }
      : {}),
    services: services
      // Later releases' fields only when Manila gave them: a Zed snapshot's digest stays the same.
      .map((s) => ({
        host: s.host,
        zone: s.zone,
        status: s.status,
        state: s.state,
        ...(s.disabledReason ? { disabledReason: s.disabledReason } : {}),
        ...(s.ensuring !== undefined ? { ensuring: s.ensuring } : {}),
      }))
      .sort((a, b) => (a.host < b.host ? -1 : a.host > b.host ? 1 : 0)),
    pools: pools
      .map((p) => ({
        name: p.name,
        backendHost: p.backendHost,
        pool: p.pool,
        dhss: p.dhss,
        totalCapacityGb: p.totalCapacityGb,
        freeCapacityGb: p.freeCapacityGb,
        allocatedCapacityGb: p.allocatedCapacityGb,
      }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
    shareNetworks: networks
      .map((n) => ({
        id: n.id,
        name: n.name,
        projectId: n.projectId,
        status: n.status,
        subnets: n.subnets.map((s) => ({ id: s.id, availabilityZone: s.availabilityZone })),
      }))
      .sort(byId),
    shareTypes: types
      .filter((t) => typeIdsInUse.has(t.id))
      .map((t) => ({
        id: t.id,
        name: t.name,
        availabilityZones: t.availabilityZones,
        ...(t.dhss !== undefined ? { dhss: t.dhss } : {}),
        ...(t.minSizeGb !== undefined ? { minSizeGb: t.minSizeGb } : {}),
        ...(t.maxSizeGb !== undefined ? { maxSizeGb: t.maxSizeGb } : {}),
      }))
      .sort(byId),
    // The names of the projects that own share servers: the cache every later command reads.
    ...(projects ? { projects: projects.filter((p) => owners.has(p.id)) } : {}),
  };
}
