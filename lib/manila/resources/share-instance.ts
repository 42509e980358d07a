import { z } from 'zod';

/** Instances of a share (`GET /shares/{id}/instances`), as ../types.ts describes the view. */

/** A share instance (admin: `GET /shares/{id}/instances`). */
export interface ShareInstance {
  readonly id: string;
  readonly status: string;
  readonly shareServerId?: string;
  /** 2.30+: Manila applies every access rule of the instance read-only (e.g. during a migration's phase 1). */
  readonly castRulesToReadonly?: boolean;
}

const shareInstanceView = z
  .object({ id: z.string(), status: z.string(), share_server_id: z.string().nullish(), cast_rules_to_readonly: z.boolean().nullish() })
  .loose()
  .transform(
    (i): ShareInstance => ({
      id: i.id,
      status: i.status,
      shareServerId: i.share_server_id ?? undefined,
      castRulesToReadonly: i.cast_rules_to_readonly ?? undefined,
    }),
  );

/** Parses one share instance. */
export function parseShareInstance(raw: unknown): ShareInstance {
  return shareInstanceView.parse(raw);
}
