import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { reportCommand } from '../../../lib/cli/commands/report';
import { ManilaPlacementError } from '../../../lib/errors';
import { fixtureText } from './journals';

let dir: string;
let stderr: string;
const cwd = process.cwd();

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mp-report-'));
  stderr = '';
  jest.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => {
    stderr += String(s);
    return true;
  });
});

afterEach(() => {
  process.chdir(cwd);
  jest.restoreAllMocks();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function failure(p: Promise<unknown>): Promise<ManilaPlacementError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(ManilaPlacementError);
    return e as ManilaPlacementError;
  }
  throw new Error('expected a failure');
}

describe('reportCommand', () => {
  it('GIVEN no flags in a directory where apply ran WHEN reported THEN it reads the default journal and writes the default page', async () => {
    // GIVEN
    fs.mkdirSync(path.join(dir, '.manila-placement'));
    fs.writeFileSync(path.join(dir, '.manila-placement', 'journal.jsonl'), fixtureText());
    process.chdir(dir);
    // WHEN
    const code = await reportCommand({});
    // THEN
    const out = path.join(fs.realpathSync(dir), 'manila-placement-report.html');
    expect(code).toBe(0);
    expect(stderr).toBe(`Wrote ${out}: 2 moves, 1 run\n`);
    expect(fs.readFileSync(out, 'utf8')).toMatch(/^<!DOCTYPE html>[\s\S]*<\/html>\n$/);
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('GIVEN --journal and --out in a directory not there yet WHEN reported THEN the page is written there', async () => {
    // GIVEN
    const journal = path.join(dir, 'j.jsonl');
    fs.writeFileSync(journal, fixtureText());
    const out = path.join(dir, 'reports', 'r.html');
    // WHEN
    await reportCommand({ journal, out });
    // THEN
    expect(fs.readFileSync(out, 'utf8')).toContain('2 moves: 1 failed, 1 done');
    expect(stderr).toMatch(/^Wrote .*r\.html: 2 moves, 1 run\n$/);
  });

  it('GIVEN no journal WHEN reported THEN MP_JOURNAL_MISSING and nothing is written', async () => {
    // WHEN
    const e = await failure(reportCommand({ journal: path.join(dir, 'nope.jsonl'), out: path.join(dir, 'r.html') }));
    // THEN
    expect(e.code).toBe('MP_JOURNAL_MISSING');
    expect(e.message).toMatch(/nope\.jsonl does not exist/);
    expect(e.hint).toMatch(/--journal/);
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('GIVEN a directory as journal WHEN reported THEN MP_JOURNAL_UNREADABLE', async () => {
    const e = await failure(reportCommand({ journal: dir, out: path.join(dir, 'r.html') }));
    expect(e.code).toBe('MP_JOURNAL_UNREADABLE');
    expect(e.hint).toMatch(/not its directory/);
  });

  it.each([
    ['a line that is not JSON', (t: string) => t.replace(/\n/, '\nnot json\n'), 'MP_JOURNAL_NOT_JSON'],
    ['no run', () => '{"ts":"2026-12-01T10:00:00.000Z","pid":1,"type":"signal","signal":"SIGINT","count":1}\n', 'MP_JOURNAL_NO_RUN'],
  ])('GIVEN a journal with %s WHEN reported THEN its code, and an existing page is left as it was', async (_what, change, code) => {
    // GIVEN
    const journal = path.join(dir, 'j.jsonl');
    fs.writeFileSync(journal, change(fixtureText()));
    const out = path.join(dir, 'r.html');
    fs.writeFileSync(out, 'previous page');
    // WHEN
    const e = await failure(reportCommand({ journal, out }));
    // THEN
    expect(e.code).toBe(code);
    expect(fs.readFileSync(out, 'utf8')).toBe('previous page');
    expect(stderr).toBe('');
  });

  it('GIVEN --out naming the journal itself WHEN reported THEN MP_FLAG_CONFLICT and the journal is untouched', async () => {
    // GIVEN
    const journal = path.join(dir, 'j.jsonl');
    fs.writeFileSync(journal, fixtureText());
    fs.symlinkSync(journal, path.join(dir, 'link.html'));
    // WHEN
    const direct = await failure(reportCommand({ journal, out: journal }));
    const viaLink = await failure(reportCommand({ journal, out: path.join(dir, 'link.html') }));
    // THEN
    expect([direct.code, viaLink.code]).toEqual(['MP_FLAG_CONFLICT', 'MP_FLAG_CONFLICT']);
    expect(fs.readFileSync(journal, 'utf8')).toBe(fixtureText());
  });
});
