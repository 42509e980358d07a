import type { ServerRole, StateList } from './sequence';

/**
 * The states of a share migration as a sequence (./sequence.ts) holds them, normalised the same
 * way for an observer of the real Manila, an observer of the simulator and the simulator's own
 * trace. S is the share as `GET /shares/{id}` and `GET /shares/{id}/instances` show it together
 * (`status/task_state@HOST [instance states]`, the instances sorted), as the real recording
 * (docs/transcripts/share-migration-zed.log) prints each line; D is the destination instance
 * (`status@HOST`, `gone` once it no longer shows). Hosts are pools, written SRC and DST.
 */

/** The share fields a state is made of (Manila's JSON). */
export interface RawShare {
  readonly status: string;
  readonly task_state?: string | null;
  readonly host?: string | null;
}

/** The instance fields a state is made of (Manila's JSON). */
export interface RawInstance {
  readonly id: string;
  readonly status: string;
  readonly host?: string | null;
}

/** Writes a host as SRC, DST or itself. */
export type HostRole = (host: string | null | undefined) => string;

/** The pools a sequence names SRC and DST. */
export function hostRole(hosts: { readonly SRC: string; readonly DST: string }): HostRole {
  return (h) => (!h ? '?' : h === hosts.SRC ? 'SRC' : h === hosts.DST ? 'DST' : h);
}

/** One instance's state: `migrating_to@DST`. */
export function instanceState(i: RawInstance, host: HostRole): string {
  return `${i.status}@${host(i.host)}`;
}

/** The share with its instances: `migrating/migration_driver_starting@SRC [migrating@SRC, migrating_to@DST]`. */
export function shareState(sh: RawShare, instances: readonly RawInstance[], host: HostRole): string {
  const list = instances.map((i) => instanceState(i, host)).sort();
  return `${sh.status}/${sh.task_state ?? 'null'}@${host(sh.host)} [${list.join(', ')}]`;
}

/**
 * The destination's state among a share's instances: any instance but the source's own, or
 * `gone` once one was seen and none is left (a cancel or a failure deleted it). `undefined`
 * before any destination exists.
 */
export function destinationState(instances: readonly RawInstance[], sourceInstanceId: string, seen: boolean, host: HostRole): string | undefined {
  const d = instances.find((i) => i.id !== sourceInstanceId);
  if (d) return instanceState(d, host);
  return seen ? 'gone' : undefined;
}

/** Share task states an idle share may show: at rest before, and each end of a migration. */
const AT_REST = new Set(['null', 'migration_success', 'migration_cancelled', 'migration_error']);

/**
 * States that last until a periodic task or an API call moves them on: the share at rest (before,
 * after success, cancel or failure), phase 1 running with its destination instance; the destination instance
 * while it is `migrating_to`, after it became the share's (`available`), in error, or gone. The
 * steps between last a second or less on the test bed and may be missed by a sampler.
 */
export function isShareQuiescent(role: ServerRole, state: string): boolean {
  if (state === 'gone') return true;
  const head = state.split(' [')[0].split('@')[0];
  if (role === 'D') return head === 'migrating_to' || head === 'available' || head === 'error';
  const [status, task] = head.split('/');
  if (status === 'available') return AT_REST.has(task);
  // Phase 1 lasts until the driver's periodic continue, but only while the destination instance
  // exists: a cancel deletes it and sets migration_cancelled in one call (share/manager.py
  // migration_cancel), so phase 1 without it is a passing state.
  if (status !== 'migrating' || !state.includes('migrating_to@')) return false;
  // Phase 1 done lasts until the runner's next read when it completes by itself (auto); the
  // real test bed's sampler often misses it.
  return task === 'migration_driver_in_progress';
}

/** Collects S and D from samples of a share and its instances, consecutive duplicates collapsed. */
export class ShareStates {
  private readonly lists: Record<ServerRole, string[]> = { S: [], D: [] };
  private readonly host: HostRole;
  private sourceInstanceId?: string;

  constructor(hosts: { readonly SRC: string; readonly DST: string }) {
    this.host = hostRole(hosts);
  }

  /** One sample: the share and its instances read at (about) one instant. */
  public seen(sh: RawShare, instances: readonly RawInstance[]): void {
    // The source's instance is the one the share has before any destination exists.
    this.sourceInstanceId ??= instances.length === 1 ? instances[0].id : undefined;
    this.push('S', shareState(sh, instances, this.host));
    const d = this.sourceInstanceId === undefined ? undefined : destinationState(instances, this.sourceInstanceId, this.lists.D.length > 0, this.host);
    if (d !== undefined) this.push('D', d);
  }

  private push(role: ServerRole, state: string): void {
    const list = this.lists[role];
    if (list[list.length - 1] !== state) list.push(state);
  }

  /** The share's states. */
  public get S(): StateList {
    return this.lists.S;
  }

  /** The destination instance's states. */
  public get D(): StateList {
    return this.lists.D;
  }
}
