import type { Construct } from 'constructs';
import type { RebalanceDeclaration, RebalanceObjective } from '../plan/types';
import { hostPatternProblem } from '../plan/host-pattern';
import { OBJECTIVE_DEFAULTS, REBALANCE_OBJECTIVES } from '../plan/rebalance-model';
import { DeclarationConstruct } from './declaration-construct';
import type { MigrationDemands } from './demands';
import { badCandidates, badHostList, badHostPattern, badMaxMoves, badNumber, badObjective, emptyValue } from './errors';
import { hostList, positiveInteger } from './validate';

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
   * What to even out: `server-count` (share servers per host; shares, on hosts without share
   * servers), `allocated-gb` (the sum of the sizes of the shares of each host's share servers,
   * or of its shares) or `free-ratio` (free / total GiB that
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
 * Hosts whose backends do not handle share servers (every pool reports
 * `driver_handles_share_servers=False`) are balanced by their shares, with the same objective,
 * limits, reserves and hysteresis: each share moves alone (share migration) to the pool of its
 * new host with the most free space. Share-server hosts and share hosts are balanced apart,
 * since neither can go to the other's backends; the plan explains each part. For shares
 * `server-count` counts shares, and the same-backend rule does not apply.
 *
 * A rebalance owns its hosts: another declaration may not select servers or shares on them or
 * send them there (use `drain` rather than a HostEvacuation, `exclude` to keep a host apart).
 */
export class Rebalance extends DeclarationConstruct<RebalanceDeclaration> {
  constructor(scope: Construct, id: string, props: RebalanceProps) {
    super(scope, id, {
      typeName: 'Rebalance',
      demands: props,
      body: (path) => {
        const byList = candidatesListed(path, props);
        const drain = drainOrExclude(path, 'drain', props.drain);
        const exclude = drainOrExclude(path, 'exclude', props.exclude);
        checkDrainOrExclude(path, drain, exclude);
        const candidates = byList ? { hosts: listedHosts(path, props.hosts, drain, exclude) } : { hostPattern: checkedPattern(path, props.hostPattern) };
        const objective = objectiveOf(path, props.objective);
        const thresholds = thresholdsOf(path, props, objective);
        const maxMoves = positiveInteger(props.maxMoves, (v) => badMaxMoves(path, v));
        return { kind: 'rebalance', ...candidates, objective, ...(maxMoves !== undefined ? { maxMoves } : {}), drain, exclude, ...thresholds };
      },
    });
  }
}

/** True when the candidates are listed (`hosts`), false for a pattern: exactly one of the two. */
function candidatesListed(path: string, props: RebalanceProps): boolean {
  const byList = props.hosts !== undefined;
  if (byList === (props.hostPattern !== undefined)) throw badCandidates(path, byList ? 'both hosts and hostPattern are set' : 'neither hosts nor hostPattern is set');
  return byList;
}

/** `drain` or `exclude`: distinct hosts, none when left out. */
function drainOrExclude(path: string, prop: 'drain' | 'exclude', v: readonly string[] | undefined): string[] {
  if (v === undefined) return [];
  return hostList(path, prop, v, {
    emptyAllowed: true,
    notAList: (x) => badHostList(path, prop, `is ${JSON.stringify(x)}, not a list`, `Give ${prop} as a list of hostname@backend.`),
    repeated: (h) => badHostList(path, prop, `lists ${h} more than once`, `List each host once in ${prop}.`),
  });
}

/** A host is drained (emptied) or excluded (left alone), not both. */
function checkDrainOrExclude(path: string, drain: readonly string[], exclude: readonly string[]): void {
  const inBoth = drain.find((h) => exclude.includes(h));
  if (inBoth !== undefined) throw badHostList(path, 'drain', `and exclude both list ${inBoth}`, 'A drained host is emptied, an excluded one left alone: keep it in one of them.');
}

/** Listed candidates: distinct hosts, none excluded, one at least left to receive, and something to balance. */
function listedHosts(path: string, v: unknown, drain: readonly string[], exclude: readonly string[]): string[] {
  const hosts = hostList(path, 'hosts', v, {
    notAList: () => badCandidates(path, 'hosts is empty'),
    repeated: (h) => badCandidates(path, `hosts lists ${h} more than once`),
  });
  const excluded = hosts.find((h) => exclude.includes(h));
  if (excluded !== undefined) {
    throw badHostList(path, 'exclude', `lists ${excluded}, which hosts lists too`, `Remove ${excluded} from hosts or from exclude: exclude is for hosts a pattern would match.`);
  }
  const targets = hosts.filter((h) => !drain.includes(h));
  if (targets.length === 0) throw badHostList(path, 'drain', 'lists every host of hosts', 'Leave at least one host of hosts undrained to receive the servers.');
  if (targets.length === 1 && drain.length === 0) throw badCandidates(path, `hosts lists one host (${targets[0]}) and drain none, so there is nothing to balance`);
  return hosts;
}

/** A candidate pattern that compiles (a glob, or a regular expression between slashes). */
function checkedPattern(path: string, v: unknown): string {
  if (typeof v !== 'string' || v.length === 0) throw emptyValue(path, 'hostPattern');
  const problem = hostPatternProblem(v);
  if (problem) throw badHostPattern(path, v, problem);
  return v;
}

/** The objective, `server-count` when left out. */
function objectiveOf(path: string, v: unknown): RebalanceObjective {
  const objective = v ?? 'server-count';
  if (!REBALANCE_OBJECTIVES.includes(objective as RebalanceObjective)) throw badObjective(path, objective);
  return objective as RebalanceObjective;
}

type Thresholds = Pick<RebalanceDeclaration, 'tolerance' | 'minGain' | 'reserveGb' | 'reserveRatio'>;

/** tolerance, minGain and the reserves, in the objective's unit, its defaults filled in. */
function thresholdsOf(path: string, props: RebalanceProps, o: RebalanceObjective): Thresholds {
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
  return { tolerance, minGain, reserveGb, reserveRatio };
}

/** A finite number that `ok` accepts; otherwise the prop's error, naming its range and unit. */
function numberIn(path: string, prop: string, v: unknown, ok: (n: number) => boolean, range: string, why: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || !ok(v)) throw badNumber(path, prop, v, range, why);
  return v;
}
