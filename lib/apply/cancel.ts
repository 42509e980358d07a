import { ManilaApiError } from '../errors';
import type { ManilaClient } from '../manila/client';
import { type Clock, systemClock } from '../util/clock';
import { isCancelledSource, isCancelling, isMigrationSource, TASK_STATE } from '../manila/server-state';
import { kindOf, traitsOf } from '../manila/resource';
import type { ShareServer } from '../manila/types';

/** Result of cancelling one migration. */
export interface CancelResult {
  readonly serverId: string;
  readonly outcome: 'cancelled' | 'not-migrating' | 'refused' | 'timed-out';
  readonly message: string;
}

/**
 * Cancels the migration of one share server or share (allowed while phase 1 runs or is done) and waits
 * until Manila reports `migration_cancelled`. Refusals carry Manila's message.
 */
export async function cancelMigration(
  client: ManilaClient,
  serverId: string,
  opts: { clock?: Clock; timeoutMs?: number; pollIntervalMs?: number; wait?: boolean; observeMs?: number } = {},
): Promise<CancelResult> {
  const clock = opts.clock ?? systemClock;
  // An id is a share server's, or else a share's (share migration): the same cancel, at its own path.
  const s = (await client.findShareServer(serverId)) ?? (await client.findMovable('share', serverId));
  if (!s) return { serverId, outcome: 'refused', message: `no share server or share has the id ${serverId}` };
  const kind = kindOf(s);
  const read = async (): Promise<ShareServer> => (await client.findMovable(kind, serverId)) ?? s;
  const noun = traitsOf(s).noun;
  if (!isMigrationSource(s)) {
    return { serverId, outcome: 'not-migrating', message: `${noun} ${serverId} is ${s.status}${s.taskState ? ` (${s.taskState})` : ''}, not migrating` };
  }
  try {
    await client.migrationCancel(serverId, kind);
  } catch (e) {
    if (e instanceof ManilaApiError && e.status < 500) return { serverId, outcome: 'refused', message: e.message };
    // The answer was lost or Manila failed: look before deciding (cancel is never resent).
    // Manila records a cancel only when the destination's manager picks up the cast, so watch
    // for a while rather than read once.
    const watchUntil = clock.now() + (opts.observeMs ?? 20_000);
    for (;;) {
      const now = await read();
      if (isCancelling(now) || now.taskState === TASK_STATE.cancelled) break;
      if (clock.now() >= watchUntil) {
        return { serverId, outcome: 'refused', message: `${(e as Error).message} (Manila shows no cancel: ${now.status}/${now.taskState}; nothing was resent)` };
      }
      await clock.sleep(opts.pollIntervalMs ?? 2_000);
    }
  }
  if (opts.wait === false) return { serverId, outcome: 'cancelled', message: 'cancel accepted' };
  const deadline = clock.now() + (opts.timeoutMs ?? 300_000);
  for (;;) {
    const now = await read();
    if (isCancelledSource(now)) return { serverId, outcome: 'cancelled', message: `cancelled; ${noun} ${serverId} is ${now.status} on ${now.host}` };
    if (clock.now() > deadline) {
      return { serverId, outcome: 'timed-out', message: `cancel accepted but ${serverId} is still ${now.status}/${now.taskState}; the driver may not support cancel` };
    }
    await clock.sleep(opts.pollIntervalMs ?? 2_000);
  }
}
