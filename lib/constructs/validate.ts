import type { InputError } from '../errors';
import { hostProblem } from '../plan/host';
import { badHost, emptyValue } from './errors';

/**
 * Checks of props that several constructs share: a backend host, a list of hosts, a positive
 * integer. Each prop keeps its own error code and wording, so the caller passes the error
 * factories (from errors.ts) and these functions only decide when to throw.
 */

/** Throws unless `host` is `name@backend` without a pool. */
export function checkHost(path: string, prop: string, host: unknown): string {
  if (typeof host !== 'string' || host.length === 0) throw emptyValue(path, prop);
  if (hostProblem(host)) throw badHost(path, prop, host);
  return host;
}

/** How one host-list prop reports its problems. */
export interface HostListErrors {
  /** The value is not a list (or is an empty one, unless `emptyAllowed`). */
  readonly notAList: (value: unknown) => InputError;
  /**
   * An empty list is valid (drain, exclude: nothing to treat).
   * @default false
   */
  readonly emptyAllowed?: boolean;
  /**
   * A host the list may not hold (the host an evacuation empties), and the error when it does.
   * Checked after every host's format and before repeats.
   * @default - any host may be listed
   */
  readonly forbidden?: { readonly host: string; readonly error: () => InputError };
  /** The list names `host` more than once. */
  readonly repeated: (host: string) => InputError;
}

/** A list of distinct `hostname@backend` hosts; a bad item is reported as `<prop>[<index>]`. */
export function hostList(path: string, prop: string, value: unknown, errors: HostListErrors): string[] {
  if (!Array.isArray(value) || (value.length === 0 && errors.emptyAllowed !== true)) throw errors.notAList(value);
  const hosts = value.map((h: unknown, i) => checkHost(path, `${prop}[${i}]`, h));
  if (errors.forbidden !== undefined && hosts.includes(errors.forbidden.host)) throw errors.forbidden.error();
  const repeated = hosts.find((h, i) => hosts.indexOf(h) !== i);
  if (repeated !== undefined) throw errors.repeated(repeated);
  return hosts;
}

/**
 * An optional whole number of at least 1 (caps and limits). Checked at run time because
 * JavaScript apps and `cdktf.json` context can pass anything.
 */
export function positiveInteger(value: unknown, error: (value: unknown) => InputError): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'number' && Number.isInteger(value) && value > 0) return value;
  throw error(value);
}
