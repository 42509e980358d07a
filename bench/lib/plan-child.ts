/**
 * One planning measurement in a process of its own (so its peak RSS is this size's):
 *   node plan-child.js <shape> <servers>
 * Generates the snapshot and declarations (not timed), then times, as synth does them:
 * parsing + validating the snapshot text (zod), `plan()` from lib/plan/plan.ts (cold, then a
 * second warm call), and serialising the plan file. Prints one JSON line.
 * Loads the compiled library from <repo>/dist (MP_BENCH_REPO), so no TypeScript compiler sits
 * in this process's memory.
 */
import * as path from 'node:path';
import { generateDeclarations, generateSnapshot, type Shape } from './generate';
import type * as PlanModule from '../../lib/plan/plan';
import type * as PlanFileModule from '../../lib/plan/file';
import type * as SnapshotModule from '../../lib/snapshot/model';

const repo = process.env.MP_BENCH_REPO ?? path.resolve(__dirname, '..', '..', '..', '..');
const dist = (m: string): string => path.join(repo, 'dist', 'lib', m);
// Only the planning modules (lib/index would load cdktf too, which planning does not use).
const lib = {
  ...(require(dist('plan/plan.js')) as typeof PlanModule),
  ...(require(dist('plan/file.js')) as typeof PlanFileModule),
  ...(require(dist('snapshot/model.js')) as typeof SnapshotModule),
};

const mb = (): number => Math.round((process.memoryUsage().rss / 1048576) * 10) / 10;
const ms = (t0: bigint): number => Number(process.hrtime.bigint() - t0) / 1e6;

function main(): void {
  const shape = process.argv[2] as Shape;
  const n = Number(process.argv[3]);
  if ((shape !== 'placements' && shape !== 'evacuation') || !Number.isInteger(n) || n < 1) {
    throw new Error('usage: plan-child <placements|evacuation> <servers>');
  }
  const rssStart = mb();
  const text = JSON.stringify(generateSnapshot(n));
  const declarations = generateDeclarations(shape, n);
  const rssGenerated = mb();

  let t = process.hrtime.bigint();
  const snapshot = lib.parseSnapshotText(text, 'generated');
  const parseMs = ms(t);

  t = process.hrtime.bigint();
  const p = lib.plan(declarations, snapshot);
  const planMs = ms(t);
  const rssAfterPlan = mb();

  t = process.hrtime.bigint();
  const fileText = lib.serializePlan(p);
  const serializeMs = ms(t);

  // A second, warm call (JIT-compiled code), unless the first one was long already.
  let planWarmMs: number | undefined;
  if (planMs < 5_000) {
    t = process.hrtime.bigint();
    lib.plan(declarations, snapshot);
    planWarmMs = ms(t);
  }

  process.stdout.write(
    JSON.stringify({
      shape,
      servers: n,
      records: snapshot.shareServers.length,
      declarations: declarations.length,
      entries: p.entries.length,
      summary: p.summary,
      snapshotBytes: text.length,
      planFileBytes: fileText.length,
      parseMs,
      planMs,
      planWarmMs,
      serializeMs,
      rssMb: { start: rssStart, generated: rssGenerated, afterPlan: rssAfterPlan, end: mb() },
    }) + '\n',
  );
}

main();
