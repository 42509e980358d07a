import type { CloudSnapshot, SnapshotShareServer } from '../../lib/snapshot/model';
import type { PlacementDeclaration } from '../../lib/plan/types';

/**
 * A generated cloud for reading plans at fleet size (bench/plan-text.ts and the compact plan's
 * unit tests): `moves` share servers spread round-robin over `pairs` source hosts
 * `src-K@southK`, each declared (one ShareServerPlacement per share network) on its pair's
 * destination `dst-K@northK`; four named projects; one share in ten has a snapshot; the first
 * `blocked` servers are in `error`, so their moves are blocked (SERVER_NOT_ACTIVE).
 * Deterministic: no clock, no randomness.
 */

const PROJECTS = ['admin', 'demo', 'research', 'web'];
const uuid = (kind: number, i: number): string => `${kind.toString(16).padStart(8, '0')}-0000-4000-8000-${i.toString(16).padStart(12, '0')}`;
const projectId = (k: number): string => uuid(9, k).replace(/-/g, '');

/** The cloud and the declarations. */
export function generateMoves(moves: number, pairs: number, blocked: number): { snapshot: CloudSnapshot; declarations: PlacementDeclaration[] } {
  const src = (k: number): string => `src-${k}@south${k}`;
  const dst = (k: number): string => `dst-${k}@north${k}`;
  const servers: SnapshotShareServer[] = [];
  const networks: CloudSnapshot['shareNetworks'] = [];
  const declarations: PlacementDeclaration[] = [];
  for (let i = 0; i < moves; i++) {
    const k = (i % pairs) + 1;
    const project = projectId(i % PROJECTS.length);
    networks.push({ id: uuid(1, i), name: `sn-${i}`, projectId: project, status: 'active', subnets: [{ id: uuid(5, i), availabilityZone: null }] });
    servers.push({
      id: uuid(2, i),
      projectId: project,
      projectName: PROJECTS[i % PROJECTS.length],
      status: i < blocked ? 'error' : 'active',
      host: src(k),
      shareNetworkId: uuid(1, i),
      shareNetworkName: `sn-${i}`,
      taskState: null,
      sourceShareServerId: null,
      shareNetworkSubnetIds: [uuid(5, i)],
      shares: [
        {
          id: uuid(3, i),
          name: `share-${i}`,
          status: 'available',
          size: 10,
          protocol: 'NFS',
          hasReplicas: false,
          isSoftDeleted: false,
          snapshots: i % 10 === 0 ? [{ id: uuid(6, i), status: 'available' }] : [],
        },
      ],
    });
    declarations.push({
      kind: 'placement',
      path: `fleet/sn-${i}`,
      select: { shareNetwork: `sn-${i}` },
      host: dst(k),
      flags: { writable: false, nondisruptive: false, preserveSnapshots: true },
      completion: 'auto',
    });
  }
  const hosts = Array.from({ length: pairs }, (_, j) => [src(j + 1), dst(j + 1)]).flat();
  return {
    snapshot: {
      kind: 'manila-placement/snapshot',
      version: 1,
      cloud: { authUrl: 'http://keystone.example:5000/v3', endpoint: 'http://manila.example:8786/v2', region: 'RegionOne' },
      takenAt: '2026-12-07T08:00:00.000Z',
      microversion: '2.73',
      shareServers: servers,
      services: hosts.map((h) => ({ host: h, zone: 'nova', status: 'enabled', state: 'up' })),
      pools: hosts.map((h) => ({ name: `${h}#pool`, backendHost: h, pool: 'pool', dhss: true, totalCapacityGb: 100_000, freeCapacityGb: 90_000, allocatedCapacityGb: 10_000 })),
      shareNetworks: networks,
      projects: PROJECTS.map((name, k) => ({ id: projectId(k), name })),
    },
    declarations,
  };
}
