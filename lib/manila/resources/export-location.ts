import { z } from 'zod';

/** Export locations of a share (`GET /shares/{id}/export_locations`), as ../types.ts describes the view. */

/** Where clients mount a share (`GET /shares/{id}/export_locations`, 2.9+). */
export interface ExportLocation {
  readonly id: string;
  readonly path: string;
  /** 2.14+; `undefined` before. */
  readonly preferred?: boolean;
  /** Admin-only locations (the admin network), 2.9+ for admins. */
  readonly isAdminOnly?: boolean;
}

const exportLocationView = z
  .object({ id: z.string(), path: z.string(), preferred: z.boolean().nullish(), is_admin_only: z.boolean().nullish() })
  .loose()
  .transform((e): ExportLocation => ({ id: e.id, path: e.path, preferred: e.preferred ?? undefined, isAdminOnly: e.is_admin_only ?? undefined }));

/** Parses one export location. */
export function parseExportLocation(raw: unknown): ExportLocation {
  return exportLocationView.parse(raw);
}
