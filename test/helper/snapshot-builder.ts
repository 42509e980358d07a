import type { CloudSnapshot, SnapshotFlatShare, SnapshotPool, SnapshotService, SnapshotShare, SnapshotShareNetwork, SnapshotShareServer, SnapshotShareType } from '../../lib/snapshot/model';

/**
 * Builds CloudSnapshots for tests. `testbed()` gives the shape of the real test bed: hosts
 * node1@alpha, node1@beta, node1@gamma (up, enabled, DHSS pools), share networks mp-sn-1..6
 * with one share each, all servers on node1@alpha.
 */

export const PROJECT = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';

/** A share that blocks nothing. */
export function share(id: string, over: Partial<SnapshotShare> = {}): SnapshotShare {
  return { id, name: id, status: 'available', size: 1, hasReplicas: false, isSoftDeleted: false, snapshots: [], ...over };
}

export interface ServerOptions {
  readonly host?: string;
  readonly network?: string;
  readonly status?: string;
  readonly taskState?: string | null;
  readonly source?: string | null;
  readonly shares?: readonly SnapshotShare[];
  readonly projectId?: string;
}

export class SnapshotBuilder {
  private readonly servers: SnapshotShareServer[] = [];
  private readonly services: SnapshotService[] = [];
  private readonly pools: SnapshotPool[] = [];
  private readonly networks: SnapshotShareNetwork[] = [];
  private readonly types: SnapshotShareType[] = [];
  private readonly flat: SnapshotFlatShare[] = [];
  private takenAt = '2026-11-25T08:00:00.000Z';

  /** A manila-share service (up and enabled unless told) and, unless `dhss` is undefined, one pool. */
  public host(host: string, o: { status?: string; state?: string; zone?: string; dhss?: boolean | null; disabledReason?: string } = {}): this {
    this.services.push({ host, zone: o.zone ?? 'nova', status: o.status ?? 'enabled', state: o.state ?? 'up', ...(o.disabledReason ? { disabledReason: o.disabledReason } : {}) });
    if (o.dhss !== null) {
      const pool = `fake_pool_for_${host.split('@')[1]?.toUpperCase() ?? 'X'}`;
      this.pools.push({ name: `${host}#${pool}`, backendHost: host, pool, dhss: o.dhss ?? true, totalCapacityGb: 1000, freeCapacityGb: 900 });
    }
    return this;
  }

  /** A share network (active, one default subnet unless told). */
  public network(id: string, o: Partial<SnapshotShareNetwork> = {}): this {
    this.networks.push({ id, name: id.replace(/^net-/, ''), projectId: PROJECT, status: 'active', subnets: [{ id: `${id}-subnet`, availabilityZone: null }], ...o });
    return this;
  }

  /** A share server (active on node1@alpha with one available share unless told). */
  public server(id: string, o: ServerOptions = {}): this {
    const net = o.network !== undefined ? this.networks.find((n) => n.id === o.network || n.name === o.network) : undefined;
    this.servers.push({
      id,
      projectId: o.projectId ?? PROJECT,
      status: o.status ?? 'active',
      host: o.host ?? 'node1@alpha',
      shareNetworkId: net?.id ?? o.network,
      shareNetworkName: net?.name,
      taskState: o.taskState ?? null,
      sourceShareServerId: o.source ?? null,
      shareNetworkSubnetIds: net ? net.subnets.map((s) => s.id) : [],
      shares: [...(o.shares ?? [share(`share-of-${id}`)])],
    });
    return this;
  }

  /** A share without a share server (DHSS=False backend): available, 1 GiB, on `pool` unless told. */
  public flatShare(id: string, pool: string, o: Partial<SnapshotFlatShare> = {}): this {
    this.flat.push({ ...share(id), host: pool, projectId: PROJECT, ...o });
    return this;
  }

  /** A share type; `availabilityZones` is its extra spec (absent: every zone). */
  public shareType(id: string, availabilityZones?: string): this {
    this.types.push({ id, name: id, ...(availabilityZones !== undefined ? { availabilityZones } : {}) });
    return this;
  }

  public at(takenAt: string): this {
    this.takenAt = takenAt;
    return this;
  }

  public build(): CloudSnapshot {
    return {
      kind: 'manila-placement/snapshot',
      version: 1,
      cloud: { authUrl: 'http://127.0.0.1:5000/v3', endpoint: `http://127.0.0.1:8786/v2/${PROJECT}`, region: 'RegionOne' },
      takenAt: this.takenAt,
      microversion: '2.73',
      shareServers: this.servers.map((s) => ({ ...s, shares: s.shares.map((sh) => ({ ...sh, snapshots: [...sh.snapshots] })) })),
      services: [...this.services],
      pools: [...this.pools],
      shareNetworks: this.networks.map((n) => ({ ...n, subnets: [...n.subnets] })),
      ...(this.types.length > 0 ? { shareTypes: this.types.map((t) => ({ ...t })) } : {}),
      ...(this.flat.length > 0 ? { flatShares: this.flat.map((sh) => ({ ...sh, snapshots: [...sh.snapshots] })) } : {}),
    };
  }
}

/** The test bed: three hosts, six networks `net-mp-sn-N` named `mp-sn-N`, servers `srv-N` on node1@alpha holding `mp-share-N`. */
export function testbed(o: { servers?: number; hosts?: Record<string, Parameters<SnapshotBuilder['host']>[1]> } = {}): SnapshotBuilder {
  const b = new SnapshotBuilder();
  for (const h of ['node1@alpha', 'node1@beta', 'node1@gamma']) b.host(h, o.hosts?.[h] ?? {});
  for (let i = 1; i <= 6; i++) b.network(`net-mp-sn-${i}`, { name: `mp-sn-${i}` });
  for (let i = 1; i <= (o.servers ?? 6); i++) b.server(`srv-${i}`, { network: `mp-sn-${i}`, shares: [share(`share-${i}`, { name: `mp-share-${i}` })] });
  return b;
}
