import type { SimulatedCloud } from './manila';

/**
 * The end-of-run audit of share moves (beside ./audit.ts for share servers), from the
 * simulator's own records, not the runner's report: every share must be `available` with one
 * instance (none lost, none still migrating or in error), on the pool its outcome says (the
 * target after a success, its source pool otherwise), with its access rules and snapshots.
 */

/** Where one share should end: `to` after a success, `from` otherwise. */
export interface ShareExpectation {
  readonly shareId: string;
  readonly from: string;
  readonly to: string;
  /** The runner's final phase for the move. */
  readonly phase: string;
}

/** What the audit found. */
export interface ShareAuditReport {
  readonly shares: number;
  readonly onTarget: number;
  readonly onSource: number;
  /** Shares gone, not available, or with a rule or snapshot missing or not active/available. */
  readonly lost: readonly string[];
  /** Shares still migrating, with a destination instance, or in error. */
  readonly stuck: readonly string[];
  /** Shares whose pool disagrees with the runner's outcome. */
  readonly misplaced: readonly string[];
  /** Shares whose last migration failed (Manila's `migration_error` mark stays until reset). */
  readonly failedMarks: number;
}

/** Audits the flat shares against what each move's outcome says; `before` holds each share's rule and snapshot ids at the start. */
export function auditShares(
  cloud: SimulatedCloud,
  expected: readonly ShareExpectation[],
  before: ReadonlyMap<string, { rules: number; snapshots: number }>
): ShareAuditReport {
  const { store } = cloud;
  const lost: string[] = [];
  const stuck: string[] = [];
  const misplaced: string[] = [];
  let onTarget = 0;
  let onSource = 0;
  let failedMarks = 0;
  for (const e of expected) {
    const sh = store.shares.get(e.shareId);
    if (!sh) {
      lost.push(`${e.shareId}: gone`);
      continue;
    }
    if (sh.taskState === 'migration_error') failedMarks++;
    if (sh.status === 'migrating' || sh.destination || sh.status === 'error') {
      stuck.push(`${sh.name} ${sh.status}/${sh.taskState}${sh.destination ? ` (destination ${sh.destination.status}@${sh.destination.host})` : ''}`);
      continue;
    }
    const rules = [...store.rules.values()].filter((r) => r.shareId === sh.id && r.state === 'active').length;
    const snapshots = store.snapshotsOfShare(sh.id).filter((s) => s.status === 'available').length;
    const want = before.get(sh.id);
    if (sh.status !== 'available' || (want && (rules !== want.rules || snapshots !== want.snapshots))) {
      lost.push(`${sh.name}: ${sh.status}, ${rules} active rules, ${snapshots} available snapshots`);
    }
    const at = e.phase === 'done' ? e.to : e.from;
    if (sh.host !== at) misplaced.push(`${sh.name}: on ${sh.host}, the outcome ${e.phase} says ${at}`);
    if (sh.host === e.to) onTarget++;
    else if (sh.host === e.from) onSource++;
  }
  return { shares: expected.length, onTarget, onSource, lost, stuck, misplaced, failedMarks };
}

/** Each share's rules and snapshots, to audit against at the end. */
export function shareBaseline(cloud: SimulatedCloud): Map<string, { rules: number; snapshots: number }> {
  const out = new Map<string, { rules: number; snapshots: number }>();
  for (const sh of cloud.store.shares.values()) out.set(sh.id, { rules: 0, snapshots: cloud.store.snapshotsOfShare(sh.id).length });
  for (const r of cloud.store.rules.values()) {
    const b = out.get(r.shareId);
    if (b) b.rules++;
  }
  return out;
}
