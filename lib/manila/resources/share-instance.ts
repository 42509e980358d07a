import { z } from 'zod';

/** Instances of a share (`GET /shares/{id}/instances`), as ../types.ts describes the view. */

/** A share instance (admin: `GET /shares/{id}/instances`). */
export interface ShareInstance {
  readonly id: string;
  /** The share it is an instance of (`GET /share_instances` lists every share's). */
  readonly shareId?: string;
  readonly status: string;
  /** `host@backend#pool`. */
  readonly host?: string;
  readonly shareServerId?: string;
  readonly updatedAt?: string;
  /** 2.30+: Manila applies every access rule of the instance read-only (e.g. during a migration's phase 1). */
  readonly castRulesToReadonly?: boolean;
}

const shareInstanceView = z
  .object({
    id: z.string(),
    share_id: z.string().nullish(),
    status: z.string(),
    host: z.string().nullish(),
    share_server_id: z.string().nullish(),
    cast_rules_to_readonly: z.boolean().nullish(),
    updated_at: z.string().nullish(),
  })
  .loose()
  .transform(
    (i): ShareInstance => ({
      id: i.id,
      shareId: i.share_id ?? undefined,
      status: i.status,
      host: i.host ?? undefined,
      shareServerId: i.share_server_id ?? undefined,
      updatedAt: i.updated_at ?? undefined,
      castRulesToReadonly: i.cast_rules_to_readonly ?? undefined,
    }),
  );

/** Parses one share instance. */
export function parseShareInstance(raw: unknown): ShareInstance {
  return shareInstanceView.parse(raw);
}
