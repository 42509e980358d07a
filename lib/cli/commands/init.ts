import * as fs from 'node:fs';
import * as path from 'node:path';
import { EXIT } from '../../apply/result';
import { InputError } from '../../errors';
import { packageRoot, packageVersion } from '../../package-root';
import { initFiles } from '../init-files';

/** Options of `init`. */
export interface InitCommandOptions {
  /** How package.json names manila-placement. @default `^<this version>` */
  readonly packageSpec?: string;
}

/** `manila-placement init [dir]`: scaffolds a new placement app; refuses to overwrite any file. */
export async function initCommand(dirArg: string | undefined, o: InitCommandOptions): Promise<number> {
  const dir = path.resolve(dirArg ?? '.');
  const version = packageVersion();
  const name = path.basename(dir).toLowerCase().replace(/[^a-z0-9._-]/g, '-').replace(/^[._-]+/, '') || 'share-server-placement';
  const files = initFiles({ name, version, packageSpec: o.packageSpec ?? `^${version}`, packageRoot: packageRoot() });
  const existing = [...files.keys()].filter((f) => fs.existsSync(path.join(dir, f)));
  if (existing.length) {
    throw new InputError(
      'MP_INIT_EXISTS',
      `${dir} already has ${existing.join(', ')}: init never overwrites a file.`,
      'Run init in an empty (or new) directory, e.g. `manila-placement init my-placement`, or move those files away first.',
    );
  }
  for (const [rel, text] of files) {
    const file = path.join(dir, rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text, { flag: 'wx' });
  }
  process.stdout.write(
    `Created a placement app in ${dir}:\n${[...files.keys()].map((f) => `  ${f}`).join('\n')}\n\nNext:\n  cd ${path.relative(process.cwd(), dir) || '.'}\n  npm install\n  export OS_CLOUD=<your cloud>   # see clouds.yaml.example\n  npx manila-placement plan\n`,
  );
  return EXIT.OK;
}
