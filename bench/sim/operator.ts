import { cancelMigration } from '../../lib/apply/cancel';
import type { ManilaClient } from '../../lib/manila/client';
import type { Clock } from '../../lib/util/clock';

/**
 * An operator who cancels some migrations by hand while the runner works, through the real
 * client and lib/apply/cancel.ts (`manila-placement cancel`), as another process would: it
 * watches each chosen server, waits a while after seeing it migrate, and cancels it if Manila
 * still allows it (driver in progress or phase 1 done).
 */

/** Cancel `serverId` this long after first seeing it migrate. */
export interface CancelOrder {
  readonly serverId: string;
  readonly afterMs: number;
}

/** What the operator did. */
export interface OperatorReport {
  readonly cancelled: Array<{ readonly serverId: string; readonly at: number }>;
  /** Finished (or switching over) before the cancel was due. */
  readonly tooLate: string[];
  /** Never seen migrating before the run ended. */
  readonly notStarted: string[];
  readonly refused: Array<{ readonly serverId: string; readonly message: string }>;
}

/** Runs the orders until each is carried out or `stop()` says the run is over. */
export async function runOperator(
  client: ManilaClient,
  clock: Clock,
  orders: readonly CancelOrder[],
  opts: { readonly pollMs: number; readonly stop: () => boolean }
): Promise<OperatorReport> {
  const report: OperatorReport = { cancelled: [], tooLate: [], notStarted: [], refused: [] };
  await Promise.all(
    orders.map(async (o) => {
      let seenAt: number | undefined;
      for (;;) {
        if (opts.stop()) {
          (seenAt === undefined ? report.notStarted : report.tooLate).push(o.serverId);
          return;
        }
        const s = await client.findShareServer(o.serverId).catch(() => null);
        if (s === undefined) {
          report.tooLate.push(o.serverId);
          return;
        }
        if (s?.status === 'server_migrating') {
          seenAt ??= clock.now();
          if (clock.now() >= seenAt + o.afterMs) {
            if (s.taskState === 'migration_driver_in_progress' || s.taskState === 'migration_driver_phase1_done') {
              const r = await cancelMigration(client, o.serverId, { clock, pollIntervalMs: 30_000, timeoutMs: 3_600_000 });
              if (r.outcome === 'cancelled') report.cancelled.push({ serverId: o.serverId, at: clock.now() });
              else report.refused.push({ serverId: o.serverId, message: r.message });
              return;
            }
            if (s.taskState === 'migration_completing') {
              report.tooLate.push(o.serverId);
              return;
            }
          }
        } else if (s && seenAt !== undefined) {
          report.tooLate.push(o.serverId); // it ended (failed) before the cancel was due
          return;
        }
        await clock.sleep(seenAt !== undefined ? Math.min(opts.pollMs, Math.max(1_000, seenAt + o.afterMs - clock.now())) : opts.pollMs);
      }
    })
  );
  return report;
}
