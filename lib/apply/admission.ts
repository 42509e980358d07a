import { awaitsDestinationRecord, inFlightPairs, type ServerRecord } from '../manila/server-state';
import { plural } from '../util/plural';
import { backendHostOf } from '../manila/resource';
import type { Limits } from './options';

/**
 * Admission: how many migrations are in flight as Manila shows them (whoever started them:
 * this run, another runner process, an operator's `openstack share server migration start`),
 * and which waiting moves fit under the limits. Pure; the runner calls it on a fresh list of
 * share servers, under the inter-process lock, right before it starts anything.
 */

/** Migrations in flight in the cloud, per host. */
export interface InFlightCounts {
  readonly total: number;
  readonly bySource: ReadonlyMap<string, number>;
  readonly byDestination: ReadonlyMap<string, number>;
  /**
   * Sources so early in phase 1 that Manila has not linked their destination yet: any
   * destination may be theirs, so they count toward every per-destination limit.
   */
  readonly unknownDestination: readonly string[];
  /** Ids of the sources (and lone destinations) in flight. */
  readonly ids: ReadonlySet<string>;
}

function bump(m: Map<string, number>, k: string, n = 1): void {
  m.set(k, (m.get(k) ?? 0) + n);
}

/**
 * Counts the migrations in flight in a list of share servers. `knownDestinations` maps the
 * sources this run started to their destination host, for the moments before Manila shows it.
 */
export function countInFlight(servers: readonly ServerRecord[], knownDestinations: ReadonlyMap<string, string> = new Map()): InFlightCounts {
  const bySource = new Map<string, number>();
  const byDestination = new Map<string, number>();
  const unknown: string[] = [];
  const ids = new Set<string>();
  let total = 0;
  for (const p of inFlightPairs(servers)) {
    total++;
    const id = p.source?.id ?? p.destination?.id ?? '';
    ids.add(id);
    // Per host (`host@backend`): a share's pool is part of its host's load.
    if (p.from) bump(bySource, backendHostOf(p.from));
    const to = p.to ?? (p.source ? knownDestinations.get(p.source.id) : undefined);
    if (to) bump(byDestination, backendHostOf(to));
    else if (p.source && awaitsDestinationRecord(p.source)) unknown.push(p.source.id);
  }
  return { total, bySource, byDestination, unknownDestination: unknown.sort(), ids };
}

/** A move that wants to start. */
export interface Candidate {
  readonly key: string;
  readonly from: string;
  readonly to: string;
}

/** What admission decided. */
export interface Admission<T extends Candidate> {
  /** Moves that may start now, in the order given. */
  readonly admitted: readonly T[];
  /** The others, each with the limit that holds it back. */
  readonly waiting: ReadonlyArray<{ readonly candidate: T; readonly why: string }>;
}

/**
 * Which candidates (in fair order) fit under the limits, given what is in flight. Each
 * admitted move counts at once, so the batch itself never exceeds a limit.
 */
export function admit<T extends Candidate>(counts: InFlightCounts, candidates: readonly T[], limits: Limits): Admission<T> {
  let total = counts.total;
  const bySource = new Map(counts.bySource);
  const byDestination = new Map(counts.byDestination);
  const unknown = counts.unknownDestination.length;
  const admitted: T[] = [];
  const waiting: Array<{ candidate: T; why: string }> = [];
  for (const candidate of candidates) {
    const c = { from: backendHostOf(candidate.from), to: backendHostOf(candidate.to) };
    const why =
      total >= limits.parallel
        ? `${plural(total, 'migration')} in flight in the cloud, limit ${limits.parallel} (parallel)`
        : limits.maxPerSource !== undefined && (bySource.get(c.from) ?? 0) >= limits.maxPerSource
          ? `${plural(bySource.get(c.from) ?? 0, 'migration')} in flight from ${c.from}, limit ${limits.maxPerSource} (max per source)`
          : limits.maxPerDestination !== undefined && (byDestination.get(c.to) ?? 0) + unknown >= limits.maxPerDestination
            ? `${plural((byDestination.get(c.to) ?? 0) + unknown, 'migration')} in flight toward ${c.to}${unknown ? ` (${unknown} whose destination Manila does not show yet)` : ''}, limit ${limits.maxPerDestination} (max per destination)`
            : undefined;
    if (why) {
      waiting.push({ candidate, why });
      continue;
    }
    admitted.push(candidate);
    total++;
    bump(bySource, c.from);
    bump(byDestination, c.to);
  }
  return { admitted, waiting };
}

/** Limits that the cloud already exceeds (migrations started elsewhere, e.g. on another machine). */
export function overshoots(counts: InFlightCounts, limits: Limits): string[] {
  const out: string[] = [];
  if (counts.total > limits.parallel) out.push(`${counts.total} migrations in flight in the cloud, above the limit of ${limits.parallel}`);
  if (limits.maxPerSource !== undefined) {
    for (const [h, n] of [...counts.bySource].sort()) if (n > limits.maxPerSource) out.push(`${n} migrations in flight from ${h}, above the limit of ${limits.maxPerSource} per source`);
  }
  if (limits.maxPerDestination !== undefined) {
    for (const [h, n] of [...counts.byDestination].sort()) if (n > limits.maxPerDestination) out.push(`${n} migrations in flight toward ${h}, above the limit of ${limits.maxPerDestination} per destination`);
  }
  return out;
}
