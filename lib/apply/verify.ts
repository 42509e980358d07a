import type { ManilaClient } from '../manila/client';
import { SERVER_STATUS } from '../manila/server-state';
import type { ExportLocation } from '../manila/types';
import type { ResourceKind } from '../manila/resource';

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
  /** Each share's export locations on the destination (paths, preferred first), by share id. */
  readonly exportLocations: Readonly<Record<string, readonly string[]>>;
  /** True when Manila still applies some share's rules read-only (`cast_rules_to_readonly`). */
  readonly readOnly: boolean;
  /** Access rules still waiting to be applied (`queued_to_apply`), by share. */
  readonly queuedRules: ReadonlyArray<{ readonly shareId: string; readonly accessTo: string }>;
}

/**
 * One round of checks that a finished migration left everything where it belongs: every
 * share the plan saw is `available` on the destination server and host, with its access rules
 * `active` and its snapshots `available`; and the old server record is gone. Things still
 * settling (rules go `queued_to_apply` → `active` after the switchover) show as problems: the
 * runner asks again until its verify deadline.
 */
export async function verifyOnce(
  client: ManilaClient,
  args: {
    /** A share move checks the share itself, on its pool. @default 'share-server' */
    kind?: ResourceKind;
    sourceId: string;
    destination: { id: string; host: string };
    expectedShareIds: readonly string[];
    /** The old record was already seen gone (404): not read again. */
    sourceGone?: boolean;
    /** Whether phase 1 cast the rules read-only; `false` skips reading the share instances. */
    castInPhase1?: boolean;
  },
): Promise<Verification> {
  const problems: string[] = [];
  let rules = 0;
  let snaps = 0;
  let readOnly = false;
  const exportLocations: Record<string, readonly string[]> = {};
  const queuedRules: Array<{ shareId: string; accessTo: string }> = [];
  const isShare = args.kind === 'share';
  // A share keeps its id: it is read itself, and its host must be the destination pool.
  const shares = isShare ? [await client.getShare(args.destination.id)] : await client.listShares({ share_server_id: args.destination.id });
  const ids = new Set(shares.map((s) => s.id));
  for (const want of args.expectedShareIds) {
    if (!ids.has(want)) problems.push(`share ${want} is not on the new share server ${args.destination.id}`);
  }
  for (const sh of shares) {
    if (sh.status !== 'available') problems.push(`share ${sh.id} is ${sh.status}, not available`);
    const host = isShare ? sh.host : sh.host?.split('#')[0];
    if (sh.host && host !== args.destination.host) problems.push(`share ${sh.id} is on ${sh.host}, not ${args.destination.host}`);
    const accessRules = await client.listAccessRules(sh.id);
    rules += accessRules.length;
    for (const r of accessRules) {
      if (r.state !== 'active') problems.push(`access rule ${r.accessType}:${r.accessTo} of share ${sh.id} is ${r.state}`);
      if (r.state === 'queued_to_apply') queuedRules.push({ shareId: sh.id, accessTo: r.accessTo });
    }
    const snapshots = await client.listSnapshots({ share_id: sh.id });
    snaps += snapshots.length;
    for (const s of snapshots) if (s.status !== 'available') problems.push(`snapshot ${s.id} of share ${sh.id} is ${s.status}`);
    exportLocations[sh.id] = pathsOf(await client.listExportLocations(sh.id));
    // Only a read-only phase 1 (or an unknown one) leaves rules to restore.
    if (args.castInPhase1 !== false && (await client.listShareInstances(sh.id)).some((i) => i.castRulesToReadonly === true)) {
      readOnly = true;
      problems.push(`the access rules of share ${sh.id} are still read-only (cast_rules_to_readonly); Manila restores them after the switchover`);
    }
  }
  // A share's old instance goes with the switchover (the share's instances list shows one).
  const source = args.sourceGone || isShare ? undefined : await client.findShareServer(args.sourceId);
  const sourceGone = !source || source.status === SERVER_STATUS.deleting;
  if (!sourceGone) problems.push(`the old share server ${args.sourceId} still exists (status ${source?.status}); Manila normally deletes it after a success`);
  return {
    ok: problems.length === 0,
    problems,
    shares: shares.length,
    accessRules: rules,
    snapshots: snaps,
    sourceGone,
    exportLocations,
    readOnly,
    queuedRules,
  };
}

/** Export paths as clients see them: user-facing ones first, preferred first, then by path. */
export function pathsOf(list: readonly ExportLocation[]): string[] {
  return [...list]
    .sort(
      (a, b) =>
        Number(a.isAdminOnly === true) - Number(b.isAdminOnly === true) ||
        Number(b.preferred === true) - Number(a.preferred === true) ||
        (a.path < b.path ? -1 : a.path > b.path ? 1 : 0),
    )
    .map((e) => (e.isAdminOnly ? `${e.path} (admin)` : e.path));
}
