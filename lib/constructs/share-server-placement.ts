import { Construct } from 'constructs';
import type { PlacementDeclaration, ServerSelector } from '../plan/types';
import { markDeclaration, validateThroughPlanner, type IDeclarationSource } from './declaration';
import { checkHost, completionOf, flagsOf, type MigrationDemands } from './demands';
import { badSelector, emptyValue, nondisruptiveNetworkChange, projectWithoutName } from './errors';

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
export class ShareServerPlacement extends Construct implements IDeclarationSource {
  private readonly declaration: PlacementDeclaration;

  constructor(scope: Construct, id: string, props: ShareServerPlacementProps) {
    super(scope, id);
    const path = this.node.path;
    const host = checkHost(path, 'host', props.host);
    const given = (['shareServerId', 'shareNetwork', 'shares'] as const).filter((k) => props[k] !== undefined);
    if (given.length !== 1) throw badSelector(path, given);
    for (const k of ['shareServerId', 'shareNetwork', 'project', 'newShareNetwork'] as const) {
      if (props[k] !== undefined && props[k].length === 0) throw emptyValue(path, k);
    }
    if (props.shares !== undefined && (props.shares.length === 0 || props.shares.some((s) => s.length === 0))) throw emptyValue(path, 'shares');
    if (props.project !== undefined && props.shareServerId !== undefined) throw projectWithoutName(path);
    const flags = flagsOf(path, props);
    if (flags.nondisruptive && props.newShareNetwork !== undefined) throw nondisruptiveNetworkChange(path, props.newShareNetwork);
    const select: ServerSelector = {
      ...(props.shareServerId !== undefined ? { shareServerId: props.shareServerId } : {}),
      ...(props.shareNetwork !== undefined ? { shareNetwork: props.shareNetwork } : {}),
      ...(props.shares !== undefined ? { shares: [...props.shares] } : {}),
      ...(props.project !== undefined ? { project: props.project } : {}),
    };
    this.declaration = {
      kind: 'placement',
      path,
      select,
      host,
      flags,
      ...(props.newShareNetwork !== undefined ? { newShareNetwork: props.newShareNetwork } : {}),
      completion: completionOf(path, props),
    };
    markDeclaration(this);
    validateThroughPlanner(this, 'ShareServerPlacement');
  }

  /** The declaration as plain data. */
  public toDeclaration(): PlacementDeclaration {
    return this.declaration;
  }
}
