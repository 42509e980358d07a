import type { Construct } from 'constructs';
import { DataResource, type LocalExecProvisioner, type TerraformResource } from 'cdktf';
import { Resource as NullResource } from '@cdktf/provider-null/lib/resource';
import type { MigrateEntry, ResumeEntry } from '../plan/types';
import { PLAN_FILE_NAME } from '../plan/file';
import { completionText } from '../plan/window';

/**
 * One Terraform resource per pending move. Its triggers change exactly when a migration is
 * needed (another server, source, destination, flags, network or completion), never because
 * the snapshot was refreshed; its local-exec runs the runner for that one move. Nothing secret
 * goes in: credentials come from OS_CLOUD / clouds.yaml when the runner runs.
 */

/** Kind of resource a move becomes. */
export type MoveResourceType = 'null_resource' | 'terraform_data';

/** Limits a move's runner passes to admission (they count migrations in flight cloud-wide). */
export interface RunnerLimits {
  /**
   * Migrations in flight in the cloud at once (`--parallel`).
   * @default - the runner's default
   */
  readonly parallel?: number;
  /**
   * Migrations in flight from one source host (`--max-per-source`).
   * @default - no limit
   */
  readonly maxPerSource?: number;
  /**
   * Migrations in flight toward one destination host (`--max-per-destination`).
   * @default - no limit
   */
  readonly maxPerDestination?: number;
}

/** How to emit moves. */
export interface MoveResourceOptions {
  /** Resource kind. */
  readonly resourceType: MoveResourceType;
  /** Command that starts the runner, relative to `workingDir`, e.g. `node "node_modules/manila-placement/bin/manila-placement"`. */
  readonly runnerCommand: string;
  /**
   * Where the runner runs: the app directory, as a path relative to the stack's output directory
   * (Terraform's `path.module`), so `./clouds.yaml` is the same file as for `manila-placement plan`.
   */
  readonly workingDir: string;
  /**
   * OS_CLOUD for the runner (a clouds.yaml entry, never a credential).
   * @default - no environment: the runner uses that of the shell running Terraform
   */
  readonly cloud?: string;
  /**
   * Limits for the runner.
   * @default - no flags: the runner's own defaults
   */
  readonly limits?: RunnerLimits;
}

/** The triggers of a move: what makes Terraform run it again. */
export function moveTriggers(e: MigrateEntry | ResumeEntry): Record<string, string> {
  return {
    move: e.key,
    server_id: e.server.id,
    from: e.from,
    to: e.to,
    flags: `writable=${e.flags.writable},nondisruptive=${e.flags.nondisruptive},preserve_snapshots=${e.flags.preserveSnapshots}`,
    new_share_network: e.newShareNetworkId ?? '',
    completion: completionText(e.completion),
  };
}

/**
 * The local-exec command: `<runner> apply --plan "${abspath(path.module)}/manila-placement.plan.json"
 * --move <key> --auto-approve --no-wait-for-window [limits]`. The plan path is absolute at apply
 * time (the runner runs in the app directory); a move waiting for its maintenance window ends
 * with exit 4 instead of holding Terraform.
 */
export function moveCommand(runnerCommand: string, key: string, limits: RunnerLimits = {}): string {
  const flags = [
    limits.parallel !== undefined ? ` --parallel ${limits.parallel}` : '',
    limits.maxPerSource !== undefined ? ` --max-per-source ${limits.maxPerSource}` : '',
    limits.maxPerDestination !== undefined ? ` --max-per-destination ${limits.maxPerDestination}` : '',
  ].join('');
  return `${runnerCommand} apply --plan "\${abspath(path.module)}/${PLAN_FILE_NAME}" --move ${key} --auto-approve --no-wait-for-window${flags}`;
}

/** Adds the resource of one move under `scope`, with the entry key as construct id and Terraform name. */
export function addMoveResource(scope: Construct, e: MigrateEntry | ResumeEntry, o: MoveResourceOptions): TerraformResource {
  const provisioner: LocalExecProvisioner = {
    type: 'local-exec',
    command: moveCommand(o.runnerCommand, e.key, o.limits),
    workingDir: `\${path.module}/${o.workingDir}`,
    ...(o.cloud !== undefined ? { environment: { OS_CLOUD: o.cloud } } : {}),
  };
  const triggers = moveTriggers(e);
  const r =
    o.resourceType === 'terraform_data'
      ? new DataResource(scope, e.key, { triggersReplace: triggers, provisioners: [provisioner] })
      : new NullResource(scope, e.key, { triggers, provisioners: [provisioner] });
  r.overrideLogicalId(e.key);
  return r;
}
