import { InputError } from '../errors';

/** Parses a positive number of seconds from a flag into ms. */
export function secondsFlag(value: string | undefined, flag: string, fallbackMs?: number): number | undefined {
  if (value === undefined) return fallbackMs;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) {
    throw new InputError('MP_FLAG_INVALID', `${flag} must be a positive number of seconds, got '${value}'.`, `Example: ${flag} 30`);
  }
  return Math.round(n * 1000);
}

/** Parses a positive integer flag. */
export function intFlag(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) {
    throw new InputError('MP_FLAG_INVALID', `${flag} must be a whole number of at least 1, got '${value}'.`, `Example: ${flag} 2`);
  }
  return n;
}

/** Parses a positive rate (requests per second) flag. */
export function rateFlag(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) {
    throw new InputError('MP_FLAG_INVALID', `${flag} must be a positive number of requests per second, got '${value}'.`, `Example: ${flag} 2`);
  }
  return n;
}
