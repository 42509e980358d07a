import { ManilaApiError } from '../errors';
import type { ManilaClient } from '../manila/client';
import { inFlightPairs, isPhase1Done, TASK_STATE } from '../manila/server-state';
import { compareStrings } from '../util/compare';

/** One migration in flight, as `manila-placement status` shows it. */
export interface InFlight {
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
 * Every share server migration in flight in the cloud, whoever started it: one list call, plus
 * one progress call per migration in the driver phase.
 */
export async function inFlightMigrations(client: ManilaClient, opts: { progress?: boolean } = {}): Promise<InFlight[]> {
  // One list, read here: Zed loads every server (and its share network) whatever the filter.
  const pairs = inFlightPairs(await client.listShareServers());
  const out = await Promise.all(
    pairs.map(async (pair) => {
      const s = pair.source ?? pair.destination!;
      let progress: number | undefined;
      if (opts.progress !== false && pair.source && pair.source.taskState === TASK_STATE.driverInProgress) {
        try {
          progress = (await client.migrationGetProgress(pair.source.id)).totalProgress;
        } catch (e) {
          if (!(e instanceof ManilaApiError)) throw e;
        }
      } else if (pair.source && isPhase1Done(pair.source)) {
        progress = 100;
      }
      return {
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
