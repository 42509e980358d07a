/**
 * The simulated cloud's records (Manila's database, as far as share server and share migration
 * touch it) and the one place they change. Every change of a share server, and every change of
 * a share's migration state, goes through `SimStore`, which stamps `updated_at` with virtual
 * time and tells its listeners (the in-flight monitor, the state traces), so limits can be
 * checked at every state change.
 */

/** A share server row. Fields change only through `SimStore.updateServer`. */
export interface SimServer {
  readonly id: string;
  readonly projectId: string;
  status: string;
  host: string;
  shareNetworkId: string;
  subnetIds: readonly string[];
  taskState: string | null;
  sourceShareServerId: string | null;
  /** The backend's name for it; empty on a destination that reuses the source's (nondisruptive). */
  identifier: string;
  readonly isAutoDeletable: boolean;
  readonly createdAt: number;
  updatedAt: number;
  /** Service IP of its network allocation, used in export paths. */
  readonly ip: string;
  /** Creation order (Manila lists in database order). */
  readonly seq: number;
}

/** An export location of a share. */
export interface SimExportLocation {
  readonly id: string;
  readonly path: string;
  readonly preferred: boolean;
  readonly isAdminOnly: boolean;
}

/**
 * The second instance a share has while it migrates by itself (share migration): created on
 * the destination pool, `migrating_to`, until the switchover makes it the share's instance or a
 * cancel or failure deletes it. Shares have no replicas in the simulator, so this is the only
 * way a share has two instances.
 */
export interface SimShareInstance {
  readonly id: string;
  /** `creating`, then `migrating_to`; `error` when a complete failed; `inactive` for the former source after the switch-over. */
  readonly status: string;
  /** The destination pool, `host@backend#pool`. */
  readonly host: string;
  readonly createdAt: number;
  readonly updatedAt: number;
}

/**
 * A share, with its instance folded in: `status`, `host`, `instanceId` and the export
 * locations are its (preferred) instance's, as Manila's share view proxies them. During a share
 * migration that instance is the source and `destination` the second one.
 */
export interface SimShare {
  readonly id: string;
  readonly name: string;
  readonly projectId: string;
  status: string;
  readonly size: number;
  /** `host@backend#pool`. */
  host: string;
  /** `null` for a share on a backend that does not handle share servers (a flat share). */
  shareServerId: string | null;
  /** `null` for a flat share created without a share network. */
  shareNetworkId: string | null;
  readonly shareTypeId: string;
  readonly shareTypeName: string;
  availabilityZone: string;
  /** Changes when a share migration switches over to the destination instance. */
  instanceId: string;
  /** The share's own task state (share migration; share server migration leaves it alone). */
  taskState: string | null;
  /**
   * The share's second instance: the destination of a share migration in flight, or, between
   * the switch-over and the source's deletion, the former source (`inactive`).
   */
  destination?: SimShareInstance;
  accessRulesStatus: string;
  /** Manila applies every rule read-only (phase 1 on a destination that cannot keep shares writable). */
  castRulesToReadonly: boolean;
  exportLocations: readonly SimExportLocation[];
  readonly createdAt: number;
  updatedAt: number;
}

/** A share snapshot. */
export interface SimSnapshot {
  readonly id: string;
  readonly shareId: string;
  readonly name: string;
  readonly projectId: string;
  status: string;
  readonly size: number;
  providerLocation: string;
  readonly createdAt: number;
}

/** An access rule. */
export interface SimRule {
  readonly id: string;
  readonly shareId: string;
  readonly accessType: string;
  readonly accessTo: string;
  readonly accessLevel: string;
  state: string;
  readonly createdAt: number;
}

/** A share network and its subnets (one default subnet, no Neutron ids, as on the test bed). */
export interface SimNetwork {
  readonly id: string;
  readonly name: string;
  readonly projectId: string;
  status: string;
  readonly createdAt: number;
  readonly subnets: ReadonlyArray<{ readonly id: string; readonly availabilityZone: string | null }>;
}

/** A service (manila-share per backend, manila-scheduler). */
export interface SimService {
  readonly id: number;
  readonly binary: string;
  readonly host: string;
  readonly zone: string;
  status: 'enabled' | 'disabled';
  state: 'up' | 'down';
}

/** A share type. */
export interface SimShareType {
  readonly id: string;
  readonly name: string;
  readonly extraSpecs: Readonly<Record<string, string>>;
}

/** A change of a share server, as listeners see it. */
export interface ServerChange {
  readonly at: number;
  /** The row after the change; `deleted` when the row is gone. */
  readonly server: Readonly<SimServer>;
  readonly deleted: boolean;
  readonly created: boolean;
}

/** A change of a share's migration state (status, task state, host, instances), as listeners see it. */
export interface ShareChange {
  readonly at: number;
  /** The share after the change (a copy). */
  readonly share: Readonly<SimShare>;
}

/** What a share migration changes on a share. */
export type SharePatch = Partial<Pick<SimShare, 'status' | 'taskState' | 'host' | 'instanceId' | 'exportLocations' | 'castRulesToReadonly' | 'availabilityZone'>> & {
  /** A new destination instance, or `null` to remove it. */
  readonly destination?: SimShareInstance | null;
};

/** The database of the simulated Manila. */
export class SimStore {
  /** Share servers by id. */
  public readonly servers = new Map<string, SimServer>();
  public readonly shares = new Map<string, SimShare>();
  public readonly snapshots = new Map<string, SimSnapshot>();
  public readonly rules = new Map<string, SimRule>();
  public readonly networks = new Map<string, SimNetwork>();
  public readonly services: SimService[] = [];
  public readonly types = new Map<string, SimShareType>();
  private readonly sharesOf = new Map<string, Set<string>>();
  private readonly listeners: Array<(c: ServerChange) => void> = [];
  private readonly shareListeners: Array<(c: ShareChange) => void> = [];
  private seq = 0;

  constructor(private readonly now: () => number) {}

  /** Calls `fn` after every change of a share server. */
  public onServerChange(fn: (c: ServerChange) => void): void {
    this.listeners.push(fn);
  }

  /** Calls `fn` after every change of a share made through `updateShare`. */
  public onShareChange(fn: (c: ShareChange) => void): void {
    this.shareListeners.push(fn);
  }

  /** Adds a share server row. */
  public addServer(s: Omit<SimServer, 'seq' | 'createdAt' | 'updatedAt'> & { createdAt?: number }): SimServer {
    const at = s.createdAt ?? this.now();
    const row: SimServer = { ...s, createdAt: at, updatedAt: at, seq: this.seq++ };
    this.servers.set(row.id, row);
    this.emit(row, false, true);
    return row;
  }

  /** Changes a share server row (and its `updated_at`). */
  public updateServer(
    id: string,
    patch: Partial<Pick<SimServer, 'status' | 'taskState' | 'sourceShareServerId' | 'identifier' | 'host'>>
  ): SimServer | undefined {
    const s = this.servers.get(id);
    if (!s) return undefined;
    Object.assign(s, patch);
    s.updatedAt = this.now();
    this.emit(s, false, false);
    return s;
  }

  /** Removes a share server row. */
  public deleteServer(id: string): void {
    const s = this.servers.get(id);
    if (!s) return;
    this.servers.delete(id);
    this.emit(s, true, false);
  }

  /** Adds a share. */
  public addShare(sh: SimShare): void {
    this.shares.set(sh.id, sh);
    this.index(sh.id, null, sh.shareServerId);
  }

  /** Changes a share as a share migration does (and its `updated_at`); tells the share listeners. */
  public updateShare(id: string, patch: SharePatch): SimShare | undefined {
    const sh = this.shares.get(id);
    if (!sh) return undefined;
    const { destination, ...rest } = patch;
    Object.assign(sh, rest);
    if (destination === null) delete sh.destination;
    else if (destination !== undefined) sh.destination = destination;
    sh.updatedAt = this.now();
    const c: ShareChange = { at: sh.updatedAt, share: { ...sh } };
    for (const l of this.shareListeners) l(c);
    return sh;
  }

  /** Sets the status of a share's destination instance. */
  public updateShareDestination(id: string, status: string): void {
    const d = this.shares.get(id)?.destination;
    if (d) this.updateShare(id, { destination: { ...d, status, updatedAt: this.now() } });
  }

  /** Moves a share to another server (the switchover). */
  public moveShare(shareId: string, patch: Pick<SimShare, 'shareServerId' | 'host' | 'shareNetworkId' | 'availabilityZone' | 'exportLocations'>): void {
    const sh = this.shares.get(shareId);
    if (!sh) return;
    const from = sh.shareServerId;
    Object.assign(sh, patch);
    sh.updatedAt = this.now();
    this.index(shareId, from, sh.shareServerId);
  }

  /** Shares of one server, in creation order. */
  public sharesOfServer(serverId: string): SimShare[] {
    const ids = this.sharesOf.get(serverId);
    if (!ids) return [];
    return [...ids].map((id) => this.shares.get(id)!).sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1));
  }

  /** Snapshots of one share. */
  public snapshotsOfShare(shareId: string): SimSnapshot[] {
    return [...this.snapshots.values()].filter((s) => s.shareId === shareId);
  }

  /** Sets the status of the shares of a server and of their snapshots. */
  public setShareStatus(serverId: string, status: string): void {
    for (const sh of this.sharesOfServer(serverId)) {
      sh.status = status;
      sh.updatedAt = this.now();
      for (const sn of this.snapshotsOfShare(sh.id)) sn.status = status;
    }
  }

  /** The enabled manila-share service of a host, if any. */
  public shareService(host: string): SimService | undefined {
    return this.services.find((s) => s.binary === 'manila-share' && s.host === host);
  }

  private index(shareId: string, from: string | null, to: string | null): void {
    if (from) this.sharesOf.get(from)?.delete(shareId);
    // A flat share belongs to no server.
    if (to === null) return;
    let set = this.sharesOf.get(to);
    if (!set) this.sharesOf.set(to, (set = new Set()));
    set.add(shareId);
  }

  private emit(server: SimServer, deleted: boolean, created: boolean): void {
    const c: ServerChange = { at: this.now(), server: { ...server }, deleted, created };
    for (const l of this.listeners) l(c);
  }
}
