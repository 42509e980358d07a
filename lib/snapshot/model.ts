import { createHash } from 'node:crypto';
import { z } from 'zod';
import { InputError } from '../errors';
import { canonicalJson } from '../util/canonical-json';
import { parseOrThrow } from '../util/parse';

/**
 * A snapshot of the cloud as `manila-placement refresh` saw it: the only input of planning
 * besides the declarations. Lists are sorted by id so the same cloud gives the same content.
 */

const snapshotShareSchema = z.object({
  id: z.string(),
  name: z.string().optional(),
  status: z.string(),
  size: z.number(),
  shareTypeId: z.string().optional(),
  availabilityZone: z.string().optional(),
  hasReplicas: z.boolean(),
  shareGroupId: z.string().optional(),
  isSoftDeleted: z.boolean(),
  taskState: z.string().optional(),
  accessRulesStatus: z.string().optional(),
  /** `share_proto` (NFS, CIFS, ...); absent in snapshots written before it was recorded. */
  protocol: z.string().optional(),
  snapshots: z.array(z.object({ id: z.string(), status: z.string() })),
  /**
   * Its pool, `host@backend#pool`: recorded for shares on share servers since they can move by
   * themselves (SharePlacement); absent in snapshots written before.
   */
  host: z.string().optional(),
  /** While it migrates by itself: the destination pool, from its `migrating_to` instance (`GET /share_instances`). */
  migratingTo: z.string().optional(),
});

const snapshotServerSchema = z.object({
  id: z.string(),
  projectId: z.string(),
  /** The project's name, from Keystone (`GET /v3/projects`), when the admin may read it. */
  projectName: z.string().optional(),
  status: z.string(),
  host: z.string(),
  shareNetworkId: z.string().optional(),
  shareNetworkName: z.string().optional(),
  taskState: z.string().nullable(),
  sourceShareServerId: z.string().nullable(),
  shareNetworkSubnetIds: z.array(z.string()),
  shares: z.array(snapshotShareSchema),
});

/** A share without a share server (a backend with driver_handles_share_servers = False): it moves by itself. */
const snapshotFlatShareSchema = snapshotShareSchema.extend({
  /** `host@backend#pool`. */
  host: z.string(),
  projectId: z.string(),
  /** The project's name, from Keystone, when the admin may read it. */
  projectName: z.string().optional(),
  shareNetworkId: z.string().optional(),
  /** Its metadata, key to value (for SharePlacement's `metadata` selector); absent when it has none. */
  metadata: z.record(z.string(), z.string()).optional(),
});

const snapshotServiceSchema = z.object({
  host: z.string(),
  zone: z.string(),
  status: z.string(),
  state: z.string(),
  /** Why an admin disabled it (microversion 2.83+, so Manila 2023.2 and later); absent before. */
  disabledReason: z.string().optional(),
  /** The backend re-checks its shares after a restart (2.86+); absent before. */
  ensuring: z.boolean().optional(),
});

const snapshotPoolSchema = z.object({
  name: z.string(),
  backendHost: z.string(),
  pool: z.string(),
  dhss: z.boolean().optional(),
  totalCapacityGb: z.number().optional(),
  freeCapacityGb: z.number().optional(),
  allocatedCapacityGb: z.number().optional(),
});

const snapshotNetworkSchema = z.object({
  id: z.string(),
  name: z.string().optional(),
  projectId: z.string(),
  status: z.string().optional(),
  subnets: z.array(z.object({ id: z.string(), availabilityZone: z.string().nullable() })),
});

const snapshotShareTypeSchema = z.object({
  id: z.string(),
  name: z.string().optional(),
  /** The `availability_zones` extra spec, verbatim; absent when the type allows every zone. */
  availabilityZones: z.string().optional(),
  /** `driver_handles_share_servers`; absent in snapshots written before it was recorded. */
  dhss: z.boolean().optional(),
  /** `provisioning:min_share_size` / `provisioning:max_share_size`, GiB, when set (Manila checks them on a retype). */
  minSizeGb: z.number().optional(),
  maxSizeGb: z.number().optional(),
});

/** Schema of a snapshot file (version 1). */
export const cloudSnapshotSchema = z.object({
  kind: z.literal('manila-placement/snapshot'),
  version: z.literal(1),
  /** Which cloud: Keystone URL, Manila endpoint, region. Plans from another cloud are refused. */
  cloud: z.object({ authUrl: z.string(), endpoint: z.string(), region: z.string().optional() }),
  /** When it was taken (ISO 8601). Not part of the digest. */
  takenAt: z.string(),
  microversion: z.string(),
  shareServers: z.array(snapshotServerSchema),
  /**
   * Shares that no share server holds (backends that do not handle share servers), which move
   * one by one with share migration. Optional: snapshots written before it plan no share moves.
   */
  flatShares: z.array(snapshotFlatShareSchema).optional(),
  services: z.array(snapshotServiceSchema),
  pools: z.array(snapshotPoolSchema),
  shareNetworks: z.array(snapshotNetworkSchema),
  /**
   * Share types of the shares on share servers. Optional so that snapshots written before it
   * existed still load; such a snapshot plans as if no type restricted zones.
   */
  shareTypes: z.array(snapshotShareTypeSchema).optional(),
  /**
   * The projects' names, read once per refresh from Keystone (`GET /v3/projects`), so that
   * plans, notices and reports name projects. Absent when Keystone did not answer or the
   * credentials may not list projects: every place then shows the project's id.
   */
  projects: z.array(z.object({ id: z.string(), name: z.string() })).optional(),
});

/** The cloud as refresh saw it. */
export type CloudSnapshot = z.infer<typeof cloudSnapshotSchema>;
/** A share server in a snapshot, with its shares. */
export type SnapshotShareServer = z.infer<typeof snapshotServerSchema>;
/** A share in a snapshot, with its snapshots' states. */
export type SnapshotShare = z.infer<typeof snapshotShareSchema>;
/** A share without a share server in a snapshot. */
export type SnapshotFlatShare = z.infer<typeof snapshotFlatShareSchema>;
/** A manila-share service in a snapshot. */
export type SnapshotService = z.infer<typeof snapshotServiceSchema>;
/** A pool in a snapshot. */
export type SnapshotPool = z.infer<typeof snapshotPoolSchema>;
/** A share type in a snapshot. */
export type SnapshotShareType = z.infer<typeof snapshotShareTypeSchema>;
/** A share network in a snapshot. */
export type SnapshotShareNetwork = z.infer<typeof snapshotNetworkSchema>;

/** sha256 of the snapshot's content (everything but `takenAt`): what a plan records it was made from. */
export function snapshotDigest(s: CloudSnapshot): string {
  const { takenAt: _ignored, ...content } = s;
  return 'sha256:' + createHash('sha256').update(canonicalJson(content, 0)).digest('hex');
}

/** Validates parsed JSON as a snapshot; `source` names the file in errors. */
export function parseSnapshotDocument(doc: unknown, source: string): CloudSnapshot {
  if (doc && typeof doc === 'object' && (doc as { kind?: unknown }).kind !== 'manila-placement/snapshot') {
    throw new InputError(
      'MP_SNAPSHOT_INVALID',
      `${source} is not a manila-placement snapshot (its "kind" is ${JSON.stringify((doc as { kind?: unknown }).kind)}).`,
      'Create one with `manila-placement refresh --out <file>`.',
    );
  }
  return parseOrThrow(
    cloudSnapshotSchema,
    doc,
    (issue, at) =>
      new InputError(
        'MP_SNAPSHOT_INVALID',
        `${source} is not a valid snapshot: ${at}: ${issue.message}.`,
        'The file is corrupt or from another version: run `manila-placement refresh` to write it again.',
      ),
  );
}

/** Parses snapshot text (JSON). */
export function parseSnapshotText(text: string, source: string): CloudSnapshot {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new InputError('MP_SNAPSHOT_INVALID', `${source} is not JSON: ${(e as Error).message}.`, 'The file is corrupt: run `manila-placement refresh` to write it again.');
  }
  return parseSnapshotDocument(doc, source);
}
