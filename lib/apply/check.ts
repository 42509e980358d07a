import { ManilaPlacementError } from '../errors';
import type { ManilaClient } from '../manila/client';
import type { MigrationCheckResult, MigrationFlags, MigrationParams } from '../manila/types';
import type { MigrateEntry, Plan, PlanEntry, ResumeEntry } from '../plan/types';

/**
 * The one check path: `migration_check` (read-only: Manila asks the destination's driver) for
 * a move, and what its answer means. The runner checks before every start; `plan --check`
 * asks the same question before anything moves.
 */

/** What Manila's `migration_check` said about one move, read. */
export interface CheckVerdict {
  readonly compatible: boolean;
  /** Demanded capabilities (flags set to true) the destination does not support. */
  readonly unmet: ReadonlyArray<keyof MigrationFlags>;
  /** One sentence: what Manila said. */
  readonly summary: string;
  /** What to do when it is not compatible. */
  readonly hint?: string;
  readonly requested: Readonly<Record<string, unknown>>;
  readonly supported: MigrationCheckResult['supported'];
}

const FLAG_NAMES: Readonly<Record<keyof MigrationFlags, string>> = { writable: 'writable', nondisruptive: 'nondisruptive', preserveSnapshots: 'preserve_snapshots', preserveMetadata: 'preserve_metadata' };

/** Reads a `migration_check` answer for a move from `from` to `to` with these demands (`snapshots`: how many the server's shares have). Pure. */
export function checkVerdict(flags: MigrationFlags, result: MigrationCheckResult, from: string, to: string, snapshots = 0): CheckVerdict {
  const unmet = (['writable', 'nondisruptive', 'preserveSnapshots'] as const).filter((f) => flags[f] && result.supported[f] !== true);
  const yes = (v: boolean | null): string => (v === null ? 'unknown' : v ? 'yes' : 'no');
  const s = result.supported;
  const caps = `writable ${yes(s.writable)}, nondisruptive ${yes(s.nondisruptive)}, preserve snapshots ${yes(s.preserveSnapshots)}, cancel ${yes(s.migrationCancel)}, progress ${yes(s.migrationGetProgress)}`;
  if (result.compatible) {
    return { compatible: true, unmet, summary: `migration_check says ${from} → ${to} is possible (the destination supports: ${caps})`, requested: result.requested, supported: s };
  }
  if (!unmet.length && s.preserveSnapshots === false && snapshots > 0) {
    return {
      compatible: false,
      unmet,
      summary: `migration_check says ${from} → ${to} is not possible: the destination cannot preserve snapshots, and the shares have ${snapshots} (Manila moves a server's snapshots with it or not at all; it supports: ${caps})`,
      hint: 'Delete the snapshots you do not need, or choose a destination whose driver preserves snapshots. No migration was started.',
      requested: result.requested,
      supported: s,
    };
  }
  return {
    compatible: false,
    unmet,
    summary:
      `migration_check says ${from} → ${to} is not possible` +
      (unmet.length ? `: the destination cannot meet ${unmet.map((f) => FLAG_NAMES[f]).join(', ')} (it supports: ${caps})` : ` (Manila gives no reason; see manila-share.log on the destination; it supports: ${caps})`),
    hint: unmet.length
      ? `Drop the demand (${unmet.join(', ')}: false) or choose a destination whose driver supports it. No migration was started.`
      : 'No migration was started. Check the destination backend (DHSS, driver support for share server migration, snapshots: a driver that cannot preserve them refuses a server whose shares have any).',
    requested: result.requested,
    supported: s,
  };
}

/** How many snapshots the shares of a move have, as the plan saw them. */
export function snapshotsOf(e: MigrateEntry | ResumeEntry): number {
  return (e.server.shares ?? []).reduce((n, s) => n + s.snapshots, 0);
}

/** The parameters of a move's check and start. */
export function migrationParams(e: MigrateEntry | ResumeEntry): MigrationParams {
  return { host: e.to, ...e.flags, newShareNetworkId: e.newShareNetworkId, ...(e.newShareTypeId !== undefined ? { newShareTypeId: e.newShareTypeId } : {}) };
}

/** A move's check as `plan --check` shows it: Manila's verdict, or the error it answered. */
export type MoveCheck =
  | { readonly key: string; readonly verdict: CheckVerdict }
  | { readonly key: string; readonly error: { readonly code: string; readonly message: string; readonly hint: string } };

/** Asks `migration_check` for each move (read-only), a few at a time: Manila asks each destination's driver synchronously. */
export async function checkMoves(client: ManilaClient, entries: ReadonlyArray<MigrateEntry>, opts: { concurrency?: number } = {}): Promise<MoveCheck[]> {
  const out: MoveCheck[] = new Array(entries.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < entries.length; i = next++) {
      const e = entries[i];
      try {
        out[i] = { key: e.key, verdict: checkVerdict(e.flags, await client.migrationCheck(e.server.id, migrationParams(e)), e.from, e.to, snapshotsOf(e)) };
      } catch (err) {
        if (!(err instanceof ManilaPlacementError)) throw err;
        out[i] = { key: e.key, error: { code: err.code, message: err.message, hint: err.hint } };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(opts.concurrency ?? 4, entries.length)) }, worker));
  return out;
}

/** Blocked-reason codes that come from Manila's answer (`plan --check`), beside those the snapshot reveals (BLOCKED_CODES). */
export const CHECK_BLOCKED_CODES = ['CHECK_INCOMPATIBLE', 'CHECK_FAILED'] as const;

/**
 * The plan as Manila's checks leave it: a move the check refused (or answered with an error)
 * becomes a blocked entry whose reason carries Manila's answer; the summary counts follow.
 * Pure; the plan file itself is never changed (the runner checks again before every start).
 */
export function blockByChecks(plan: Plan, checks: readonly MoveCheck[]): Plan {
  const byKey = new Map(checks.map((c) => [c.key, c] as const));
  const entries = plan.entries.map((e): PlanEntry => {
    const c = byKey.get(e.key);
    if (!c || e.action !== 'migrate') return e;
    if ('verdict' in c && c.verdict.compatible) return e;
    const reason = 'verdict' in c ? { code: 'CHECK_INCOMPATIBLE', message: c.verdict.summary } : { code: 'CHECK_FAILED', message: c.error.message };
    return { action: 'blocked', key: e.key, declaration: e.declaration, server: e.server, to: e.to, reasons: [reason] };
  });
  const summary = { ...plan.summary };
  for (const k of Object.keys(summary) as Array<keyof typeof summary>) summary[k] = entries.filter((e) => e.action === k).length;
  return { ...plan, entries, summary };
}
