/**
 * Read latency on the test bed: `manila-placement status` against `openstack share server
 * list` (same cloud `testbed` from the same clouds.yaml, same run), plus `manila-placement
 * servers` and the legacy `manila share-server-list` for context. Repetitions are interleaved
 * (one of each per repetition) so that noise on the shared machine hits every command alike;
 * each is a fresh process, as an operator types it. Reports medians.
 *
 *   npx ts-node --transpile-only bench/read.ts [--reps 10] [--out FILE]
 */
import * as path from 'node:path';
import { arg } from './lib/args';
import { measure, median, REPO, round, TMP, writeJson } from './lib/proc';
import { cloudEnv, legacyEnv } from './lib/testbed';

const REPS = Number(arg('--reps', '10'));
const OUT = path.resolve(arg('--out', path.join(TMP, 'read.json')));
const BIN = path.join(REPO, 'bin', 'manila-placement');

interface Command {
  readonly name: string;
  readonly cmd: string;
  readonly args: string[];
  readonly env: NodeJS.ProcessEnv;
}

async function main(): Promise<void> {
  const commands: Command[] = [
    { name: 'manila-placement status', cmd: process.execPath, args: [BIN, 'status'], env: cloudEnv() },
    { name: 'openstack share server list', cmd: 'openstack', args: ['--os-cloud', 'testbed', 'share', 'server', 'list'], env: cloudEnv() },
    { name: 'manila-placement servers', cmd: process.execPath, args: [BIN, 'servers'], env: cloudEnv() },
    { name: 'manila share-server-list', cmd: 'manila', args: ['share-server-list'], env: legacyEnv() },
  ];
  const samples = new Map<string, { wallMs: number[]; rssMb: number[]; failures: number }>(
    commands.map((c) => [c.name, { wallMs: [], rssMb: [], failures: 0 }]),
  );
  // One warm-up of each (disk cache, Keystone's role cache), not counted.
  for (const c of commands) await measure(c.cmd, c.args, { env: c.env, timeoutMs: 120_000 });
  for (let i = 0; i < REPS; i++) {
    for (const c of commands) {
      const r = await measure(c.cmd, c.args, { env: c.env, timeoutMs: 120_000 });
      const s = samples.get(c.name)!;
      if (r.code !== 0) {
        s.failures++;
        process.stderr.write(`[read] ${c.name} exited ${r.code}: ${r.stderr.slice(-300)}\n`);
        continue;
      }
      s.wallMs.push(round(r.wallMs, 1)!);
      if (r.maxRssMb !== undefined) s.rssMb.push(r.maxRssMb);
    }
  }
  const results = commands.map((c) => {
    const s = samples.get(c.name)!;
    return { name: c.name, command: [path.basename(c.cmd), ...c.args.map((a) => (a === BIN ? 'bin/manila-placement' : a))].join(' '), medianMs: round(median(s.wallMs), 1), minMs: s.wallMs.length ? Math.min(...s.wallMs) : undefined, maxMs: s.wallMs.length ? Math.max(...s.wallMs) : undefined, medianRssMb: round(median(s.rssMb), 1), ...s };
  });
  writeJson(OUT, { kind: 'read', at: new Date().toISOString(), reps: REPS, results });
  for (const r of results) process.stderr.write(`[read] ${r.name}: median ${r.medianMs} ms, peak RSS ${r.medianRssMb} MiB (${r.wallMs.length} runs)\n`);
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
