/**
 * Loaded into measured Node processes with NODE_OPTIONS="--require <this, transpiled>": at exit,
 * appends the process's own peak RSS and CPU time (getrusage of itself, not of its children) to the file
 * named by MP_BENCH_RSS_FILE, so the runner process can be told apart from the synth child it
 * spawns. Writes nothing else and changes no behaviour.
 */
import * as fs from 'node:fs';

const file = process.env.MP_BENCH_RSS_FILE;
if (file) {
  process.on('exit', () => {
    try {
      const u = process.resourceUsage();
      const maxRssMb = Math.round((u.maxRSS / 1024) * 10) / 10;
      const cpuS = Math.round((u.userCPUTime + u.systemCPUTime) / 1e4) / 100;
      fs.appendFileSync(file, JSON.stringify({ pid: process.pid, ppid: process.ppid, argv: process.argv.slice(1, 4), maxRssMb, cpuS }) + '\n');
    } catch {
      // measuring must never break the measured program
    }
  });
}
