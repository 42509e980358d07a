import type { InputError } from '../errors';
import { DeclarationError, validationMessage } from './synth-problems';

/**
 * The messages of the Rebalance construct. Each says what happened, why, and how to fix it,
 * and names the construct path, like those of `errors.ts`.
 */

function rebalanceError(code: string, path: string, what: string, fix: string): InputError {
  return new DeclarationError(code, path, what, fix);
}

/** Neither or both of hosts and hostPattern; an empty, repeated or single-host list. */
export function badCandidates(path: string, why: string): InputError {
  return rebalanceError(
    'MP_REBALANCE_HOSTS_INVALID',
    path,
    `${why}: a rebalance spreads share servers over a set of backend hosts, given either as a list or as a pattern.`,
    'Set exactly one of hosts (two or more hostname@backend, each once) or hostPattern (e.g. "node*@*").',
  );
}

/** hostPattern does not compile. */
export function badHostPattern(path: string, pattern: string, problem: string): InputError {
  return rebalanceError(
    'MP_HOST_PATTERN_INVALID',
    path,
    `hostPattern "${pattern}" ${problem}.`,
    'Write a glob on hostname@backend ("*" any characters, "?" one), e.g. "node*@netapp*", or a regular expression between slashes, e.g. "/^node[12]@(alpha|beta)$/".',
  );
}

/** objective is not one of the three. */
export function badObjective(path: string, value: unknown): InputError {
  return rebalanceError(
    'MP_REBALANCE_OBJECTIVE_INVALID',
    path,
    `objective is ${JSON.stringify(value)}: it says what the rebalance evens out.`,
    'Use "server-count" (share servers per host), "allocated-gb" (GiB of their shares per host) or "free-ratio" (free share of the pools\' capacity).',
  );
}

/** maxMoves is not a positive integer. */
export function badMaxMoves(path: string, value: unknown): InputError {
  return rebalanceError(
    'MP_MAX_MOVES_INVALID',
    path,
    `maxMoves is ${JSON.stringify(value)}: it caps the migrations one plan makes.`,
    'Use a positive integer, or leave it out for no cap.',
  );
}

/** A host list prop (drain, exclude) is not a list of distinct hosts, or clashes with another. */
export function badHostList(path: string, prop: string, why: string, fix: string): InputError {
  return rebalanceError(`MP_REBALANCE_${prop.toUpperCase()}_INVALID`, path, `${prop} ${why}.`, fix);
}

/** A number prop is out of its range. */
export function badNumber(path: string, prop: string, value: unknown, range: string, why: string): InputError {
  const code = prop === 'tolerance' ? 'MP_TOLERANCE_INVALID' : prop === 'minGain' ? 'MP_MIN_GAIN_INVALID' : 'MP_RESERVE_INVALID';
  return rebalanceError(code, path, `${prop} is ${JSON.stringify(value)}: ${why}.`, `Use ${range}, or leave it out for the default.`);
}

/** Hosts that the snapshot does not resolve (validation message; cdktf prefixes the path). */
export function unresolvedHosts(path: string, problem: string, snapshotPath: string): string {
  return validationMessage({
    code: 'MP_REBALANCE_UNRESOLVED',
    path,
    what: `cannot resolve its hosts against the snapshot ${snapshotPath}: ${problem}.`,
    fix: 'Fix hosts, hostPattern or drain, or run `manila-placement refresh` if the snapshot is older than the cloud.',
  });
}
