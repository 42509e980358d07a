import type { SimulatedCloud } from './manila';
import type { SimServer } from './model';

/**
 * The end-of-run audit, from the simulator's own records (not the runner's report): where every
 * tenant network's share server and shares ended up. Nothing may be lost (a network without a
 * live server, a share not available on it) or stuck (a server still migrating, a source in
 * error); each server must be on the host the outcome says: the target after a success, the
 * source after a failure or a cancel.
 */

/** Where one network's server should end: `to` after a success, `from` otherwise. */
export interface Expectation {
  readonly network: string;
  readonly from: string;
  readonly to: string;
  /** The runner's final phase for the move. */
  readonly phase: string;
}

/** What the audit found. */
export interface AuditReport {
  readonly networks: number;
  readonly onTarget: number;
  readonly onSource: number;
  /** Networks without exactly one live, active server holding all their shares, available. */
  readonly lost: readonly string[];
  /** Servers still migrating (source or destination), creating, or a live server in error. */
  readonly stuck: readonly string[];
  /** Servers whose host disagrees with the runner's outcome. */
  readonly misplaced: readonly string[];
  /** Records Manila leaves behind by design: failed destinations (`error`), cancelled ones (`inactive`). */
  readonly leftovers: { readonly failedDestinations: number; readonly cancelledDestinations: number };
}

/** A record that stands for no server: an old source, a cancelled or failed destination. */
function leftover(s: SimServer): boolean {
  if ((s.status === 'inactive' || s.status === 'deleting') && s.taskState === 'migration_success') return true;
  if (s.status === 'inactive' && s.taskState === 'migration_cancelled') return true;
  return s.status === 'error' && s.taskState === 'migration_error' && s.sourceShareServerId !== null;
}

/** Audits the cloud against what each move's outcome says. */
export function audit(cloud: SimulatedCloud, expected: readonly Expectation[]): AuditReport {
  const { store } = cloud;
  const byNet = new Map<string, SimServer[]>();
  for (const s of store.servers.values()) {
    const n = store.networks.get(s.shareNetworkId)?.name ?? s.shareNetworkId;
    const list = byNet.get(n) ?? [];
    list.push(s);
    byNet.set(n, list);
  }
  const lost: string[] = [];
  const stuck: string[] = [];
  const misplaced: string[] = [];
  let onTarget = 0;
  let onSource = 0;
  for (const s of store.servers.values()) {
    if (['server_migrating', 'server_migrating_to', 'creating'].includes(s.status)) stuck.push(`${s.id} ${s.status}/${s.taskState}`);
    else if (s.status === 'error' && !leftover(s)) stuck.push(`${s.id} error/${s.taskState}`);
  }
  for (const e of expected) {
    const live = (byNet.get(e.network) ?? []).filter((s) => !leftover(s));
    if (live.length !== 1 || live[0].status !== 'active') {
      lost.push(`${e.network}: ${live.length} live server(s) ${live.map((s) => `${s.status}/${s.taskState}@${s.host}`).join(', ')}`);
      continue;
    }
    const s = live[0];
    const shares = [...store.shares.values()].filter((sh) => sh.shareNetworkId !== null && store.networks.get(sh.shareNetworkId)?.name === e.network);
    const bad = shares.filter((sh) => sh.shareServerId !== s.id || sh.status !== 'available' || sh.host.split('#')[0] !== s.host);
    if (shares.length === 0 || bad.length)
      lost.push(`${e.network}: shares ${bad.map((sh) => `${sh.name} ${sh.status} on ${sh.shareServerId}`).join(', ') || 'none'}`);
    const want = e.phase === 'done' ? e.to : e.from;
    if (s.host !== want) misplaced.push(`${e.network}: on ${s.host}, the outcome ${e.phase} says ${want}`);
    if (s.host === e.to) onTarget++;
    else if (s.host === e.from) onSource++;
  }
  const all = [...store.servers.values()];
  return {
    networks: expected.length,
    onTarget,
    onSource,
    lost,
    stuck,
    misplaced,
    leftovers: {
      failedDestinations: all.filter((s) => s.status === 'error' && s.taskState === 'migration_error').length,
      cancelledDestinations: all.filter((s) => s.status === 'inactive' && s.taskState === 'migration_cancelled').length,
    },
  };
}
