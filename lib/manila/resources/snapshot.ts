import { z } from 'zod';

/** Share snapshots (`GET /snapshots/detail`), as ../types.ts describes the view. */

/** A share snapshot. */
export interface Snapshot {
  readonly id: string;
  readonly shareId: string;
  readonly status: string;
  readonly name?: string;
}

const snapshotView = z
  .object({ id: z.string(), share_id: z.string(), status: z.string(), name: z.string().nullish() })
  .loose()
  .transform((s): Snapshot => ({ id: s.id, shareId: s.share_id, status: s.status, name: s.name ?? undefined }));

/** Parses one snapshot. */
export function parseSnapshot(raw: unknown): Snapshot {
  return snapshotView.parse(raw);
}
