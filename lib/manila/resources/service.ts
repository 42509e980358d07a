import { z } from 'zod';

/** Services (`GET /services`), as ../types.ts describes the view. */

/** A `manila-share` (or other) service. */
export interface Service {
  readonly id: number;
  readonly binary: string;
  /** `name@backend` for manila-share. */
  readonly host: string;
  readonly zone: string;
  /** `enabled` or `disabled`. */
  readonly status: string;
  /** `up` or `down`. */
  readonly state: string;
  /** Why an admin disabled it (2.83+). */
  readonly disabledReason?: string;
  /** The backend is re-checking its shares after a restart (2.86+, Manila 2024.2). */
  readonly ensuring?: boolean;
}

const serviceSchema = z
  .object({
    id: z.number(),
    binary: z.string(),
    host: z.string(),
    zone: z.string().nullish(),
    status: z.string(),
    state: z.string(),
    disabled_reason: z.string().nullish(),
    ensuring: z.boolean().nullish(),
  })
  .loose();

const serviceView = serviceSchema.transform(
  (s): Service => ({
    id: s.id,
    binary: s.binary,
    host: s.host,
    zone: s.zone ?? '',
    status: s.status,
    state: s.state,
    disabledReason: s.disabled_reason ?? undefined,
    ensuring: s.ensuring ?? undefined,
  }),
);

/** Parses one service. */
export function parseService(raw: unknown): Service {
  return serviceView.parse(raw);
}
