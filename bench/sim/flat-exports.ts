import type { SimExportLocation } from './model';

/**
 * The export locations Manila's dummy driver gives a share on a backend that does not handle
 * share servers (`_generate_export_locations`, docs/share-migration.md §5): three fixed IPs and a
 * path made of the share's and the instance's ids. A share migration keeps the IPs and changes
 * the path (a new instance id), as the real recording shows.
 */
export function flatExportLocations(newId: () => string, shareId: string, instanceId: string): SimExportLocation[] {
  const mp = `/path/to/fake/share/share_${shareId.replace(/-/g, '_')}_${instanceId.replace(/-/g, '_')}`;
  return [
    { id: newId(), path: `11.0.0.11:${mp}`, preferred: false, isAdminOnly: true },
    { id: newId(), path: `10.0.0.10:${mp}`, preferred: true, isAdminOnly: false },
    { id: newId(), path: `10.0.0.20:${mp}`, preferred: false, isAdminOnly: false },
  ];
}
