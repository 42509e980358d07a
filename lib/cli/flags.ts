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

const UNIT_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000 };

/** Parses a duration flag (`90s`, `5m`, `1h30m`, or plain seconds) into ms. */
export function durationFlag(value: string | undefined, flag: string, fallbackMs?: number): number | undefined {
  if (value === undefined) return fallbackMs;
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return secondsFlag(v, flag);
  const parts = [...v.matchAll(/(\d+(?:\.\d+)?)([hms])/g)];
  const ms = parts.reduce((sum, p) => sum + Number(p[1]) * UNIT_MS[p[2]], 0);
  if (!parts.length || parts.map((p) => p[0]).join('') !== v || ms <= 0) {
    throw new InputError('MP_FLAG_INVALID', `${flag} must be a positive duration such as 90s, 5m or 1h30m, got '${value}'.`, `Example: ${flag} 60m`);
  }
  return Math.round(ms);
}
