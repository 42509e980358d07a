import { z } from 'zod';

/** Access rules of a share (`GET /share-access-rules`), as ../types.ts describes the view. */

/** An access rule. */
export interface AccessRule {
  readonly id: string;
  readonly accessType: string;
  readonly accessTo: string;
  readonly accessLevel: string;
  readonly state: string;
}

const accessRuleView = z
  .object({ id: z.string(), access_type: z.string(), access_to: z.string(), access_level: z.string(), state: z.string() })
  .loose()
  .transform((r): AccessRule => ({ id: r.id, accessType: r.access_type, accessTo: r.access_to, accessLevel: r.access_level, state: r.state }));

/** Parses one access rule. */
export function parseAccessRule(raw: unknown): AccessRule {
  return accessRuleView.parse(raw);
}
