import * as path from 'node:path';
import fc from 'fast-check';

/**
 * One seed for the property tests of a file, different on every run so that the properties see
 * new inputs: FC_SEED when set (to replay a failure), else a random one. It is printed with the
 * command that replays it, and fast-check's own failure report repeats it with the shrink path.
 */
export function useFcSeed(file: string): number {
  const raw = process.env.FC_SEED;
  let seed: number;
  if (raw !== undefined && raw.trim() !== '') {
    seed = Number(raw);
    if (!Number.isSafeInteger(seed)) throw new Error(`FC_SEED must be an integer (a seed fast-check printed), not ${JSON.stringify(raw)}`);
  } else {
    // fast-check's own default: a 32-bit integer from the clock and Math.random().
    seed = Date.now() ^ (Math.random() * 0x100000000);
  }
  fc.configureGlobal({ ...fc.readConfigureGlobal(), seed });
  const rel = path.relative(process.cwd(), file);
  console.log(`fast-check seed ${seed}${raw ? ' (from FC_SEED)' : ''}; replay with: FC_SEED=${seed} npx jest ${rel} --selectProjects unit`);
  return seed;
}
