import * as fs from 'node:fs';
import * as path from 'node:path';
import type { IStackSynthesizer, ISynthesisSession, TerraformStack } from 'cdktf';
import { PLAN_FILE_NAME } from '../plan/file';

/**
 * Wraps a stack's synthesizer to write the plan file beside `cdk.tf.json`, in the stack's
 * output directory (`cdktf.out/stacks/<stack>/`). Used by `app.synth()` (hence `cdktf synth`)
 * and `Testing.fullSynth`. The file is written only after the stack synthesized, so a failed
 * validation leaves no plan behind.
 */
export class PlanFileSynthesizer implements IStackSynthesizer {
  constructor(
    private readonly stack: TerraformStack,
    private readonly inner: IStackSynthesizer,
    private readonly planText: () => string,
  ) {}

  /** Synthesizes the stack, then writes the plan file. */
  public synthesize(session: ISynthesisSession): void {
    this.inner.synthesize(session);
    const stackFile = session.manifest.forStack(this.stack).synthesizedStackPath;
    fs.writeFileSync(path.join(session.outdir, path.dirname(stackFile), PLAN_FILE_NAME), this.planText());
  }
}
