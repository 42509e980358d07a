#!/usr/bin/env node
// The timing table that closes `npm test`: seconds per part of the run and per test file, from
// the parts scripts/test.sh records and jest's --json results; then the one closing line any CI
// can read ("tests: N passed, N failed"). With --doc, also writes the table to
// docs/test-timings.md and docs/test-timings.json (the sequencer starts the slowest files first
// from the latter).
//
//   node scripts/test-timings.js [--parts FILE.tsv] [--doc] UNIT.json ZED.json [EPOXY.json]
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const OUT = path.join(ROOT, '.manila-placement');

function parseArgs(argv) {
  const a = { parts: null, doc: false, files: [] };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--parts') a.parts = argv[++i];
    else if (argv[i] === '--doc') a.doc = true;
    else a.files.push(argv[i]);
  }
  return a;
}

function readJson(file) {
  try { return JSON.parse(fs.readFileSync(file, 'utf8')); } catch { return null; }
}

/** Per-file rows of one jest --json result. */
function rowsOf(result, part) {
  return result.testResults.map((t) => ({
    part,
    // repo-relative, whichever clone ran it
    file: (t.name.split(path.sep).join('/').match(/(test\/(?:unit|integration|e2e)\/.*)$/) || [t.name, t.name])[1],
    seconds: Math.round((t.endTime - t.startTime) / 100) / 10,
    tests: t.assertionResults.length,
  }));
}

function table(headers, rows) {
  const w = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (r) => r.map((c, i) => (i === 0 ? String(c).padEnd(w[i]) : String(c).padStart(w[i]))).join('  ');
  return [line(headers), w.map((n) => '-'.repeat(n)).join('  '), ...rows.map(line)].join('\n');
}

function markdown(headers, rows) {
  return [`| ${headers.join(' | ')} |`, `|${headers.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

function main() {
  const args = parseArgs(process.argv.slice(2));
  const [unitFile, zedFile, epoxyFile] = args.files;
  const parts = args.parts && fs.existsSync(args.parts)
    ? fs.readFileSync(args.parts, 'utf8').trim().split('\n').filter(Boolean).map((l) => l.split('\t')).map(([name, s]) => [name, Number(s)])
    : [];
  const skippedFile = path.join(OUT, 'epoxy-skipped.txt');
  const skippedEpoxy = fs.existsSync(skippedFile) ? fs.readFileSync(skippedFile, 'utf8').trim() : '';

  let passed = 0, failed = 0, skipped = 0;
  const rows = [];
  const count = (file, part, must) => {
    const r = file ? readJson(file) : null;
    if (!r) { if (must) { failed++; console.log(`MISSING: ${part}: no results (${file})`); } return null; }
    passed += r.numPassedTests;
    failed += r.numFailedTests + (r.numRuntimeErrorTestSuites || 0);
    skipped += r.numPendingTests + r.numTodoTests;
    rows.push(...rowsOf(r, part));
    return r;
  };
  count(unitFile, 'unit', true);
  count(zedFile, 'zed', true);
  const epoxy = skippedEpoxy ? null : count(epoxyFile, 'epoxy', true);

  const byPart = (p) => rows.filter((r) => r.part === p);
  const unitSum = byPart('unit').reduce((s, r) => s + r.seconds, 0);
  const fileRows = rows.filter((r) => r.part !== 'unit').sort((a, b) => b.seconds - a.seconds);
  console.log('\n== timing: parts (seconds of wall time)');
  console.log(table(['part', 'seconds'], parts.map(([n, s]) => [n, s])));
  console.log('\n== timing: integration and e2e files (seconds each; files run side by side)');
  console.log(table(['file', 'release', 'seconds', 'tests'], fileRows.map((r) => [r.file.replace(/^test\//, ''), r.part, r.seconds.toFixed(1), r.tests])));
  console.log(`(unit: ${byPart('unit').length} files, ${unitSum.toFixed(1)} s summed over jest's workers)`);

  const doc = {
    measured: new Date().toISOString(),
    parts: Object.fromEntries(parts),
    files: Object.fromEntries(fileRows.filter((r) => r.part === 'zed').map((r) => [r.file, { seconds: r.seconds, tests: r.tests }])),
    epoxy: Object.fromEntries(fileRows.filter((r) => r.part === 'epoxy').map((r) => [r.file, { seconds: r.seconds, tests: r.tests }])),
    unit: { files: byPart('unit').length, seconds: Math.round(unitSum * 10) / 10 },
    tests: { passed, failed, skipped },
  };
  fs.mkdirSync(OUT, { recursive: true });
  fs.writeFileSync(path.join(OUT, 'test-timings.json'), JSON.stringify(doc, null, 2) + '\n');
  if (args.doc) {
    fs.writeFileSync(path.join(ROOT, 'docs', 'test-timings.json'), JSON.stringify(doc, null, 2) + '\n');
    const md = [
      '# Test timings',
      '',
      `The last measured \`npm test\` (${doc.measured}, written by \`node scripts/test-timings.js --doc\`): ${passed} passed, ${failed} failed. The sequencer (test/helper/sequencer.js) starts the slowest Zed files first from docs/test-timings.json.`,
      '',
      '## Parts',
      '',
      markdown(['part', 'seconds'], parts),
      '',
      '## Integration and e2e files',
      '',
      markdown(['file', 'release', 'seconds', 'tests'], fileRows.map((r) => [r.file.replace(/^test\//, ''), r.part, r.seconds.toFixed(1), r.tests])),
      '',
    ].join('\n');
    fs.writeFileSync(path.join(ROOT, 'docs', 'test-timings.md'), md);
  }

  console.log(`\nepoxy: ${skippedEpoxy || (epoxy ? `${epoxy.numPassedTests} passed, ${epoxy.numFailedTests} failed` : 'no results')}`);
  console.log(`tests: ${passed} passed, ${failed} failed` + (skipped ? `, ${skipped} skipped` : '') + (skippedEpoxy ? ' (Epoxy part skipped)' : ''));
  if (passed === 0 || failed > 0) process.exitCode = 1;
}

main();
