import type { MovePolicy } from './options';

/**
 * When to read a migration again. The interval grows with the time since its state last
 * changed (`pollGrowth` of it, a twentieth by default), between the base interval and the cap: a phase 1 of hours is read
 * once a minute, while a switchover that takes seconds is read at the base interval. Any
 * change brings it back down. Pure.
 */
export function nextPollAt(now: number, lastChangeAt: number, p: Pick<MovePolicy, 'pollIntervalMs' | 'maxPollIntervalMs' | 'pollGrowth'>): number {
  const quiet = Math.max(0, now - lastChangeAt);
  return now + Math.min(p.maxPollIntervalMs, Math.max(p.pollIntervalMs, quiet * p.pollGrowth));
}

/** How many base intervals a move queued behind a limit waits, at least, between its reads. */
export const QUEUED_POLL_FACTOR = 4;

/**
 * When a move queued behind a limit is read again: as `nextPollAt`, but no sooner than
 * `QUEUED_POLL_FACTOR` base intervals (within the cap). One of this run's migrations leaving
 * flight wakes it at once (the reconciler's slotFreed), so its own reads only find slots that
 * others freed; and each of them lists every share server, Manila's costliest read (about a
 * second of manila-api's time on the test bed, where queued moves made most of those lists).
 * Pure.
 */
export function nextQueuedPollAt(now: number, lastChangeAt: number, p: Pick<MovePolicy, 'pollIntervalMs' | 'maxPollIntervalMs' | 'pollGrowth'>): number {
  return Math.max(nextPollAt(now, lastChangeAt, p), now + Math.min(p.maxPollIntervalMs, QUEUED_POLL_FACTOR * p.pollIntervalMs));
}
