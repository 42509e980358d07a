// Test order for jest: the slowest files first, by the per-file seconds of the last measured run
// (docs/test-timings.json, written by scripts/test-timings.js), so that the files spread over the
// test beds end at about the same time (longest first). Files the table does not know yet come
// first of all (their time is unknown), then jest's own order breaks ties.
const fs = require('node:fs');
const path = require('node:path');
const Sequencer = require('@jest/test-sequencer').default;

const ROOT = path.resolve(__dirname, '..', '..');
const TABLE = path.join(ROOT, 'docs', 'test-timings.json');

function knownSeconds() {
  try {
    const doc = JSON.parse(fs.readFileSync(TABLE, 'utf8'));
    return new Map(Object.entries(doc.files ?? {}).map(([f, v]) => [f, Number(v.seconds)]));
  } catch {
    return new Map();
  }
}

class SlowestFirst extends Sequencer {
  sort(tests) {
    const seconds = knownSeconds();
    const base = super.sort(tests);
    const rank = new Map(base.map((t, i) => [t.path, i]));
    const secs = (t) => seconds.get(path.relative(ROOT, t.path).split(path.sep).join('/'));
    return [...base].sort((a, b) => {
      const sa = secs(a);
      const sb = secs(b);
      if (sa === undefined && sb !== undefined) return -1;
      if (sb === undefined && sa !== undefined) return 1;
      if (sa !== undefined && sb !== undefined && sa !== sb) return sb - sa;
      return rank.get(a.path) - rank.get(b.path);
    });
  }
}

module.exports = SlowestFirst;
