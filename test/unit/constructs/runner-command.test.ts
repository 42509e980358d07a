import * as fs from 'node:fs';
import * as path from 'node:path';
import { appDirFromStack, defaultRunnerCommand, findPackageRoot } from '../../../lib/constructs/runner-command';
import { tempDir } from './helpers';

const REPO = path.resolve(__dirname, '..', '..', '..');

describe('runner command', () => {
  it('GIVEN the TypeScript sources WHEN resolving THEN the package root holds bin/manila-placement', () => {
    expect(findPackageRoot(path.join(REPO, 'lib', 'constructs'))).toBe(REPO);
    expect(defaultRunnerCommand(path.join(REPO, 'lib', 'constructs'), REPO)).toBe('node "bin/manila-placement"');
    expect(defaultRunnerCommand(path.join(REPO, 'lib', 'constructs'), path.join(REPO, 'examples', 'move-one'))).toBe('node "../../bin/manila-placement"');
  });

  it('GIVEN the compiled layout dist/lib/constructs inside an installed package WHEN resolving THEN its own root is found', () => {
    // GIVEN node_modules/manila-placement inside a project that has its own package.json
    const project = tempDir();
    fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'my-infra' }));
    const pkg = path.join(project, 'node_modules', 'manila-placement');
    fs.mkdirSync(path.join(pkg, 'dist', 'lib', 'constructs'), { recursive: true });
    fs.writeFileSync(path.join(pkg, 'package.json'), JSON.stringify({ name: 'manila-placement' }));
    // WHEN / THEN
    expect(findPackageRoot(path.join(pkg, 'dist', 'lib', 'constructs'))).toBe(pkg);
    expect(defaultRunnerCommand(path.join(pkg, 'dist', 'lib', 'constructs'), project)).toBe('node "node_modules/manila-placement/bin/manila-placement"');
  });

  it('GIVEN no manila-placement package.json above WHEN resolving THEN the command falls back to PATH', () => {
    const dir = tempDir();
    expect(findPackageRoot(dir)).toBeUndefined();
    expect(defaultRunnerCommand(dir)).toBe('manila-placement');
  });

  it('GIVEN an app WHEN locating it from a stack\'s output directory THEN the path follows cdktf.json\'s output', () => {
    const app = tempDir();
    expect(appDirFromStack('placement', app)).toBe('../../..');
    fs.writeFileSync(path.join(app, 'cdktf.json'), JSON.stringify({ app: 'x', output: 'build/tf' }));
    expect(appDirFromStack('placement', app)).toBe('../../../..');
  });
});
