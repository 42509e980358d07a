import { ManilaApiError } from '../errors';
import type { ManilaClient } from '../manila/client';
import { inFlightPairs, isMigrationDestination, isPhase1Done, TASK_STATE } from '../manila/server-state';
import { kindOf, RESOURCES, type ResourceKind } from '../manila/resource';
import { shareRecord, shareRecordsFromInstances } from '../manila/share-record';
import { compareStrings } from '../util/compare';

/** One migration in flight, as `manila-placement status` shows it. */
export interface InFlight {
  /** A share server, or a share migrating by itself. */
  readonly kind: ResourceKind;
  readonly sourceId: string;
  readonly sourceHost: string;
  readonly destinationId?: string;
  readonly destinationHost?: string;
  readonly taskState: string | null;
  /** 0-100 when Manila could say. */
  readonly progress?: number;
  readonly shareNetwork?: string;
  readonly projectId: string;
}

/**
 * Every migration in flight in the cloud, of share servers and of shares, whoever started it:
 * two list calls (three while shares migrate), plus one progress call per migration in the
 * driver phase.
 */
export async function inFlightMigrations(client: ManilaClient, opts: { progress?: boolean } = {}): Promise<InFlight[]> {
  // One list, read here: Zed loads every server (and its share network) whatever the filter.
  // Shares migrating by themselves show as `migrating` shares (their task state is only there),
  // with their destination pools in one list of instances when there are any.
  const [servers, moving] = await Promise.all([client.listShareServers(), client.listShares({ status: RESOURCES.share.status.migrating })]);
  const shares = moving.map(shareRecord);
  const destinations = shares.length ? shareRecordsFromInstances(await client.listAllShareInstances()).filter((r) => isMigrationDestination(r)) : [];
  const pairs = inFlightPairs([...servers, ...shares, ...destinations]);
  const out = await Promise.all(
    pairs.map(async (pair) => {
      const s = pair.source ?? pair.destination!;
      let progress: number | undefined;
      if (opts.progress !== false && pair.source && pair.source.taskState === TASK_STATE.driverInProgress) {
        try {
          progress = (await client.migrationGetProgress(pair.source.id, { kind: kindOf(pair.source) })).totalProgress;
        } catch (e) {
          if (!(e instanceof ManilaApiError)) throw e;
        }
      } else if (pair.source && isPhase1Done(pair.source)) {
        progress = 100;
      }
      return {
        kind: kindOf(s),
        sourceId: pair.source?.id ?? pair.destination?.sourceShareServerId ?? s.id,
        sourceHost: pair.from,
        destinationId: pair.destination?.id,
        destinationHost: pair.to,
        taskState: s.taskState,
        progress,
        shareNetwork: s.shareNetworkName ?? s.shareNetworkId,
        projectId: s.projectId,
      };
    }),
  );
  return out.sort((a, b) => compareStrings(a.sourceHost, b.sourceHost) || compareStrings(a.sourceId, b.sourceId));
}
