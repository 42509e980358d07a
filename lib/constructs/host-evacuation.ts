import { Construct } from 'constructs';
import type { EvacuationDeclaration } from '../plan/types';
import { markDeclaration, validateThroughPlanner, type IDeclarationSource } from './declaration';
import { checkHost, completionOf, flagsOf, type MigrationDemands } from './demands';
import { badMaxPerTarget, badTargets } from './errors';

/** Props of a HostEvacuation. */
export interface HostEvacuationProps extends MigrationDemands {
  /** The backend host to empty, `hostname@backend`, e.g. `node1@alpha`. */
  readonly host: string;
  /** Where its share servers may go: one or more other backend hosts, each once. */
  readonly targets: readonly string[];
  /**
   * At most this many share servers per target, counting those already there.
   * Servers that do not fit are reported as blocked (NO_CAPACITY).
   * @default - no cap
   */
  readonly maxPerTarget?: number;
}

/**
 * Declares that a backend host should hold no share servers: each goes to the least loaded
 * target (by server count), ties broken by host name, so the spread is the same on every synth.
 */
export class HostEvacuation extends Construct implements IDeclarationSource {
  private readonly declaration: EvacuationDeclaration;

  constructor(scope: Construct, id: string, props: HostEvacuationProps) {
    super(scope, id);
    const path = this.node.path;
    const host = checkHost(path, 'host', props.host);
    if (!Array.isArray(props.targets) || props.targets.length === 0) throw badTargets(path, 'is empty');
    props.targets.forEach((t, i) => checkHost(path, `targets[${i}]`, t));
    if (props.targets.includes(host)) throw badTargets(path, `contains the evacuated host ${host}`);
    const dup = props.targets.find((t, i) => props.targets.indexOf(t) !== i);
    if (dup !== undefined) throw badTargets(path, `list ${dup} more than once`);
    const max: unknown = props.maxPerTarget;
    if (max !== undefined && !(typeof max === 'number' && Number.isInteger(max) && max > 0)) throw badMaxPerTarget(path, max);
    this.declaration = {
      kind: 'evacuation',
      path,
      sourceHost: host,
      targets: [...props.targets],
      ...(props.maxPerTarget !== undefined ? { maxPerTarget: props.maxPerTarget } : {}),
      flags: flagsOf(path, props),
      completion: completionOf(path, props),
    };
    markDeclaration(this);
    validateThroughPlanner(this, 'HostEvacuation');
  }

  /** The declaration as plain data. */
  public toDeclaration(): EvacuationDeclaration {
    return this.declaration;
  }
}
