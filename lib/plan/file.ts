import { createHash } from 'node:crypto';
import { InputError } from '../errors';
import { canonicalJson } from '../util/canonical-json';
import { parseOrThrow } from '../util/parse';
import type { Plan } from './types';
import { planFileSchema } from './schema';

/**
 * The plan file (`manila-placement.plan.json`): canonical JSON of the plan plus `planDigest`,
 * the sha256 of that content. The runner acts only on a file whose digest matches, so an edited
 * or truncated plan is refused rather than half-trusted.
 */

/** File name of the plan, written beside `cdk.tf.json`. */
export const PLAN_FILE_NAME = 'manila-placement.plan.json';

/** `sha256:<hex>` of the plan's canonical content (without any `planDigest`). */
export function planDigest(plan: Plan): string {
  const { planDigest: _ignored, ...content } = plan as Plan & { planDigest?: string };
  return 'sha256:' + createHash('sha256').update(canonicalJson(content, 0)).digest('hex');
}

/** The plan file text: canonical JSON (sorted keys, two-space indent, final newline) with `planDigest`. */
export function serializePlan(plan: Plan): string {
  return canonicalJson({ ...plan, planDigest: planDigest(plan) });
}

const REGENERATE = 'Run `cdktf synth` (or `manila-placement plan`) again to write a fresh plan; never edit a plan file by hand.';

/**
 * Parses and verifies plan file text. `source` names the file in errors.
 * @throws InputError `MP_PLAN_INVALID` (not JSON, not a plan, wrong version) or `MP_PLAN_TAMPERED` (digest mismatch).
 */
export function parsePlanText(text: string, source: string): Plan {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new InputError('MP_PLAN_INVALID', `${source} is not JSON (${(e as Error).message}); the file is corrupt or truncated.`, REGENERATE);
  }
  const kind = doc && typeof doc === 'object' ? (doc as { kind?: unknown }).kind : undefined;
  if (kind !== 'manila-placement/plan') {
    throw new InputError('MP_PLAN_INVALID', `${source} is not a manila-placement plan (its "kind" is ${JSON.stringify(kind)}).`, REGENERATE);
  }
  const { planDigest: recorded, ...plan } = parseOrThrow(
    planFileSchema,
    doc,
    (issue, at) =>
      new InputError(
        'MP_PLAN_INVALID',
        `${source} is not a valid plan: ${at}: ${issue.message}.`,
        `The file is corrupt or from another version of manila-placement. ${REGENERATE}`,
      ),
  );
  const actual = planDigest(plan);
  if (recorded !== actual) {
    throw new InputError(
      'MP_PLAN_TAMPERED',
      `${source} was changed after it was written: its planDigest is ${recorded} but its content hashes to ${actual}.`,
      `A plan is acted on only as synth wrote it. ${REGENERATE}`,
    );
  }
  return plan;
}
