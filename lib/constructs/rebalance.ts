import { Construct } from 'constructs';
import type { RebalanceDeclaration, RebalanceObjective } from '../plan/types';
import { hostPatternProblem } from '../plan/host-pattern';
import { OBJECTIVE_DEFAULTS, REBALANCE_OBJECTIVES } from '../plan/rebalance-model';
import { markDeclaration, plannerOf, validateThroughPlanner, type IDeclarationSource } from './declaration';
import { checkHost, completionOf, flagsOf, type MigrationDemands } from './demands';
import { emptyValue } from './errors';
import { PlacementStack } from './placement-stack';
import { badCandidates, badHostList, badHostPattern, badMaxMoves, badNumber, badObjective, unresolvedHosts } from './rebalance-errors';

/**
 * Props of a Rebalance. Exactly one of `hosts` or `hostPattern` is set. Numbers are in the
 * objective's unit: servers (`server-count`), GiB (`allocated-gb`) or a ratio from 0 to 1
 * (`free-ratio`).
 */
export interface RebalanceProps extends MigrationDemands {
  /**
   * Candidate backend hosts, `hostname@backend`, each once: at least two, or one plus a host
   * to drain.
   * @default - the hosts matching `hostPattern`
   */
  readonly hosts?: readonly string[];
  /**
   * Candidates: every manila-share host of the snapshot whose `hostname@backend` matches. A
   * glob on the whole name (`*` any characters, `?` one character), e.g. `node*@netapp*`, or a
   * regular expression between slashes, e.g. `/^node[12]@(alpha|beta)$/` (flag `i` allowed;
   * it matches anywhere unless anchored).
   * @default - the hosts listed in `hosts`
   */
  readonly hostPattern?: string;
  /**
   * What to even out: `server-count` (share servers per host), `allocated-gb` (the sum of the
   * sizes of the shares of each host's share servers) or `free-ratio` (free / total GiB that
   * the host's pools report; hosts whose pools report no capacity are left out).
   * @default 'server-count'
   */
  readonly objective?: RebalanceObjective;
  /**
   * At most this many migrations per plan; plan again once they are done to continue.
   * @default - no limit
   */
  readonly maxMoves?: number;
  /**
   * Hosts to empty: every share server leaves them for the other hosts, whatever the
   * balance; they never receive one. They belong to the rebalance even when not candidates.
   * @default - none
   */
  readonly drain?: readonly string[];
  /**
   * Hosts left out: neither source nor destination, and not counted. Use it with
   * `hostPattern`, or to keep a host's servers where they are.
   * @default - none
   */
  readonly exclude?: readonly string[];
  /**
   * Largest spread (most loaded minus least loaded host) that counts as balanced: no move is
   * planned once the spread is within it.
   * @default - 1 server (server-count), 10 GiB (allocated-gb), 0.05 (free-ratio)
   */
  readonly tolerance?: number;
  /**
   * Hysteresis: a move is made only if it lowers the more loaded of its two hosts by at least
   * this much, so two runs in a row never move a server back and forth. With server-count a
   * move lowers a host by exactly 1, so at most 1.
   * @default - 1 server (server-count), 1 GiB (allocated-gb), 0.005 (free-ratio)
   */
  readonly minGain?: number;
  /**
   * Free GiB each destination keeps after a move, by the free capacity its pools report. A
   * destination whose pools report no free capacity takes nothing when a reserve is set.
   * Even at 0, a server must fit in the reported free capacity when there is one.
   * @default 0
   */
  readonly reserveGb?: number;
  /**
   * Share of its total capacity (0 to 1) each destination keeps free after a move.
   * @default 0
   */
  readonly reserveRatio?: number;
}

function hostList(path: string, prop: 'drain' | 'exclude', v: readonly string[] | undefined): string[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) throw badHostList(path, prop, `is ${JSON.stringify(v)}, not a list`, `Give ${prop} as a list of hostname@backend.`);
  v.forEach((h, i) => checkHost(path, `${prop}[${i}]`, h));
  const dup = v.find((h, i) => v.indexOf(h) !== i);
  if (dup !== undefined) throw badHostList(path, prop, `lists ${dup} more than once`, `List each host once in ${prop}.`);
  return [...v];
}

function numberIn(path: string, prop: string, v: unknown, ok: (n: number) => boolean, range: string, why: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || !ok(v)) throw badNumber(path, prop, v, range, why);
  return v;
}

/**
 * Declares that share servers should be spread evenly over some backend hosts, with the
 * fewest migrations. At synth the planner moves, one at a time, the best server from the most
 * loaded host to the host that gains most, until the spread is within `tolerance`, no move
 * gains `minGain`, or `maxMoves` is reached; hosts in `drain` are emptied first.
 *
 * Rules always enforced: destinations are enabled and up manila-share services with a
 * `driver_handles_share_servers=True` pool; no move between two hosts with the same backend
 * name (the part after `@`); the destination's availability zone must have a subnet of the
 * server's share network (or the network has a default subnet), and the `availability_zones`
 * extra spec of every share type on the server allows that zone; the destination keeps its
 * reserve. Servers in flight or that cannot migrate (not active, busy shares, replicas...)
 * count where they are and are not moved.
 *
 * A rebalance owns its hosts: another declaration may not select servers on them or send
 * servers to them (use `drain` rather than a HostEvacuation, `exclude` to keep a host apart).
 */
export class Rebalance extends Construct implements IDeclarationSource {
  private readonly declaration: RebalanceDeclaration;

  constructor(scope: Construct, id: string, props: RebalanceProps) {
    super(scope, id);
    const path = this.node.path;
    const byList = props.hosts !== undefined;
    const byPattern = props.hostPattern !== undefined;
    if (byList === byPattern) throw badCandidates(path, byList ? 'both hosts and hostPattern are set' : 'neither hosts nor hostPattern is set');
    const drain = hostList(path, 'drain', props.drain);
    const exclude = hostList(path, 'exclude', props.exclude);
    const inBoth = drain.find((h) => exclude.includes(h));
    if (inBoth !== undefined) throw badHostList(path, 'drain', `and exclude both list ${inBoth}`, 'A drained host is emptied, an excluded one left alone: keep it in one of them.');
    let hosts: string[] | undefined;
    if (props.hosts !== undefined) {
      if (!Array.isArray(props.hosts) || props.hosts.length === 0) throw badCandidates(path, 'hosts is empty');
      props.hosts.forEach((h, i) => checkHost(path, `hosts[${i}]`, h));
      const dup = props.hosts.find((h, i) => props.hosts?.indexOf(h) !== i);
      if (dup !== undefined) throw badCandidates(path, `hosts lists ${dup} more than once`);
      hosts = [...props.hosts];
      const excluded = hosts.find((h) => exclude.includes(h));
      if (excluded !== undefined) {
        throw badHostList(path, 'exclude', `lists ${excluded}, which hosts lists too`, `Remove ${excluded} from hosts or from exclude: exclude is for hosts a pattern would match.`);
      }
      const targets = hosts.filter((h) => !drain.includes(h));
      if (targets.length === 0) throw badHostList(path, 'drain', 'lists every host of hosts', 'Leave at least one host of hosts undrained to receive the servers.');
      if (targets.length === 1 && drain.length === 0) throw badCandidates(path, `hosts lists one host (${targets[0]}) and drain none, so there is nothing to balance`);
    } else {
      const pattern: unknown = props.hostPattern;
      if (typeof pattern !== 'string' || pattern.length === 0) throw emptyValue(path, 'hostPattern');
      const problem = hostPatternProblem(pattern);
      if (problem) throw badHostPattern(path, pattern, problem);
    }
    const objective: unknown = props.objective ?? 'server-count';
    if (!REBALANCE_OBJECTIVES.includes(objective as RebalanceObjective)) throw badObjective(path, objective);
    const o = objective as RebalanceObjective;
    const ratio = o === 'free-ratio';
    const defaults = OBJECTIVE_DEFAULTS[o];
    const unit = o === 'server-count' ? 'servers' : o === 'allocated-gb' ? 'GiB' : 'a ratio of free capacity';
    const tolerance = numberIn(path, 'tolerance', props.tolerance ?? defaults.tolerance, (n) => n >= 0 && (!ratio || n <= 1), ratio ? 'a number from 0 to 1' : 'a number of 0 or more', `the spread counted as balanced, in ${unit}`);
    const minGain = numberIn(
      path,
      'minGain',
      props.minGain ?? defaults.minGain,
      (n) => n > 0 && (o !== 'server-count' || n <= 1) && (!ratio || n <= 1),
      o === 'server-count' ? 'a number above 0 and at most 1 (a server-count move lowers a host by exactly 1)' : ratio ? 'a number above 0 and at most 1' : 'a number above 0',
      `the least a move must lower the more loaded of its two hosts, in ${unit}`,
    );
    const reserveGb = numberIn(path, 'reserveGb', props.reserveGb ?? 0, (n) => n >= 0, 'a number of GiB of 0 or more', 'the free GiB each destination keeps after a move');
    const reserveRatio = numberIn(path, 'reserveRatio', props.reserveRatio ?? 0, (n) => n >= 0 && n < 1, 'a number from 0 up to (not including) 1', 'the share of its capacity each destination keeps free');
    const max: unknown = props.maxMoves;
    if (max !== undefined && !(typeof max === 'number' && Number.isInteger(max) && max > 0)) throw badMaxMoves(path, max);
    this.declaration = {
      kind: 'rebalance',
      path,
      ...(hosts !== undefined ? { hosts } : { hostPattern: props.hostPattern }),
      objective: o,
      ...(props.maxMoves !== undefined ? { maxMoves: props.maxMoves } : {}),
      drain,
      exclude,
      tolerance,
      minGain,
      reserveGb,
      reserveRatio,
      flags: flagsOf(path, props),
      completion: completionOf(path, props),
    };
    markDeclaration(this);
    validateThroughPlanner(this, 'Rebalance');
    this.node.addValidation({ validate: () => this.unresolved() });
  }

  /** The declaration as plain data. */
  public toDeclaration(): RebalanceDeclaration {
    return this.declaration;
  }

  /** Hosts the snapshot cannot resolve (unknown names, a pattern matching nothing): synth errors. */
  private unresolved(): string[] {
    const stack = plannerOf(this);
    if (!(stack instanceof PlacementStack)) return [];
    let problems: readonly string[];
    try {
      problems = stack.requirePlan().rebalance?.find((r) => r.declaration === this.node.path)?.problems ?? [];
    } catch {
      return []; // the stack's own validation reports why there is no plan
    }
    return problems.map((p) => unresolvedHosts(this.node.path, p, stack.snapshotPath));
  }
}
