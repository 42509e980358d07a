import type { Construct } from 'constructs';
import { DataResource, type LocalExecProvisioner, type TerraformResource } from 'cdktf';
import { Resource as NullResource } from '@cdktf/provider-null/lib/resource';
import { createHash } from 'node:crypto';
import type { Declaration } from '../plan/types';
import { PLAN_FILE_NAME } from '../plan/file';
import { declarationSlug } from '../plan/key';
import { completionText } from '../plan/window';
import { canonicalJson } from '../util/canonical-json';

/**
 * One Terraform resource per declaration: it stands for "these servers on that host" (or "this
 * host empty", "these hosts even"), not for one move. Its triggers are the declaration itself,
 * so a second `cdktf deploy` of a converged stack says "No changes"; a changed declaration
 * (another host, targets, demands, completion) replaces it, and the replacement's local-exec
 * runs the runner for the declaration's moves in the plan synthesized with it, so what
 * `cdktf diff` shows is what `deploy` does. Removing a declaration destroys its resource and
 * touches nothing in the cloud (no destroy-time provisioner). Nothing secret goes in:
 * credentials come from OS_CLOUD / clouds.yaml when the runner runs.
 */

/** Kind of resource a declaration becomes. */
export type MoveResourceType = 'null_resource' | 'terraform_data';

/** Limits a declaration's runner passes to admission (they count migrations in flight cloud-wide). */
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

/** How to emit declarations. */
export interface DeclarationResourceOptions {
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

/** What a declaration wants, in words, for the triggers (and so for `cdktf diff`). */
function wants(d: Declaration): string {
  switch (d.kind) {
    case 'placement': {
      const s = d.select;
      const byType = s.shareType !== undefined ? `shares of type ${s.shareType}` : '';
      const named = s.shares ? `shares ${s.shares.join(', ')}` : '';
      const what = s.shareServerId ? `share server ${s.shareServerId}` : s.shareNetwork ? `share network ${s.shareNetwork}` : [named, byType].filter(Boolean).join(' and ');
      return `${what}${s.project ? ` of project ${s.project}` : ''} on ${d.host}`;
    }
    case 'evacuation':
      return `${d.sourceHost} empty, to ${d.targets.join(', ')}`;
    case 'rebalance':
      return `${d.objective} even over ${d.hosts ? d.hosts.join(', ') : d.hostPattern}`;
  }
}

/**
 * The triggers of a declaration's resource: what makes Terraform run it again. The digest is of
 * the whole declaration (every prop); the rest says it in words. Never the snapshot, never the
 * servers' current ids: a refresh or a migration changes nothing here.
 */
export function declarationTriggers(d: Declaration): Record<string, string> {
  return {
    declaration: d.path,
    kind: d.kind,
    wants: wants(d),
    flags: `writable=${d.flags.writable},nondisruptive=${d.flags.nondisruptive},preserve_snapshots=${d.flags.preserveSnapshots}`,
    completion: completionText(d.completion),
    digest: createHash('sha256').update(canonicalJson(d)).digest('hex').slice(0, 16),
  };
}

/**
 * The local-exec command: `<runner> apply --plan "${abspath(path.module)}/manila-placement.plan.json"
 * --declaration <slug> --auto-approve --no-wait-for-window [limits]`. The plan path is absolute at
 * apply time (the runner runs in the app directory); a move waiting for its maintenance window
 * ends with exit 4 instead of holding Terraform.
 */
export function declarationCommand(runnerCommand: string, declarationPath: string, limits: RunnerLimits = {}): string {
  const flags = [
    limits.parallel !== undefined ? ` --parallel ${limits.parallel}` : '',
    limits.maxPerSource !== undefined ? ` --max-per-source ${limits.maxPerSource}` : '',
    limits.maxPerDestination !== undefined ? ` --max-per-destination ${limits.maxPerDestination}` : '',
  ].join('');
  return `${runnerCommand} apply --plan "\${abspath(path.module)}/${PLAN_FILE_NAME}" --declaration ${declarationSlug(declarationPath)} --auto-approve --no-wait-for-window${flags}`;
}

/** Adds the resource of one declaration under `scope`, with the declaration's slug as construct id and Terraform name. */
export function addDeclarationResource(scope: Construct, d: Declaration, o: DeclarationResourceOptions): TerraformResource {
  const provisioner: LocalExecProvisioner = {
    type: 'local-exec',
    command: declarationCommand(o.runnerCommand, d.path, o.limits),
    workingDir: `\${path.module}/${o.workingDir}`,
    ...(o.cloud !== undefined ? { environment: { OS_CLOUD: o.cloud } } : {}),
  };
  const triggers = declarationTriggers(d);
  const id = declarationSlug(d.path);
  const r =
    o.resourceType === 'terraform_data'
      ? new DataResource(scope, id, { triggersReplace: triggers, provisioners: [provisioner] })
      : new NullResource(scope, id, { triggers, provisioners: [provisioner] });
  r.overrideLogicalId(id);
  return r;
}
