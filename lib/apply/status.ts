import { ManilaApiError } from '../errors';
import type { ManilaClient } from '../manila/client';

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
 * Every share server migration in flight in the cloud: one list call, plus one progress call
 * per migration in the driver phase.
 */
export async function inFlightMigrations(client: ManilaClient, opts: { progress?: boolean } = {}): Promise<InFlight[]> {
  // One list, filtered here: Zed filters in Python per request, so one call beats two.
  const all = await client.listShareServers();
  const sources = all.filter((s) => s.status === 'server_migrating');
  const dests = all.filter((s) => s.status === 'server_migrating_to');
  const destBySource = new Map(dests.filter((d) => d.sourceShareServerId).map((d) => [d.sourceShareServerId as string, d]));
  const out = await Promise.all(
    sources.map(async (s) => {
      const d = destBySource.get(s.id);
      let progress: number | undefined;
      if (opts.progress !== false && s.taskState === 'migration_driver_in_progress') {
        try {
          progress = (await client.migrationGetProgress(s.id)).totalProgress;
        } catch (e) {
          if (!(e instanceof ManilaApiError)) throw e;
        }
      } else if (s.taskState === 'migration_driver_phase1_done') {
        progress = 100;
      }
      return {
        sourceId: s.id,
        sourceHost: s.host,
        destinationId: d?.id,
        destinationHost: d?.host,
        taskState: s.taskState,
        progress,
        shareNetwork: s.shareNetworkName ?? s.shareNetworkId,
        projectId: s.projectId,
      };
    }),
  );
  return out.sort((a, b) => a.sourceHost.localeCompare(b.sourceHost) || a.sourceId.localeCompare(b.sourceId));
}
