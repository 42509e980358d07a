import type { ManilaClient } from '../manila/client';
import { SERVER_STATUS } from '../manila/server-state';

/** What one round of verification found. */
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

/**
 * One round of checks that a finished migration left everything where it belongs: every
 * share the plan saw is `available` on the destination server and host, with its access rules
 * `active` and its snapshots `available`; and the old server record is gone. Things still
 * settling (rules go `queued_to_apply` → `active` after the switchover) show as problems: the
 * runner asks again until its verify deadline.
 */
export async function verifyOnce(client: ManilaClient, args: { sourceId: string; destination: { id: string; host: string }; expectedShareIds: readonly string[] }): Promise<Verification> {
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
  const sourceGone = !source || source.status === SERVER_STATUS.deleting;
  if (!sourceGone) problems.push(`the old share server ${args.sourceId} still exists (status ${source?.status}); Manila normally deletes it after a success`);
  return { ok: problems.length === 0, problems, shares: shares.length, accessRules: rules, snapshots: snaps, sourceGone };
}
