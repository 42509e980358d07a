/**
 * One synth measurement in a process of its own (so its peak RSS is this size's):
 *   node synth-child.js <placements> <workdir>
 * Writes a generated snapshot of as many share servers as placements (not timed), then times
 * loading cdktf and the library, building an App with one ShareServerPlacement per share
 * network (one in five to another host), and `app.synth()` (which plans, writes cdk.tf.json and
 * manila-placement.plan.json). Prints one JSON line.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { generateDeclarations, generateSnapshot } from './generate';
import type * as Cdktf from 'cdktf';
import type * as Lib from '../../lib/index';

const repo = process.env.MP_BENCH_REPO ?? path.resolve(__dirname, '..', '..', '..', '..');
const ms = (t0: bigint): number => Number(process.hrtime.bigint() - t0) / 1e6;
const mb = (): number => Math.round((process.memoryUsage().rss / 1048576) * 10) / 10;

function main(): void {
  const n = Number(process.argv[2]);
  const work = path.resolve(process.argv[3]);
  if (!Number.isInteger(n) || n < 1 || !process.argv[3]) throw new Error('usage: synth-child <placements> <workdir>');
  fs.rmSync(work, { recursive: true, force: true });
  fs.mkdirSync(work, { recursive: true });
  const snapshotPath = path.join(work, 'manila-placement.snapshot.json');
  fs.writeFileSync(snapshotPath, JSON.stringify(generateSnapshot(n)));
  const decls = generateDeclarations('placements', n);
  const rssStart = mb();

  let t = process.hrtime.bigint();
  const cdktf = require(path.join(repo, 'node_modules', 'cdktf')) as typeof Cdktf;
  const lib = require(path.join(repo, 'dist', 'lib', 'index.js')) as typeof Lib;
  const loadMs = ms(t);

  t = process.hrtime.bigint();
  const app = new cdktf.App({ outdir: path.join(work, 'cdktf.out') });
  const stack = new lib.PlacementStack(app, 'fleet', { snapshotPath });
  for (const d of decls) {
    if (d.kind !== 'placement') continue;
    new lib.ShareServerPlacement(stack, d.path.split('/')[1], { shareNetwork: d.select.shareNetwork, host: d.host });
  }
  const constructMs = ms(t);

  t = process.hrtime.bigint();
  app.synth();
  const synthMs = ms(t);

  const planFile = path.join(work, 'cdktf.out', 'stacks', 'fleet', 'manila-placement.plan.json');
  const plan = JSON.parse(fs.readFileSync(planFile, 'utf8')) as { summary: Record<string, number> };
  const tf = JSON.parse(fs.readFileSync(path.join(work, 'cdktf.out', 'stacks', 'fleet', 'cdk.tf.json'), 'utf8')) as { resource?: Record<string, Record<string, unknown>> };
  const resources = Object.values(tf.resource ?? {}).reduce((a, r) => a + Object.keys(r).length, 0);
  process.stdout.write(
    JSON.stringify({ placements: n, summary: plan.summary, resources, loadMs, constructMs, synthMs, rssMb: { start: rssStart, end: mb() } }) + '\n',
  );
}

main();
