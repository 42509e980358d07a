import { countInFlight } from '../../lib/apply/admission';
import type { ManilaClient } from '../../lib/manila/client';

/** The most migrations Manila's records showed in flight at any poll. */
export interface InFlightPeaks {
  readonly polls: number;
  readonly total: number;
  readonly perSource: number;
  readonly perDestination: number;
  /** Each poll: time and number in flight. */
  readonly samples: ReadonlyArray<{ readonly at: number; readonly total: number }>;
}

/**
 * Polls Manila's share servers (raw reads, not the runner's report) every `intervalMs` until
 * stopped, and keeps the peaks of what was in flight: overall, per source host, per
 * destination host. A migration on the test bed stays in flight 10 s at least, so 1.5 s
 * between lists still sees every one; each list costs manila-api about 0.6 s.
 */
export function watchInFlight(client: ManilaClient, intervalMs = 1500): { stop(): Promise<InFlightPeaks> } {
  let running = true;
  let polls = 0;
  let total = 0;
  let perSource = 0;
  let perDestination = 0;
  const samples: Array<{ at: number; total: number }> = [];
  const loop = (async () => {
    while (running) {
      try {
        const c = countInFlight(await client.listShareServers());
        polls++;
        samples.push({ at: Date.now(), total: c.total });
        total = Math.max(total, c.total);
        perSource = Math.max(perSource, ...c.bySource.values(), 0);
        perDestination = Math.max(perDestination, ...c.byDestination.values(), 0);
      } catch {
        // a read that failed proves nothing either way: poll again
      }
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return { polls, total, perSource, perDestination, samples };
    },
  };
}
