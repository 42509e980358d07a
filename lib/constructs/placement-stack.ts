import { Construct } from 'constructs';
import { Annotations, TerraformStack } from 'cdktf';
import { NullProvider } from '@cdktf/provider-null/lib/provider';
import type { CloudSnapshot } from '../snapshot/model';
import { serializePlan } from '../plan/file';
import { analysePlan, type PlanAnalysis } from '../plan/plan';
import type { Declaration, Plan } from '../plan/types';
import { isDeclarationSource, markPlanner, type IDeclarationSource, type IPlanner } from './declaration';
import { badLimit, badResourceType, CONTRADICTION_FIX, contradiction, unknownName, unmatched, unresolvedHosts, snapshotMissing, snapshotUnreadable } from './errors';
import { addDeclarationResource, type MoveResourceType, type RunnerLimits } from './declaration-resource';
import { PlanFileSynthesizer } from './plan-synthesizer';
import { appDirFromStack, defaultRunnerCommand } from './runner-command';
import { readSnapshot, snapshotPath, SNAPSHOT_CONTEXT_KEY } from '../snapshot/file';
import { DeclarationError, installSynthReporter } from './synth-problems';
import { positiveInteger } from './validate';

/** Blocked reasons that mean a name the cloud does not know: declaration errors. */
const UNKNOWN_NAME_CODES: ReadonlySet<string> = new Set(['DEST_UNKNOWN', 'SHARE_NETWORK_UNKNOWN']);

/** Props of a PlacementStack. */
export interface PlacementStackProps {
  /**
   * The snapshot file written by `manila-placement refresh`. Relative paths resolve against the
   * working directory.
   * @default - the context key `manila-placement:snapshot`, else `manila-placement.snapshot.json`
   */
  readonly snapshotPath?: string;
  /**
   * What each declaration becomes: `null_resource` (@cdktf/provider-null) or `terraform_data`
   * (built into Terraform 1.4+, no provider download: for air-gapped sites).
   * @default 'null_resource'
   */
  readonly resourceType?: MoveResourceType;
  /**
   * Command that starts the runner in each declaration's local-exec, which runs in the app directory
   * (where cdktf.json is), as `manila-placement plan` does.
   * @default - `node "<this package>/bin/manila-placement"`, relative to the app directory
   */
  readonly runnerCommand?: string;
  /**
   * Migrations in flight in the cloud at once, counted as Manila shows them; each declaration's
   * runner holds it, so it holds across Terraform's parallel local-execs.
   * @default - the runner's default (4)
   */
  readonly parallel?: number;
  /**
   * Migrations in flight from one source host, across every runner.
   * @default - no limit
   */
  readonly maxPerSource?: number;
  /**
   * Migrations in flight toward one destination host, across every runner.
   * @default - no limit
   */
  readonly maxPerDestination?: number;
  /**
   * An OS_CLOUD name (a clouds.yaml entry) put in the runner's environment. Never a credential:
   * the runner reads those from clouds.yaml / secure.yaml when it runs.
   * @default - the runner uses the OS_CLOUD / OS_* of the shell that runs `cdktf deploy`
   */
  readonly cloud?: string;
}

/**
 * A Terraform stack that plans share server placement. At synth it collects the declarations
 * below it (ShareServerPlacement, HostEvacuation, Rebalance), reads the snapshot, computes the
 * plan, writes it as `manila-placement.plan.json` beside `cdk.tf.json`, and emits one resource
 * per declaration whose local-exec runs `manila-placement apply --declaration <slug>`: its
 * triggers are the declaration, so a converged stack deploys with "No changes".
 *
 * The resources are added in `prepareStack()`, which `app.synth()` (hence `cdktf synth`)
 * calls before synthesizing. `Testing.synth` and `Testing.fullSynth` do not call it: call
 * `stack.prepareStack()` first in a test.
 */
export class PlacementStack extends TerraformStack implements IPlanner {
  /** Absolute path of the snapshot file read at synth. */
  public readonly snapshotPath: string;
  /** Kind of resource each declaration becomes. */
  public readonly resourceType: MoveResourceType;
  /** Command that starts the runner. */
  public readonly runnerCommand: string;
  /** OS_CLOUD given to the runner, if any. */
  public readonly cloud?: string;
  /** Limits given to every declaration's runner. */
  public readonly limits: RunnerLimits;

  private analysis?: PlanAnalysis;
  private materialized = false;

  constructor(scope: Construct, id: string, props: PlacementStackProps = {}) {
    super(scope, id);
    installSynthReporter();
    const path = this.node.path;
    const resourceType: unknown = props.resourceType ?? 'null_resource';
    if (resourceType !== 'null_resource' && resourceType !== 'terraform_data') throw badResourceType(path, resourceType);
    this.resourceType = resourceType;
    // cdktf runs the app in its directory, so the working directory is the app directory.
    this.snapshotPath = snapshotPath(process.cwd(), this.node.tryGetContext(SNAPSHOT_CONTEXT_KEY), props.snapshotPath);
    this.runnerCommand = props.runnerCommand ?? defaultRunnerCommand();
    this.cloud = props.cloud;
    const limit = (k: keyof RunnerLimits): number | undefined => positiveInteger(props[k], (v) => badLimit(path, k, v));
    this.limits = { parallel: limit('parallel'), maxPerSource: limit('maxPerSource'), maxPerDestination: limit('maxPerDestination') };
    if (this.resourceType === 'null_resource') new NullProvider(this, 'null');
    markPlanner(this);
    this.synthesizer = new PlanFileSynthesizer(this, this.synthesizer, () => serializePlan(this.requirePlan()));
    this.node.addValidation({ validate: () => this.analyse().problems.map((p) => contradiction(this.node.path, p.code, p.message)) });
  }

  /** The declarations below this stack, in construct-path order. */
  public declarations(): Declaration[] {
    return this.node
      .findAll()
      .filter((c): c is IDeclarationSource => isDeclarationSource(c) && TerraformStack.of(c) === this)
      .map((c) => c.toDeclaration())
      .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  /** The snapshot, read from `snapshotPath`. */
  public readSnapshot(): CloudSnapshot {
    return readSnapshot(this.snapshotPath, (p) =>
      p.kind === 'missing' ? snapshotMissing(this.node.path, this.snapshotPath) : snapshotUnreadable(this.node.path, this.snapshotPath, p.detail, p.cause),
    );
  }

  /**
   * The plan of this stack (computed once, at the first synth step that needs it).
   * @throws InputError when the snapshot is missing or corrupt, or the declarations contradict each other.
   */
  public requirePlan(): Plan {
    const a = this.analyse();
    if (a.plan) return a.plan;
    const first = a.problems[0];
    throw new DeclarationError(first.code, this.node.path, a.problems.map((p) => `${p.message}.`).join('\n'), CONTRADICTION_FIX);
  }

  /**
   * Validation errors about one declaration: a selector that matched nothing, a name the cloud
   * does not know at all (a destination host or share network), or a rebalance's hosts that do
   * not resolve (an unknown host, a pattern matching none): typos, not states that may pass, so
   * they fail synth instead of showing as blocked.
   */
  public errorsFor(declarationPath: string): string[] {
    const p = this.analyse().plan;
    if (!p) return [];
    const out: string[] = [];
    const unknown = new Set<string>();
    for (const e of p.entries) {
      if (e.declaration !== declarationPath) continue;
      if (e.action === 'unmatched') out.push(unmatched(declarationPath, e.message, this.snapshotPath));
      if (e.action === 'blocked') for (const r of e.reasons) if (UNKNOWN_NAME_CODES.has(r.code)) unknown.add(r.message);
    }
    for (const m of [...unknown].sort()) out.push(unknownName(declarationPath, m, this.snapshotPath));
    const rebalance = p.rebalance?.find((r) => r.declaration === declarationPath);
    for (const m of rebalance?.problems ?? []) out.push(unresolvedHosts(declarationPath, m, this.snapshotPath));
    return out;
  }

  /**
   * Refuses to render a stack whose declarations contradict each other even when validations
   * are skipped (`Testing.synth` without them, a synth with skipValidation): nothing is emitted
   * silently. The resources themselves are added by `prepareStack()`.
   */
  public toTerraform(): ReturnType<TerraformStack['toTerraform']> {
    this.requirePlan();
    return super.toTerraform();
  }

  /** Adds the declarations' resources and the warnings about blocked and conflicting servers; called by `app.synth()` before synthesis. */
  public prepareStack(): void {
    this.materialize();
    super.prepareStack();
  }

  /** Plans once per stack: every validation, the resources and the plan file read the same analysis. */
  private analyse(): PlanAnalysis {
    this.analysis ??= analysePlan(this.declarations(), this.readSnapshot());
    return this.analysis;
  }

  /** Once only: prepareStack may run more than once (`app.synth()` twice, a test that prepares then synthesizes). */
  private materialize(): void {
    if (this.materialized) return;
    this.materialized = true;
    const p = this.analyse().plan;
    if (!p) return; // the stack's validation reports the problems
    // One resource per declaration, whatever is pending: it stands for the declared placement,
    // so a converged stack deploys with "No changes" (./declaration-resource.ts).
    const declarations = this.declarations();
    if (declarations.length > 0) {
      const scope = new Construct(this, 'declarations');
      const workingDir = appDirFromStack(this.node.id);
      for (const d of declarations) {
        addDeclarationResource(scope, d, {
          resourceType: this.resourceType,
          runnerCommand: this.runnerCommand,
          workingDir,
          cloud: this.cloud,
          limits: this.limits,
        });
      }
    }
    const sources = new Map(
      this.node
        .findAll()
        .filter(isDeclarationSource)
        .map((c) => [c.node.path, c] as const),
    );
    for (const e of p.entries) {
      const at = sources.get(e.declaration) ?? this;
      if (e.action === 'blocked') {
        Annotations.of(at).addWarning(`share server ${e.server.id} on ${e.server.host} cannot move to ${e.to}: ${e.reasons.map((r) => `${r.code}: ${r.message}`).join('; ')}`);
      } else if (e.action === 'conflict') {
        Annotations.of(at).addWarning(e.message);
      }
    }
  }
}
