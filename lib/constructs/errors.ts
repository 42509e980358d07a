import type { InputError } from '../errors';
import { CONTRADICTION_HINT } from '../plan/plan';
import { WINDOW_EXAMPLE } from '../plan/window';
import { DeclarationError, validationMessage } from './synth-problems';

/**
 * Every message the constructs show a user, in one place. Each says what happened, why, and
 * how to fix it, and names the construct path. Two kinds: errors thrown while a construct is
 * built (a bad prop), and validation messages returned when cdktf validates the tree (what
 * only the snapshot can tell, e.g. a selector that matches nothing).
 */

function declarationError(code: string, path: string, what: string, fix: string): InputError {
  return new DeclarationError(code, path, what, fix);
}

function validationProblem(code: string, path: string, what: string, fix: string): string {
  return validationMessage({ code, path, what, fix });
}

/** A cap prop (maxPerTarget, maxMoves) that is not a positive integer. */
function badCap(code: string, path: string, prop: string, value: unknown, caps: string): InputError {
  return declarationError(code, path, `${prop} is ${JSON.stringify(value)}: it caps ${caps}.`, 'Use a positive integer, or leave it out for no cap.');
}

// --- Errors thrown while a construct is built ---

/** `host` (or a target) is not `name@backend`, or names a pool. */
export function badHost(path: string, prop: string, host: string): InputError {
  if (host.includes('#')) {
    return declarationError(
      'MP_HOST_FORMAT',
      path,
      `${prop} "${host}" names a pool: share server migration moves a whole share server to a backend host and takes no pool (Manila answers 400).`,
      `Write the host without "#${host.split('#').slice(1).join('#')}", e.g. "${host.split('#')[0]}".`,
    );
  }
  return declarationError(
    'MP_HOST_FORMAT',
    path,
    `${prop} "${host}" is not a backend host: Manila needs hostname@backend (a host without "@" makes Manila fail with a 500).`,
    'Write it as hostname@backend, for example "node1@beta"; `openstack share service list` shows the hosts.',
  );
}

/** A SharePlacement's pool is not `hostname@backend#pool`. */
export function badPool(path: string, pool: string): InputError {
  return declarationError(
    'MP_POOL_FORMAT',
    path,
    `pool "${pool}" is not a pool: a share moves to a pool, hostname@backend#pool (with hostname@backend alone Manila accepts the start and then fails it).`,
    'Write it as hostname@backend#pool, for example "node1@epsilon#fake_pool_for_EPSILON"; `openstack share pool list` shows the pools.',
  );
}

/** A SharePlacement that selects nothing. */
export function shareSelectorMissing(path: string): InputError {
  return declarationError(
    'MP_SELECTOR_INVALID',
    path,
    'no share selector is set: a share placement selects its shares by name or id, or by share type, share network or metadata.',
    'Set shares, or one or more of shareType, shareNetwork and metadata.',
  );
}

/** `metadata` that is not a non-empty object of strings. */
export function badMetadata(path: string, v: unknown): InputError {
  return declarationError(
    'MP_SELECTOR_INVALID',
    path,
    `metadata is ${JSON.stringify(v)}, not an object of string keys and string values with at least one key.`,
    'Give metadata as e.g. { tier: "gold" }: every share whose metadata has all these keys with these values is selected.',
  );
}

/** `forceHostAssisted: true`: not offered, and why. */
export function hostAssistedRefused(path: string): InputError {
  return declarationError(
    'MP_HOST_ASSISTED_UNSUPPORTED',
    path,
    'forceHostAssisted is true: host-assisted share migration needs a running manila-data service that mounts the source and destination shares and copies the files, ' +
      'and manila-placement has not been tested with it (its test bed has no data service). Manila would otherwise leave the share in migration_in_progress with read-only rules.',
    'Leave forceHostAssisted out to use driver-assisted migration, or move the share by hand: openstack share migration start --force-host-assisted-migration True ...',
  );
}

/** Not exactly one server selector. */
export function badSelector(path: string, given: readonly string[]): InputError {
  const what = given.length === 0 ? 'no server selector is set' : `${given.length} server selectors are set (${given.join(', ')})`;
  return declarationError(
    'MP_SELECTOR_INVALID',
    path,
    `${what}: a placement selects its share servers in exactly one way.`,
    'Set exactly one of shareServerId, shareNetwork or shares.',
  );
}

/** A string prop is empty, or a list prop has an empty item. */
export function emptyValue(path: string, prop: string): InputError {
  return declarationError('MP_DECLARATION_INVALID', path, `${prop} is empty.`, `Give ${prop} a value, or leave it out.`);
}

/** `project` given with a selector it does not narrow. */
export function projectWithoutName(path: string): InputError {
  return declarationError(
    'MP_SELECTOR_INVALID',
    path,
    'project is set with shareServerId: project narrows share network or share names, and a share server id is already unique.',
    'Remove project, or select by shareNetwork or shares.',
  );
}

/** nondisruptive together with a new share network. */
export function nondisruptiveNetworkChange(path: string, network: string): InputError {
  return declarationError(
    'MP_FLAGS_CONFLICT',
    path,
    `nondisruptive is true and newShareNetwork is "${network}": Manila refuses a nondisruptive migration that changes the share network (the clients' network would change).`,
    'Drop nondisruptive, or drop newShareNetwork and change the network in a separate migration.',
  );
}

/** A boolean prop holds something else (JavaScript callers). */
export function notBoolean(path: string, prop: string, value: unknown): InputError {
  return declarationError('MP_DECLARATION_INVALID', path, `${prop} is ${JSON.stringify(value)}, not a boolean.`, `Set ${prop} to true or false.`);
}

/** completion is neither auto, manual nor a window. */
export function badCompletion(path: string, value: unknown): InputError {
  return declarationError(
    'MP_COMPLETION_INVALID',
    path,
    `completion is ${JSON.stringify(value)}: completion says how a migration finishes after phase 1.`,
    `Use "auto" (complete as soon as phase 1 is done), "manual" (stop there; finish with \`manila-placement apply --complete\`) or a maintenance window, e.g. ${WINDOW_EXAMPLE}.`,
  );
}

/** completion names a window that cannot be used. */
export function badWindow(path: string, value: unknown, problem: string): InputError {
  return declarationError(
    'MP_WINDOW_INVALID',
    path,
    `completion.window is ${JSON.stringify(value)}: ${problem}.`,
    `Give a five-field cron schedule for the window's start, its length in minutes and an IANA time zone, e.g. completion: ${WINDOW_EXAMPLE}.`,
  );
}

/** Evacuation targets are empty, repeated or contain the source. */
export function badTargets(path: string, why: string): InputError {
  return declarationError('MP_TARGETS_INVALID', path, `targets ${why}.`, 'List one or more other hosts, each once, as hostname@backend.');
}

/** maxPerTarget is not a positive integer. */
export function badMaxPerTarget(path: string, value: unknown): InputError {
  return badCap('MP_MAX_PER_TARGET_INVALID', path, 'maxPerTarget', value, 'how many share servers a target may hold');
}

/** Neither or both of hosts and hostPattern; an empty, repeated or single-host list. */
export function badCandidates(path: string, why: string): InputError {
  return declarationError(
    'MP_REBALANCE_HOSTS_INVALID',
    path,
    `${why}: a rebalance spreads share servers over a set of backend hosts, given either as a list or as a pattern.`,
    'Set exactly one of hosts (two or more hostname@backend, each once) or hostPattern (e.g. "node*@*").',
  );
}

/** hostPattern does not compile. */
export function badHostPattern(path: string, pattern: string, problem: string): InputError {
  return declarationError(
    'MP_HOST_PATTERN_INVALID',
    path,
    `hostPattern "${pattern}" ${problem}.`,
    'Write a glob on hostname@backend ("*" any characters, "?" one), e.g. "node*@netapp*", or a regular expression between slashes, e.g. "/^node[12]@(alpha|beta)$/".',
  );
}

/** objective is not one of the three. */
export function badObjective(path: string, value: unknown): InputError {
  return declarationError(
    'MP_REBALANCE_OBJECTIVE_INVALID',
    path,
    `objective is ${JSON.stringify(value)}: it says what the rebalance evens out.`,
    'Use "server-count" (share servers per host), "allocated-gb" (GiB of their shares per host) or "free-ratio" (free share of the pools\' capacity).',
  );
}

/** maxMoves is not a positive integer. */
export function badMaxMoves(path: string, value: unknown): InputError {
  return badCap('MP_MAX_MOVES_INVALID', path, 'maxMoves', value, 'the migrations one plan makes');
}

/** A host list prop (drain, exclude) is not a list of distinct hosts, or clashes with another. */
export function badHostList(path: string, prop: string, why: string, fix: string): InputError {
  return declarationError(`MP_REBALANCE_${prop.toUpperCase()}_INVALID`, path, `${prop} ${why}.`, fix);
}

/** A number prop of a rebalance (tolerance, minGain, reserveGb, reserveRatio) is out of its range. */
export function badNumber(path: string, prop: string, value: unknown, range: string, why: string): InputError {
  const code = prop === 'tolerance' ? 'MP_TOLERANCE_INVALID' : prop === 'minGain' ? 'MP_MIN_GAIN_INVALID' : 'MP_RESERVE_INVALID';
  return declarationError(code, path, `${prop} is ${JSON.stringify(value)}: ${why}.`, `Use ${range}, or leave it out for the default.`);
}

/** A PlacementStack's resourceType is neither kind of move resource. */
export function badResourceType(path: string, value: unknown): InputError {
  return declarationError(
    'MP_DECLARATION_INVALID',
    path,
    `resourceType is ${JSON.stringify(value)}: each move becomes a null_resource or a terraform_data.`,
    'Use "null_resource" (default) or "terraform_data" (no provider download).',
  );
}

/** What each runner limit of a PlacementStack counts. */
const LIMITED = { parallel: ' in the cloud', maxPerSource: ' from one source host', maxPerDestination: ' toward one destination host' } as const;

/** A runner limit of a PlacementStack (parallel, maxPerSource, maxPerDestination) is not a positive integer. */
export function badLimit(path: string, prop: keyof typeof LIMITED, value: unknown): InputError {
  return declarationError(
    'MP_DECLARATION_INVALID',
    path,
    `${prop} is ${JSON.stringify(value)}: it limits the migrations in flight${LIMITED[prop]}.`,
    `Use a whole number of at least 1, e.g. ${prop}: 2, or leave it out.`,
  );
}

/** The snapshot file is missing. */
export function snapshotMissing(path: string, file: string): InputError {
  const fix = `Run \`manila-placement refresh --out ${file}\` (with OS_CLOUD set), then synth again; or name another file with the context key "manila-placement:snapshot" or the snapshotPath prop.`;
  return declarationError('MP_SNAPSHOT_MISSING', path, `the snapshot file ${file} does not exist: synth plans the moves from a snapshot of the cloud and never calls the cloud itself.`, fix);
}

/** The snapshot file cannot be read or parsed. */
export function snapshotUnreadable(path: string, file: string, detail: string, cause: unknown): InputError {
  const fix = `Run \`manila-placement refresh --out ${file}\` to write it again, then synth again.`;
  const e = declarationError('MP_SNAPSHOT_INVALID', path, `the snapshot file ${file} cannot be used: ${detail}`, fix);
  Object.defineProperty(e, 'cause', { value: cause, enumerable: false });
  return e;
}

// --- Validation messages (cdktf prefixes the construct path) ---

/** A declaration construct outside a PlacementStack. */
export function outsidePlacementStack(path: string, kind: string): string {
  return validationProblem(
    'MP_OUTSIDE_PLACEMENT_STACK',
    path,
    `${kind} must be created inside a PlacementStack, which reads the snapshot and plans the moves.`,
    'Create it with a PlacementStack (or a construct inside one) as its scope.',
  );
}

/** A selector matched nothing in the snapshot. */
export function unmatched(path: string, message: string, snapshotPath: string): string {
  return validationProblem(
    'MP_DECLARATION_UNMATCHED',
    path,
    `selects no share server in the snapshot ${snapshotPath}: ${message}.`,
    'Fix the selector, or run `manila-placement refresh` if the snapshot is older than the cloud.',
  );
}

/** A declaration names a host or share network that the cloud does not have. */
export function unknownName(path: string, message: string, snapshotPath: string): string {
  return validationProblem(
    'MP_DECLARATION_UNKNOWN_NAME',
    path,
    `${message} (per the snapshot ${snapshotPath}).`,
    'Fix the name in the declaration, or run `manila-placement refresh` if the snapshot is older than the cloud.',
  );
}

/** A rebalance's hosts that the snapshot does not resolve (unknown names, a pattern matching nothing). */
export function unresolvedHosts(path: string, problem: string, snapshotPath: string): string {
  return validationProblem(
    'MP_REBALANCE_UNRESOLVED',
    path,
    `cannot resolve its hosts against the snapshot ${snapshotPath}: ${problem}.`,
    'Fix hosts, hostPattern or drain, or run `manila-placement refresh` if the snapshot is older than the cloud.',
  );
}

/** Declarations that contradict each other (validation message of the stack). */
export function contradiction(path: string, code: string, message: string): string {
  return validationProblem(code, path, `${message}.`, CONTRADICTION_FIX);
}

/** How to fix declarations that contradict each other: the hint `plan()` gives too. */
export const CONTRADICTION_FIX = CONTRADICTION_HINT;
