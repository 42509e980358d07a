import * as fs from 'fs';
import os from 'os';
import * as path from 'path';

// cdktf's Testing.app() makes a temporary outdir on every call and never removes it (a run of
// the unit suite left ~500 in /tmp). Each unit test file gets its own temporary directory,
// removed after it. os.tmpdir() is replaced, not TMPDIR: jest gives the test a copy of the
// environment, which Node's os module does not read.
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mp-unit-'));
const tmpdir = jest.spyOn(os, 'tmpdir').mockReturnValue(dir);

afterAll(() => {
  tmpdir.mockRestore();
  fs.rmSync(dir, { recursive: true, force: true });
});
