import type { Construct } from 'constructs';
import type { PlacementDeclaration, ServerSelector } from '../plan/types';
import { hostProblem } from '../plan/host';
import { DeclarationConstruct } from './declaration-construct';
import type { MigrationDemands } from './demands';
import { badMetadata, badPool, emptyValue, hostAssistedRefused, notBoolean, shareSelectorMissing } from './errors';

/**
 * Props of a SharePlacement. At least one selector is set: `shares` picks shares by name or id;
 * `shareType`, `shareNetwork` and `metadata` pick every share that matches all of those given;
 * the two sets add up, and `project` narrows both.
 */
export interface SharePlacementProps extends MigrationDemands {
  /**
   * Share names or ids: these shares. A share without a share server (a backend with
   * driver_handles_share_servers = False) goes to a pool of such a backend; a share on a share
   * server leaves it for a pool of a backend with share servers, where Manila gives its share
   * network a server (one share off a crowded server). Such a share's server must not be moved
   * by another declaration of the stack (MP_DECLARATION_CONFLICT).
   * @default - not selected by name or id
   */
  readonly shares?: readonly string[];
  /**
   * A share type, by name or id: every share of that type without a share server.
   * @default - not selected by share type
   */
  readonly shareType?: string;
  /**
   * A share network, by name or id: every share without a share server created on it.
   * @default - not selected by share network
   */
  readonly shareNetwork?: string;
  /**
   * Metadata: every share without a share server whose metadata has all these keys with these
   * values (as `openstack share show` lists its properties).
   * @default - not selected by metadata
   */
  readonly metadata?: Readonly<Record<string, string>>;
  /**
   * Project id that narrows the selection.
   * @default - every project
   */
  readonly project?: string;
  /**
   * Destination pool, `hostname@backend#pool`, as `openstack share pool list` shows it. Manila
   * needs the pool for a share: with `hostname@backend` alone it accepts the start and then
   * fails it (the scheduler finds no such pool).
   */
  readonly pool: string;
  /**
   * The share's metadata must be kept. A demand, sent as Manila's `preserve_metadata`. Keep it
   * true unless the driver cannot: with every demand false, a failed driver path makes Manila
   * fall back to a host-assisted copy (docs/share-migration.md §0.5).
   * @default true
   */
  readonly preserveMetadata?: boolean;
  /**
   * Retype each share on the way (Manila's `new_share_type_id`), by name or id. It must be a type
   * without share servers (driver_handles_share_servers=False): a share placement gives no new
   * share network. A share already on the pool with another type is blocked (RETYPE_IN_PLACE):
   * the retype goes with a move to another pool.
   * @default - each share keeps its type
   */
  readonly newShareType?: string;
  /**
   * Host-assisted migration (Manila's data service mounts both shares and copies the files).
   * Refused: `true` fails synth with MP_HOST_ASSISTED_UNSUPPORTED (see the error for why).
   * @default false
   */
  readonly forceHostAssisted?: boolean;
}

/**
 * Declares on which pool some shares should live, for shares that move by themselves: those
 * on backends that do not handle share servers, and shares named one by one that leave their
 * share server. Each selected share is one share migration
 * (driver-assisted), planned and run by the same runner as share server moves, under the
 * same limits.
 */
export class SharePlacement extends DeclarationConstruct<PlacementDeclaration> {
  constructor(scope: Construct, id: string, props: SharePlacementProps) {
    super(scope, id, {
      typeName: 'SharePlacement',
      demands: props,
      body: (path) => {
        if (props.forceHostAssisted !== undefined && typeof props.forceHostAssisted !== 'boolean') throw notBoolean(path, 'forceHostAssisted', props.forceHostAssisted);
        if (props.forceHostAssisted) throw hostAssistedRefused(path);
        const host = checkPool(path, props.pool);
        if (props.newShareType !== undefined && (typeof props.newShareType !== 'string' || props.newShareType.length === 0)) throw emptyValue(path, 'newShareType');
        return {
          kind: 'placement',
          select: selectorOf(path, props),
          resource: 'share',
          host,
          ...(props.newShareType !== undefined ? { newShareType: props.newShareType } : {}),
        };
      },
    });
  }
}

function checkPool(path: string, pool: unknown): string {
  if (typeof pool !== 'string' || pool.length === 0) throw emptyValue(path, 'pool');
  const [host, name, ...rest] = pool.split('#');
  if (name === undefined || name.length === 0 || rest.length > 0 || hostProblem(host)) throw badPool(path, pool);
  return pool;
}

function selectorOf(path: string, props: SharePlacementProps): ServerSelector {
  const selectors = [props.shares, props.shareType, props.shareNetwork, props.metadata];
  if (selectors.every((v) => v === undefined)) throw shareSelectorMissing(path);
  if (props.shares !== undefined && (props.shares.length === 0 || props.shares.some((s) => typeof s !== 'string' || s.length === 0))) throw emptyValue(path, 'shares');
  for (const k of ['shareType', 'shareNetwork', 'project'] as const) if (props[k] !== undefined && (typeof props[k] !== 'string' || props[k].length === 0)) throw emptyValue(path, k);
  const m = props.metadata;
  if (m !== undefined && (m === null || typeof m !== 'object' || Array.isArray(m) || Object.keys(m).length === 0 || Object.entries(m).some(([k, v]) => k === '' || typeof v !== 'string'))) {
    throw badMetadata(path, m);
  }
  return {
    ...(props.shares !== undefined ? { shares: [...props.shares] } : {}),
    ...(props.shareType !== undefined ? { shareType: props.shareType } : {}),
    ...(props.shareNetwork !== undefined ? { shareNetwork: props.shareNetwork } : {}),
    ...(m !== undefined ? { metadata: { ...m } } : {}),
    ...(props.project !== undefined ? { project: props.project } : {}),
  };
}
