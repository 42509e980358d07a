import type { MigrationCheckResult } from '../manila/types';
import { compareStrings } from '../util/compare';
import { plural } from '../util/plural';
import type { MigrateEntry, ObservedShare, PlanEntry, ResumeEntry } from './types';

/**
 * What a move does to the people who use its shares, said before it moves (Manila's api-ref
 * and its share manager): during phase 1 the shares stay writable only if the driver can
 * (otherwise Manila casts every access rule to read-only, for hours in production); at the
 * switchover the export locations change unless the move is nondisruptive (clients remount);
 * access rules are kept; snapshots move with the shares when the driver preserves them, and a
 * driver that cannot makes Manila refuse a server whose shares have snapshots.
 *
 * What the snapshot shows is stated as known; what only the driver can say is stated as
 * asked (the demand) without `plan --check`, and as Manila's answer with it. Pure.
 */

/** Where a statement comes from. */
export type Source = 'known' | 'asked' | 'manila';

/** One statement about the shares of a move. */
export interface Statement<T extends string> {
  readonly outcome: T;
  readonly source: Source;
  readonly text: string;
}

/** The impact of one move on its shares. */
export interface MoveImpact {
  readonly key: string;
  readonly serverId: string;
  readonly projectId: string;
  /** The project's name from Keystone, when the snapshot has it. */
  readonly projectName?: string;
  readonly from: string;
  readonly to: string;
  readonly shares: readonly ObservedShare[];
  /** During phase 1. */
  readonly writes: Statement<'writable' | 'read-only' | 'read-only unless the driver keeps them writable'>;
  /** At the switchover. */
  readonly exportLocations: Statement<'kept' | 'new' | 'new unless the driver migrates nondisruptively'>;
  readonly snapshots: Statement<'none' | 'kept' | 'refused' | 'kept if the driver preserves them, else the move is refused'>;
  readonly accessRules: Statement<'kept'>;
}

type Supported = MigrationCheckResult['supported'];

/** The impact of a migrate or resume entry; `supported` is Manila's `migration_check` answer when asked (`plan --check`). */
export function moveImpact(e: MigrateEntry | ResumeEntry, supported?: Supported): MoveImpact {
  const shares = e.server.shares ?? e.server.shareIds.map((id) => ({ id, size: 0, snapshots: 0 }));
  const snaps = shares.reduce((n, s) => n + s.snapshots, 0);
  const writes: MoveImpact['writes'] = e.flags.writable
    ? { outcome: 'writable', source: 'asked', text: 'writable during phase 1 (demanded: Manila refuses the move rather than make them read-only)' }
    : supported?.writable === true
      ? { outcome: 'writable', source: 'manila', text: 'writable during phase 1 (Manila: the driver keeps them writable)' }
      : supported?.writable === false
        ? { outcome: 'read-only', source: 'manila', text: 'READ-ONLY for the whole of phase 1 (Manila: the driver cannot keep them writable, so every access rule is cast to read-only until the switchover)' }
        : {
            outcome: 'read-only unless the driver keeps them writable',
            source: 'asked',
            text: 'read-only during phase 1 unless the driver keeps them writable (not demanded; `plan --check` asks Manila)',
          };
  const exportLocations: MoveImpact['exportLocations'] = e.flags.nondisruptive
    ? { outcome: 'kept', source: 'asked', text: 'export locations kept (nondisruptive demanded)' }
    : supported?.nondisruptive === true
      ? { outcome: 'kept', source: 'manila', text: 'export locations kept (Manila: the driver migrates nondisruptively)' }
      : supported?.nondisruptive === false
        ? { outcome: 'new', source: 'manila', text: 'new export locations at the switchover: clients must remount (Manila: the driver builds a new share server)' }
        : { outcome: 'new unless the driver migrates nondisruptively', source: 'asked', text: 'new export locations at the switchover unless the driver migrates nondisruptively: clients may have to remount' };
  const snapshots: MoveImpact['snapshots'] =
    snaps === 0
      ? { outcome: 'none', source: 'known', text: 'no snapshots' }
      : e.flags.preserveSnapshots || supported?.preserveSnapshots === true
        ? { outcome: 'kept', source: e.flags.preserveSnapshots ? 'asked' : 'manila', text: `${plural(snaps, 'snapshot')} kept (${e.flags.preserveSnapshots ? 'preserving them demanded' : 'Manila: the driver preserves them'})` }
        : supported?.preserveSnapshots === false
          ? { outcome: 'refused', source: 'manila', text: `${plural(snaps, 'snapshot')}, and the driver cannot preserve them: Manila refuses the move (delete the snapshots or choose another destination)` }
          : {
              outcome: 'kept if the driver preserves them, else the move is refused',
              source: 'asked',
              text: `${plural(snaps, 'snapshot')}: kept if the driver preserves them; if it cannot, Manila refuses the move (\`plan --check\` asks)`,
            };
  return {
    key: e.key,
    serverId: e.server.id,
    projectId: e.server.projectId,
    ...(e.server.projectName !== undefined ? { projectName: e.server.projectName } : {}),
    from: e.from,
    to: e.to,
    shares,
    writes,
    exportLocations,
    snapshots,
    accessRules: { outcome: 'kept', source: 'known', text: 'access rules kept (Manila restores their levels after the switchover)' },
  };
}

/** The moves of a project and their shares: how an operator tells a tenant. */
export interface ProjectImpact {
  readonly projectId: string;
  /** The project's name from Keystone, when the snapshot has it. */
  readonly projectName?: string;
  readonly moves: readonly MoveImpact[];
  readonly shares: number;
  readonly sizeGb: number;
  /** Snapshots of its shares that move with them. */
  readonly snapshots: number;
  /** Moves whose shares go (or may go) read-only during phase 1. */
  readonly readOnlyMoves: number;
  /** Moves after which clients remount (or may have to). */
  readonly remountMoves: number;
}

/** The impact of every pending move of some plans, per project (sorted by name, else id). */
export function impactByProject(entries: readonly PlanEntry[], supported: ReadonlyMap<string, Supported> = new Map()): ProjectImpact[] {
  const byProject = new Map<string, MoveImpact[]>();
  for (const e of entries) {
    if (e.action !== 'migrate' && e.action !== 'resume') continue;
    const m = moveImpact(e, supported.get(e.key));
    byProject.set(m.projectId, [...(byProject.get(m.projectId) ?? []), m]);
  }
  // By name where Keystone gave one (as a person looks for it), else by id.
  return [...byProject.entries()]
    .sort(([a, ma], [b, mb]) => compareStrings(ma[0].projectName ?? a, mb[0].projectName ?? b) || compareStrings(a, b))
    .map(([projectId, moves]) => ({
      projectId,
      ...(moves[0].projectName !== undefined ? { projectName: moves[0].projectName } : {}),
      moves,
      shares: moves.reduce((n, m) => n + m.shares.length, 0),
      sizeGb: moves.reduce((n, m) => n + m.shares.reduce((g, s) => g + s.size, 0), 0),
      snapshots: moves.reduce((n, m) => n + m.shares.reduce((g, s) => g + s.snapshots, 0), 0),
      readOnlyMoves: moves.filter((m) => m.writes.outcome !== 'writable').length,
      remountMoves: moves.filter((m) => m.exportLocations.outcome !== 'kept').length,
    }));
}

/** How a project is shown: its name with the id when both are known (`admin (26383058...)`), else its id. */
export function projectLabel(p: { readonly projectId: string; readonly projectName?: string }, withId = false): string {
  if (p.projectName === undefined) return p.projectId;
  return withId ? `${p.projectName} (${p.projectId})` : p.projectName;
}
