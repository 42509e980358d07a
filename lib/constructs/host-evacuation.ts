import type { Construct } from 'constructs';
import type { EvacuationDeclaration } from '../plan/types';
import { DeclarationConstruct } from './declaration-construct';
import type { MigrationDemands } from './demands';
import { badMaxPerTarget, badTargets } from './errors';
import { checkHost, hostList, positiveInteger } from './validate';

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
export class HostEvacuation extends DeclarationConstruct<EvacuationDeclaration> {
  constructor(scope: Construct, id: string, props: HostEvacuationProps) {
    super(scope, id, {
      typeName: 'HostEvacuation',
      demands: props,
      body: (path) => {
        const sourceHost = checkHost(path, 'host', props.host);
        const targets = hostList(path, 'targets', props.targets, {
          notAList: () => badTargets(path, 'is empty'),
          forbidden: { host: sourceHost, error: () => badTargets(path, `contains the evacuated host ${sourceHost}`) },
          repeated: (h) => badTargets(path, `list ${h} more than once`),
        });
        const maxPerTarget = positiveInteger(props.maxPerTarget, (v) => badMaxPerTarget(path, v));
        return { kind: 'evacuation', sourceHost, targets, ...(maxPerTarget !== undefined ? { maxPerTarget } : {}) };
      },
    });
  }
}
