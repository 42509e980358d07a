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
}

const shareTypeView = z
  .object({ id: z.string(), name: z.string().nullish(), extra_specs: z.record(z.string(), z.unknown()).nullish() })
  .loose()
  .transform((t): ShareType => {
    const azs = t.extra_specs?.availability_zones;
    return { id: t.id, name: t.name ?? undefined, availabilityZones: typeof azs === 'string' && azs !== '' ? azs : undefined };
  });

/** Parses one share type (`GET /types`). */
export function parseShareType(raw: unknown): ShareType {
  return shareTypeView.parse(raw);
}
