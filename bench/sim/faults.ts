/**
 * Manila's error answers, as typed errors the simulated API throws and the router turns into
 * `{"<faultName>": {"code", "message"}}` (the shape of Manila's fault middleware), or
 * Keystone's `{"error": {...}}` for 401.
 */

/** Manila's fault name for each status (`manila/api/openstack/wsgi.py`); anything else is computeFault. */
const FAULT_NAMES: Readonly<Record<number, string>> = {
  400: 'badRequest',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'itemNotFound',
  405: 'badMethod',
  409: 'conflictingRequest',
  413: 'overLimit',
  415: 'badMediaType',
  501: 'notImplemented',
  503: 'serviceUnavailable',
};

/** An error answer of the simulated Manila. */
export class SimFault extends Error {
  /** e.g. `conflictingRequest`. */
  public readonly fault: string;
  constructor(public readonly status: number, message: string) {
    super(message);
    this.name = 'SimFault';
    this.fault = FAULT_NAMES[status] ?? 'computeFault';
  }

  /** The JSON body Manila sends. */
  public body(): string {
    return JSON.stringify({ [this.fault]: { code: this.status, message: this.message } });
  }
}

/** Keystone's (and keystonemiddleware's) 401. */
export class SimUnauthorized extends Error {
  public readonly status = 401;
  constructor(message = 'The request you have made requires authentication.') {
    super(message);
    this.name = 'SimUnauthorized';
  }

  /** The JSON body Keystone sends. */
  public body(): string {
    return JSON.stringify({ error: { code: 401, title: 'Unauthorized', message: this.message } });
  }
}

/** 400. */
export const badRequest = (m: string): SimFault => new SimFault(400, m);
/** 403 as Manila's policy check answers it. */
export const forbidden = (): SimFault => new SimFault(403, 'Access was denied to this resource.');
/** 404. */
export const notFound = (m: string): SimFault => new SimFault(404, m);
/** webob's bare 404 (unknown route, missing experimental header, microversion below the action's). */
export const routeNotFound = (): SimFault => new SimFault(404, 'The resource could not be found.');
/** 409. */
export const conflict = (m: string): SimFault => new SimFault(409, m);
/** A 500 from an unexpected exception: webob's generic text. */
export const internalError = (): SimFault => new SimFault(500, 'The server has either erred or is incapable of performing the requested operation.');
/** `InvalidShareServer`: the prefix every such message gets. */
export const invalidServer = (status: 400 | 409, reason: string): SimFault => new SimFault(status, `Invalid share server: ${reason}`);
/** `InvalidShare` (400): its prefix, and the `.` it adds after the reason's own (hence Manila's `..`). */
export const invalidShare = (reason: string): SimFault => new SimFault(400, `Invalid share: ${reason}.`);
