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
