/**
 * Loaded into measured Node processes with NODE_OPTIONS="--require <this, transpiled>": at exit,
 * appends the process's own peak RSS (getrusage of itself, not of its children) to the file
 * named by MP_BENCH_RSS_FILE, so the runner process can be told apart from the synth child it
 * spawns. Writes nothing else and changes no behaviour.
 */
import * as fs from 'node:fs';

const file = process.env.MP_BENCH_RSS_FILE;
if (file) {
  process.on('exit', () => {
    try {
      const maxRssMb = Math.round((process.resourceUsage().maxRSS / 1024) * 10) / 10;
      fs.appendFileSync(file, JSON.stringify({ pid: process.pid, ppid: process.ppid, argv: process.argv.slice(1, 4), maxRssMb }) + '\n');
    } catch {
      // measuring must never break the measured program
    }
  });
}
