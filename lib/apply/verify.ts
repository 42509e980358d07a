import type { ManilaClient } from '../manila/client';
import type { Clock } from '../manila/http';

/** What verification found. */
export interface Verification {
  readonly ok: boolean;
  /** One line per problem; empty when ok. */
  readonly problems: readonly string[];
  readonly shares: number;
  readonly accessRules: number;
  readonly snapshots: number;
  /** True when the old server record is gone (404) or going (`deleting`). */
  readonly sourceGone: boolean;
}

/** Options of verification. */
export interface VerifyOptions {
  /** How long to wait for shares, rules and snapshots to settle, in ms. @default 120000 */
  readonly settleTimeoutMs?: number;
  /** Poll interval, in ms. @default 2000 */
  readonly pollIntervalMs?: number;
  readonly signal?: AbortSignal;
}

/**
 * Checks that a finished migration left everything where it belongs: every share the plan saw
 * is `available` on the destination server and host, with its access rules `active` and its
 * snapshots `available`; and the old server record is gone. Waits for things still settling
 * (rules go `queued_to_apply` → `active` after the switchover).
 */
export async function verifyMove(
  client: ManilaClient,
  clock: Clock,
  args: { sourceId: string; destination: { id: string; host: string }; expectedShareIds: readonly string[] },
  opts: VerifyOptions = {},
): Promise<Verification> {
  const deadline = clock.now() + (opts.settleTimeoutMs ?? 120_000);
  const interval = opts.pollIntervalMs ?? 2_000;
  for (;;) {
    const problems: string[] = [];
    let rules = 0;
    let snaps = 0;
    const shares = await client.listShares({ share_server_id: args.destination.id });
    const ids = new Set(shares.map((s) => s.id));
    for (const want of args.expectedShareIds) {
      if (!ids.has(want)) problems.push(`share ${want} is not on the new share server ${args.destination.id}`);
    }
    for (const sh of shares) {
      if (sh.status !== 'available') problems.push(`share ${sh.id} is ${sh.status}, not available`);
      if (sh.host && sh.host.split('#')[0] !== args.destination.host) problems.push(`share ${sh.id} is on ${sh.host}, not ${args.destination.host}`);
      const accessRules = await client.listAccessRules(sh.id);
      rules += accessRules.length;
      for (const r of accessRules) if (r.state !== 'active') problems.push(`access rule ${r.accessType}:${r.accessTo} of share ${sh.id} is ${r.state}`);
      const snapshots = await client.listSnapshots({ share_id: sh.id });
      snaps += snapshots.length;
      for (const s of snapshots) if (s.status !== 'available') problems.push(`snapshot ${s.id} of share ${sh.id} is ${s.status}`);
    }
    const source = await client.findShareServer(args.sourceId);
    const sourceGone = !source || source.status === 'deleting';
    const settled = problems.length === 0 && sourceGone;
    if (settled || clock.now() >= deadline || opts.signal?.aborted) {
      if (!sourceGone) problems.push(`the old share server ${args.sourceId} still exists (status ${source?.status}); Manila normally deletes it after a success`);
      return { ok: problems.length === 0, problems, shares: shares.length, accessRules: rules, snapshots: snaps, sourceGone };
    }
    await clock.sleep(interval);
  }
}
