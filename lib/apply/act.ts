import { ManilaApiError, ManilaPlacementError, TransportError } from '../errors';
import { BudgetSkipped, withPriority } from '../manila/budget';
import type { ManilaClient } from '../manila/client';
import type { Clock } from '../util/clock';
import { isIdle, isMigrationDestination, isMigrationSource, isPhase1Done } from '../manila/server-state';
import { kindOf, type ResourceKind } from '../manila/resource';
import { listInFlightView } from './observation';
import type { MigrationCheckResult, MigrationParams, ShareServer } from '../manila/types';
import { admit, countInFlight, overshoots, type Candidate, type InFlightCounts } from './admission';
import type { RunLocks } from './lock';
import type { SentCall } from './memory';
import type { Limits } from './options';
import { moveScope } from './scope';

/**
 * The calls that change the cloud, and the checks right before them. `start`, `complete` and
 * `cancel` are sent at most once per decision and never retried: a failure that may have been
 * applied (timeout, reset, 5xx) is marked ambiguous, and the next observation tells.
 */

/** A failure as the memory keeps it. */
export function failureOf(e: unknown): NonNullable<SentCall['error']> {
  const ambiguous = e instanceof TransportError || (e instanceof ManilaApiError && e.status >= 500);
  if (e instanceof ManilaPlacementError) return { code: e.code, message: e.message, hint: e.hint, ambiguous };
  return { code: 'MP_INTERNAL', message: `unexpected error: ${(e as Error)?.message ?? String(e)}`, hint: 'This is a bug in manila-placement; apply again to resume, and report it.', ambiguous: false };
}

/** `migration_check` (read-only; the transport retries it). */
export async function checkMove(client: ManilaClient, serverId: string, params: MigrationParams, now: () => number): Promise<{ at: number; result?: MigrationCheckResult; error?: SentCall['error'] }> {
  try {
    const result = await client.migrationCheck(serverId, params);
    return { at: now(), result };
  } catch (e) {
    return { at: now(), error: failureOf(e) };
  }
}

/** A move that admission may start. */
export interface StartCandidate extends Candidate {
  readonly serverId: string;
  /** What it moves. @default 'share-server' */
  readonly kind?: ResourceKind;
  readonly params: MigrationParams;
}

/** What one admission under the lock did. */
export interface AdmissionResult {
  /** Start calls sent, by move key. */
  readonly started: ReadonlyMap<string, SentCall>;
  /** Moves that must wait, with the limit that holds each back. */
  readonly waiting: ReadonlyMap<string, string>;
  /** Moves whose server changed since the decision (read again next pass). */
  readonly changed: readonly string[];
  /** The fresh list of every share server, and what is in flight. */
  readonly servers: readonly ShareServer[];
  readonly inFlight: InFlightCounts;
  /** Limits the cloud already exceeds (started elsewhere). */
  readonly overshoots: readonly string[];
}

/**
 * Admission: under the cloud lock, list every share server, count what is in flight as Manila
 * shows it (whoever started it), admit the candidates that fit (in the order given) and send
 * their starts. The lock is released only after Manila answered each start, and Manila marks a
 * source `server_migrating` before it answers: the next runner's count includes them.
 */
export async function admitAndStart(
  client: ManilaClient,
  locks: RunLocks,
  candidates: readonly StartCandidate[],
  limits: Limits,
  knownDestinations: ReadonlyMap<string, string>,
  now: () => number,
): Promise<AdmissionResult> {
  // Urgent: other runners wait for this lock, and the starts go right after the count.
  return withPriority('urgent', () => locks.cloud(async () => {
    // Every share migration counts too, even in a run that moves only share servers: limits are
    // Manila's view of the cloud, whoever started what (one list of share instances more).
    const servers = await listInFlightView(client, true);
    const inFlight = countInFlight(servers, knownDestinations);
    // Destination instances are keyed by instance id; every other record by what a move follows.
    const byId = new Map(servers.filter((s) => !isMigrationDestination(s)).map((s) => [s.id, s] as const));
    const changed: string[] = [];
    const ready = candidates.filter((c) => {
      const s = byId.get(c.serverId);
      const ok = s !== undefined && kindOf(s) === (c.kind ?? 'share-server') && isIdle(s) && !isMigrationSource(s) && s.host === c.from;
      if (!ok) changed.push(c.key);
      return ok;
    });
    const { admitted, waiting } = admit(inFlight, ready, limits);
    const started = new Map<string, SentCall>();
    await Promise.all(
      admitted.map((c) =>
        moveScope.run({ key: c.key }, async () => {
          const at = now();
          try {
            await client.migrationStart(c.serverId, c.params, c.kind);
            started.set(c.key, { at });
          } catch (e) {
            started.set(c.key, { at, error: failureOf(e) });
          }
        }),
      ),
    );
    const waitingByKey = new Map(waiting.map((w) => [w.candidate.key, w.why] as const));
    return { started, waiting: waitingByKey, changed, servers, inFlight, overshoots: overshoots(inFlight, limits) };
  }));
}

/**
 * `migration_complete`, under the server's lock: read the source; only if it still shows
 * phase 1 done, send complete; then watch until Manila records it (the destination's manager
 * picks it up), so that a second runner taking the lock sees `migration_completing` and does
 * not send it again (`recorded`: the watch saw it). `undefined` when there was nothing to
 * complete (someone else did).
 */
export async function completeOnce(
  client: ManilaClient,
  locks: RunLocks,
  clock: Clock,
  serverId: string,
  opts: { watchMs: number; intervalMs: number; kind?: ResourceKind },
): Promise<{ call: SentCall; destinationId?: string; recorded?: boolean } | undefined> {
  const kind = opts.kind ?? 'share-server';
  return withPriority('urgent', () => locks.server(serverId, async () => {
    const s = await client.findMovable(kind, serverId);
    if (!s || !isPhase1Done(s)) return undefined;
    const at = clock.now();
    let destinationId: string | undefined;
    try {
      destinationId = await client.migrationComplete(serverId, kind);
    } catch (e) {
      return { call: { at, error: failureOf(e) } };
    }
    // The watch reads are polls, not calls that change the cloud: they leave the urgent tokens
    // to the next move's read and complete.
    const until = clock.now() + opts.watchMs;
    let recorded = false;
    while (clock.now() < until) {
      await clock.sleep(opts.intervalMs);
      const now = await withPriority('decision', () => client.findMovable(kind, serverId)).catch(() => s);
      if (!now || !isPhase1Done(now)) {
        recorded = true;
        break;
      }
    }
    return { call: { at }, destinationId, recorded };
  }));
}

/** `migration_cancel` (never resent). */
export async function cancelOnce(client: ManilaClient, serverId: string, now: () => number, kind: ResourceKind = 'share-server'): Promise<SentCall> {
  const at = now();
  try {
    await withPriority('urgent', () => client.migrationCancel(serverId, kind));
    return { at };
  } catch (e) {
    return { at, error: failureOf(e) };
  }
}

/** `migration_get_progress` for the display; `undefined` when Manila cannot say now or the budget is short. */
export async function readProgress(client: ManilaClient, serverId: string, kind: ResourceKind = 'share-server'): Promise<number | undefined> {
  try {
    return (await client.migrationGetProgress(serverId, { priority: 'display', kind })).totalProgress;
  } catch (e) {
    // Optional: Zed answers 400 early in phase 1, a driver without get_progress 500.
    if (e instanceof BudgetSkipped || e instanceof ManilaPlacementError) return undefined;
    throw e;
  }
}
