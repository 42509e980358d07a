import { z } from 'zod';

/** Scheduler pools (`GET /scheduler-stats/pools/detail`), as ../types.ts describes the view. */

/** A scheduler pool (`host@backend#pool`). */
export interface Pool {
  readonly name: string;
  /** `host@backend`. */
  readonly backendHost: string;
  readonly pool: string;
  readonly dhss?: boolean;
  readonly totalCapacityGb?: number;
  readonly freeCapacityGb?: number;
  readonly allocatedCapacityGb?: number;
  readonly shareBackendName?: string;
}

const capacity = z.union([z.number(), z.string()]).nullish();
const poolSchema = z
  .object({
    name: z.string(),
    host: z.string().nullish(),
    backend: z.string().nullish(),
    pool: z.string().nullish(),
    capabilities: z
      .object({
        driver_handles_share_servers: z.union([z.boolean(), z.string()]).nullish(),
        total_capacity_gb: capacity,
        free_capacity_gb: capacity,
        allocated_capacity_gb: capacity,
        share_backend_name: z.string().nullish(),
      })
      .loose()
      .nullish(),
  })
  .loose();

function num(v: number | string | null | undefined): number | undefined {
  if (v === null || v === undefined) return undefined;
  const n = typeof v === 'number' ? v : Number(v);
  return Number.isFinite(n) ? n : undefined; // 'unknown' and 'infinite' are not numbers
}

const poolView = poolSchema.transform((p): Pool => {
  const [backendHost, pool = p.pool ?? ''] = p.name.split('#');
  const dhss = p.capabilities?.driver_handles_share_servers;
  return {
    name: p.name,
    backendHost,
    pool,
    dhss: dhss === undefined || dhss === null ? undefined : dhss === true || String(dhss).toLowerCase() === 'true',
    totalCapacityGb: num(p.capabilities?.total_capacity_gb),
    freeCapacityGb: num(p.capabilities?.free_capacity_gb),
    allocatedCapacityGb: num(p.capabilities?.allocated_capacity_gb),
    shareBackendName: p.capabilities?.share_backend_name ?? undefined,
  };
});

/** Parses one pool from `scheduler-stats/pools/detail`. */
export function parsePool(raw: unknown): Pool {
  return poolView.parse(raw);
}
