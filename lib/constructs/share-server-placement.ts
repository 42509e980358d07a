import type { Construct } from 'constructs';
import type { PlacementDeclaration, ServerSelector } from '../plan/types';
import { DeclarationConstruct } from './declaration-construct';
import type { MigrationDemands } from './demands';
import { badSelector, emptyValue, nondisruptiveNetworkChange, projectWithoutName } from './errors';
import { checkHost } from './validate';

/** Props of a ShareServerPlacement. Exactly one of `shareServerId`, `shareNetwork` or `shares` is set. */
export interface ShareServerPlacementProps extends MigrationDemands {
  /**
   * A share server id. Followed through its lineage: after the server migrated (and got a new
   * id), the declaration still finds it, so deploying twice is a no-op.
   * @default - not selected by id
   */
  readonly shareServerId?: string;
  /**
   * A share network, by name or id: every share server of that network.
   * @default - not selected by share network
   */
  readonly shareNetwork?: string;
  /**
   * Project id that narrows `shareNetwork` or `shares` given by name.
   * @default - names must be unique across projects
   */
  readonly project?: string;
  /**
   * Share names or ids: the share servers that hold any of them.
   * @default - not selected by shares
   */
  readonly shares?: readonly string[];
  /** Destination backend host, `hostname@backend` (no `#pool`), e.g. `node1@beta`. */
  readonly host: string;
  /**
   * Move to this share network (name or id) as well. Cannot be combined with `nondisruptive`.
   * @default - keep the current share network
   */
  readonly newShareNetwork?: string;
}

/**
 * Declares on which backend host some share servers should live. At synth, the PlacementStack
 * plans the moves against its snapshot and emits one resource per migration needed.
 */
export class ShareServerPlacement extends DeclarationConstruct<PlacementDeclaration> {
  constructor(scope: Construct, id: string, props: ShareServerPlacementProps) {
    super(scope, id, {
      typeName: 'ShareServerPlacement',
      demands: props,
      body: (path) => {
        const host = checkHost(path, 'host', props.host);
        const select = selectorOf(path, props);
        return { kind: 'placement', select, host };
      },
      afterFlags: (path, flags) => {
        const network = props.newShareNetwork;
        if (network === undefined) return {};
        if (flags.nondisruptive) throw nondisruptiveNetworkChange(path, network);
        return { newShareNetwork: network };
      },
    });
  }
}

/** The placement's one server selector, narrowed by project if given; an empty prop (newShareNetwork too, in the same pass) throws. */
function selectorOf(path: string, props: ShareServerPlacementProps): ServerSelector {
  const given = (['shareServerId', 'shareNetwork', 'shares'] as const).filter((k) => props[k] !== undefined);
  if (given.length !== 1) throw badSelector(path, given);
  for (const k of ['shareServerId', 'shareNetwork', 'project', 'newShareNetwork'] as const) {
    if (props[k] !== undefined && props[k].length === 0) throw emptyValue(path, k);
  }
  if (props.shares !== undefined && (props.shares.length === 0 || props.shares.some((s) => s.length === 0))) throw emptyValue(path, 'shares');
  if (props.project !== undefined && props.shareServerId !== undefined) throw projectWithoutName(path);
  return {
    ...(props.shareServerId !== undefined ? { shareServerId: props.shareServerId } : {}),
    ...(props.shareNetwork !== undefined ? { shareNetwork: props.shareNetwork } : {}),
    ...(props.shares !== undefined ? { shares: [...props.shares] } : {}),
    ...(props.project !== undefined ? { project: props.project } : {}),
  };
}
