import { z } from 'zod';

/** Share types (`GET /types`), as ../types.ts describes the view. */

/** A share type, with the one extra spec planning needs. */
export interface ShareType {
  readonly id: string;
  readonly name?: string;
  /**
   * The `availability_zones` extra spec as Manila stores it (comma-separated zone names), or
   * undefined when the type has none (any zone).
   */
  readonly availabilityZones?: string;
  /** The `driver_handles_share_servers` extra spec; undefined when it cannot be read as a boolean. */
  readonly dhss?: boolean;
  /** `provisioning:min_share_size` and `provisioning:max_share_size`, GiB, when set. */
  readonly minSizeGb?: number;
  readonly maxSizeGb?: number;
}

/** An extra spec read as Manila's strutils.bool_from_string does (true/false, yes/no, 1/0, on/off). */
function boolSpec(v: unknown): boolean | undefined {
  if (typeof v === 'boolean') return v;
  if (typeof v !== 'string') return undefined;
  const t = v.trim().toLowerCase();
  if (['true', 't', 'yes', 'y', 'on', '1'].includes(t)) return true;
  if (['false', 'f', 'no', 'n', 'off', '0'].includes(t)) return false;
  return undefined;
}

/** A size extra spec, GiB, when it is a whole number. */
function sizeSpec(v: unknown): number | undefined {
  const n = typeof v === 'string' && /^\d+$/.test(v.trim()) ? Number(v) : typeof v === 'number' ? v : NaN;
  return Number.isInteger(n) ? n : undefined;
}

const shareTypeView = z
  .object({ id: z.string(), name: z.string().nullish(), extra_specs: z.record(z.string(), z.unknown()).nullish() })
  .loose()
  .transform((t): ShareType => {
    const spec = t.extra_specs ?? {};
    const azs = spec.availability_zones;
    const dhss = boolSpec(spec.driver_handles_share_servers);
    const min = sizeSpec(spec['provisioning:min_share_size']);
    const max = sizeSpec(spec['provisioning:max_share_size']);
    return {
      id: t.id,
      name: t.name ?? undefined,
      availabilityZones: typeof azs === 'string' && azs !== '' ? azs : undefined,
      ...(dhss !== undefined ? { dhss } : {}),
      ...(min !== undefined ? { minSizeGb: min } : {}),
      ...(max !== undefined ? { maxSizeGb: max } : {}),
    };
  });

/** Parses one share type (`GET /types`). */
export function parseShareType(raw: unknown): ShareType {
  return shareTypeView.parse(raw);
}
