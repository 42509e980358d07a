import { badRequest, SimFault } from './faults';
import type { SimStore } from './model';

/**
 * What the simulated API's two migration paths share (share servers: ./migration-api.ts; shares:
 * ./share-migration-api.ts), as Manila's share/api.py and its helpers write it once for both.
 */

/** The answer to one action. */
export interface ActionAnswer {
  readonly status: number;
  readonly body?: unknown;
}

/** oslo's strict boolean: JSON booleans, 0/1, and the usual strings in any case. */
export function strictBool(key: string, v: unknown): boolean {
  if (typeof v === 'boolean') return v;
  const s = typeof v === 'number' ? String(v) : typeof v === 'string' ? v.trim().toLowerCase() : undefined;
  if (s !== undefined && ['1', 't', 'true', 'on', 'y', 'yes'].includes(s)) return true;
  if (s !== undefined && ['0', 'f', 'false', 'off', 'n', 'no'].includes(s)) return false;
  throw badRequest(`Invalid value ${v === null ? 'None' : String(v)} for ${key}. Expecting a boolean.`);
}

/** `utils.validate_service_host`: an enabled manila-share service that is up. */
export function validateServiceHost(store: SimStore, host: string): { zone: string } {
  const svc = store.shareService(host);
  if (!svc || svc.status !== 'enabled') throw new SimFault(404, `ServiceNotFound: Service ${host} could not be found.`);
  if (svc.state !== 'up') throw badRequest(`Service ${host} is down.`);
  return { zone: svc.zone };
}

/** `_migration_get_progress_state`: 0 or 100 from the task state, or nothing (the driver must be asked). */
export function progressOfState(ts: string | null): { total_progress: number } | undefined {
  if (ts === null) return undefined;
  if (
    [
      'migration_success',
      'migration_cancelled',
      'migration_cancel_in_progress',
      'migration_completing',
      'migration_driver_phase1_done',
      'migration_error',
    ].includes(ts)
  )
    return { total_progress: 100 };
  if (['migration_starting', 'migration_driver_starting', 'migration_in_progress'].includes(ts)) return { total_progress: 0 };
  return undefined;
}

/** `_migration_validate_error_message`, for a share server (`share_server`) or a share. */
export function migrationErrorMessage(noun: 'share_server' | 'share', id: string, taskState: string | null): string | undefined {
  switch (taskState) {
    case 'migration_success':
      return `Migration of ${noun} ${id} has already completed.`;
    case null:
    case 'migration_error':
      return `There is no migration being performed for ${noun} ${id} at this moment.`;
    case 'migration_cancelled':
      return `Migration of ${noun} ${id} was already cancelled.`;
    case 'migration_driver_phase1_done':
      return `Migration of ${noun} ${id} has already completed first phase.`;
    default:
      return undefined;
  }
}
