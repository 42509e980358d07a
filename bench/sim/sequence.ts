import type { Dispatcher } from 'undici';
import { isShareQuiescent } from './share-sequence';

/**
 * Normalised sequences of what a client saw of one migration, the same whether the other side
 * is the real Manila (scripts/record-sequences.ts) or the simulator (test/unit/sim/
 * fidelity.test.ts). A dispatcher interceptor sees every exchange (method, path, status, JSON
 * body); ids become roles (S the source, D its destination, SHARE, NET), hosts become SRC and
 * DST, and what matters is kept: the states of S and D in the order they were seen, and the
 * answers to the migration actions. Timing and repeated identical observations are dropped.
 */

/** One exchange, normalised. */
export interface Exchange {
  /** `GET share-servers/S`, `POST share-servers/S/action migration_start`. */
  readonly request: string;
  readonly status: number;
  /** The fault name of an error answer (`badRequest`, `conflictingRequest`...). */
  readonly fault?: string;
}

/**
 * The states one server showed, in order (`status/task_state@HOST`, or `gone` after a 404 or
 * when a full list leaves it out). S and D are kept apart: each observation reads one server at
 * one instant, so a pair of them would mix instants.
 */
export type StateList = readonly string[];

/** Roles of the two servers a sequence follows. */
export type ServerRole = 'S' | 'D';

/** The answer to one migration action. */
export interface Answer {
  readonly action: string;
  readonly status: number;
  readonly fault?: string;
  /** migration_check: compatible, and what the destination supports. */
  readonly compatible?: boolean;
  readonly supported?: Readonly<Record<string, boolean | null>>;
  /** migration_complete: the destination's role. */
  readonly destination?: string;
}

/** A recorded (or simulated) scenario. */
export interface RecordedSequence {
  readonly scenario: string;
  /**
   * `share`: a share migration, whose S is the share with its instances and D its destination
   * instance (./share-sequence.ts). @default a share server migration
   */
  readonly resource?: 'share';
  /** Where it came from: the recorder against the real Manila, the simulator, or the reference transcripts. */
  readonly source: string;
  readonly recordedAt?: string;
  /** What SRC and DST stand for. */
  readonly hosts: { readonly SRC: string; readonly DST: string };
  /** The source's states as observed, consecutive duplicates collapsed. */
  readonly S: StateList;
  /** The destination's states as observed (once it points at S), consecutive duplicates collapsed. */
  readonly D: StateList;
  /** Answers to migration_check, _start, _complete, _cancel (get_progress left out: it is display-only and timing-dependent). */
  readonly answers: readonly Answer[];
  /** How the runner reported the move. */
  readonly outcome: { readonly phase: string; readonly code?: string };
  /** The last state seen of each, and the shares' status, host and server role. */
  readonly final: { readonly S: string; readonly D?: string; readonly shares?: string };
  /** Every exchange, normalised, consecutive duplicates collapsed (informational). */
  readonly exchanges: readonly Exchange[];
}

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;
const ASSERTED_ACTIONS = new Set(['migration_check', 'migration_start', 'migration_complete', 'migration_cancel']);

/** A share server as JSON shows it (the fields that matter). */
interface RawServer {
  readonly id: string;
  readonly status: string;
  readonly task_state?: string | null;
  readonly host?: string;
  readonly source_share_server_id?: string | null;
}

/** Records and normalises exchanges about one migration. */
export class SequenceRecorder {
  private readonly roles = new Map<string, string>();
  private readonly exchanges: Exchange[] = [];
  private readonly states: Record<ServerRole, string[]> = { S: [], D: [] };
  private readonly answers: Answer[] = [];
  private shares?: string;
  private shareIds = new Set<string>();

  /**
   * @param sourceId the migrating server (S)
   * @param hosts its host (SRC) and the target (DST)
   */
  constructor(
    private readonly sourceId: string,
    private readonly hosts: { readonly SRC: string; readonly DST: string },
    ids: { readonly shares?: readonly string[]; readonly network?: string } = {}
  ) {
    this.roles.set(sourceId, 'S');
    (ids.shares ?? []).forEach((id, i) => {
      this.roles.set(id, i === 0 ? 'SHARE' : `SHARE${i + 1}`);
      this.shareIds.add(id);
    });
    if (ids.network) this.roles.set(ids.network, 'NET');
  }

  /** An undici interceptor (for `dispatcher.compose(...)`) that feeds this recorder. */
  public readonly interceptor = (dispatch: Dispatcher['dispatch']): Dispatcher['dispatch'] => {
    return (opts, handler) => {
      const chunks: Buffer[] = [];
      let status = 0;
      const h = handler as Dispatcher.DispatchHandler;
      const tap: Dispatcher.DispatchHandler = {
        onRequestStart: (c, ctx) => h.onRequestStart?.(c, ctx),
        onResponseStart: (c, code, headers, msg) => {
          status = code;
          return h.onResponseStart?.(c, code, headers, msg);
        },
        onResponseData: (c, chunk) => {
          chunks.push(Buffer.from(chunk));
          return h.onResponseData?.(c, chunk);
        },
        onResponseEnd: (c, trailers) => {
          try {
            this.observe(
              String(opts.method),
              String(opts.path),
              typeof opts.body === 'string' ? opts.body : undefined,
              status,
              Buffer.concat(chunks).toString('utf8')
            );
          } catch {
            // A recorder never breaks the client.
          }
          return h.onResponseEnd?.(c, trailers);
        },
        onResponseError: (c, err) => h.onResponseError?.(c, err),
      };
      return dispatch(opts, tap);
    };
  };

  private role(id: string): string {
    return this.roles.get(id) ?? '{id}';
  }

  private host(h: string | undefined): string {
    if (!h) return '?';
    return h === this.hosts.SRC ? 'SRC' : h === this.hosts.DST ? 'DST' : h;
  }

  private stateOf(s: RawServer): string {
    return `${s.status}/${s.task_state ?? 'null'}@${this.host(s.host)}`;
  }

  /** Learns roles from a share server record: a server pointing at S is its destination. */
  private learn(s: RawServer): void {
    if (s.source_share_server_id === this.sourceId && !this.roles.has(s.id)) {
      const n = [...this.roles.values()].filter((r) => r === 'D' || /^D\d+$/.test(r)).length;
      this.roles.set(s.id, n === 0 ? 'D' : `D${n + 1}`);
    }
  }

  private seen(role: ServerRole, state: string): void {
    const list = this.states[role];
    if (list[list.length - 1] !== state) list.push(state);
  }

  /** Feeds one exchange (the interceptor calls this; tests may too). */
  public observe(method: string, pathAndQuery: string, requestBody: string | undefined, status: number, responseText: string): void {
    let body: unknown;
    try {
      body = responseText ? JSON.parse(responseText) : undefined;
    } catch {
      body = undefined;
    }
    const [path, query = ''] = pathAndQuery.split('?');
    const rel = path.replace(/^\/v2(\/[0-9a-f]{32})?(?=\/)/, '').replace(/^\//, '');
    // Roles first from what the answer says, so a destination named for the first time gets its role.
    const servers: RawServer[] = [];
    const b = body as { share_server?: RawServer; share_servers?: RawServer[]; destination_share_server_id?: string } | undefined;
    if (b?.share_server) servers.push(b.share_server);
    if (Array.isArray(b?.share_servers)) servers.push(...b.share_servers);
    for (const s of servers) this.learn(s);
    let action: string | undefined;
    if (method === 'POST' && rel.endsWith('/action') && requestBody) {
      try {
        action = Object.keys(JSON.parse(requestBody) as object)[0];
      } catch {
        action = '?';
      }
    }
    if (action === 'migration_complete' && typeof b?.destination_share_server_id === 'string' && !this.roles.has(b.destination_share_server_id))
      this.roles.set(b.destination_share_server_id, 'D');
    const fault = status >= 400 && body && typeof body === 'object' ? Object.keys(body as object)[0] : undefined;
    const q = query
      .split('&')
      .filter((kv) => kv && !/^(limit|offset)=/.test(kv))
      .map((kv) => kv.replace(UUID, (id) => this.role(id)))
      .join('&');
    const request = `${method} ${rel.replace(UUID, (id) => this.role(id))}${q ? `?${q}` : ''}${action ? ` ${action}` : ''}`;
    const ex: Exchange = fault ? { request, status, fault } : { request, status };
    const lastEx = this.exchanges[this.exchanges.length - 1];
    if (!lastEx || lastEx.request !== ex.request || lastEx.status !== ex.status || lastEx.fault !== ex.fault) this.exchanges.push(ex);

    // States of S and D.
    const showOf = /^share-servers\/([0-9a-f-]{36})$/.exec(rel);
    if (method === 'GET' && showOf) {
      const r = this.role(showOf[1]);
      if (r === 'S' || r === 'D') {
        if (status === 404) this.seen(r, 'gone');
        if (status === 200 && b?.share_server) this.seen(r, this.stateOf(b.share_server));
      }
    } else if (method === 'GET' && rel === 'share-servers' && status === 200 && Array.isArray(b?.share_servers)) {
      const whole = query === '';
      const src = b.share_servers.find((s) => s.id === this.sourceId);
      if (src) this.seen('S', this.stateOf(src));
      else if (whole && this.states.S.length) this.seen('S', 'gone');
      const dest = b.share_servers.find((s) => this.roles.get(s.id) === 'D');
      if (dest) this.seen('D', this.stateOf(dest));
      else if (whole && this.states.D.length) this.seen('D', 'gone');
    }
    // Shares of the move: where they are and their status.
    if (method === 'GET' && rel === 'shares/detail' && status === 200) {
      const list = (body as { shares?: Array<{ id: string; status: string; share_server_id?: string; host?: string }> } | undefined)?.shares ?? [];
      const mine = list.filter((x) => this.shareIds.has(x.id));
      if (mine.length) this.shares = mine.map((x) => `${x.status}@${this.host(x.host?.split('#')[0])} on ${this.role(x.share_server_id ?? '')}`).join(', ');
    }
    if (action && ASSERTED_ACTIONS.has(action)) {
      const a: { -readonly [K in keyof Answer]: Answer[K] } = { action, status };
      if (fault) a.fault = fault;
      if (action === 'migration_check' && status === 200) {
        const c = body as { compatible?: boolean; supported_capabilities?: Record<string, unknown> };
        a.compatible = c.compatible;
        const sup = c.supported_capabilities ?? {};
        a.supported = Object.fromEntries(
          ['writable', 'nondisruptive', 'preserve_snapshots', 'migration_cancel', 'migration_get_progress'].map((k) => [
            k,
            typeof sup[k] === 'boolean' ? (sup[k] as boolean) : null,
          ])
        );
      }
      if (action === 'migration_complete' && status === 200 && typeof b?.destination_share_server_id === 'string')
        a.destination = this.role(b.destination_share_server_id);
      this.answers.push(a);
    }
  }

  /** The sequence so far. */
  public result(scenario: string, source: string, outcome: { phase: string; code?: string }): RecordedSequence {
    const lastS = this.states.S[this.states.S.length - 1] ?? '?';
    const lastD = this.states.D[this.states.D.length - 1];
    return {
      scenario,
      source,
      hosts: this.hosts,
      S: [...this.states.S],
      D: [...this.states.D],
      answers: [...this.answers],
      outcome: outcome.code ? { phase: outcome.phase, code: outcome.code } : { phase: outcome.phase },
      final: { S: lastS, ...(lastD ? { D: lastD } : {}), ...(this.shares ? { shares: this.shares } : {}) },
      exchanges: [...this.exchanges],
    };
  }
}

/**
 * States that last until a periodic task or an API call moves them on (the source at rest,
 * phase 1 running, the ends). Any sampler at a second or finer sees each of them; the states
 * in between last a second or two on the test bed and may be missed. A destination at
 * `phase1_done` is left out: with auto completion it lasts only until the runner's next read.
 */
export function isQuiescent(role: ServerRole, state: string, resource?: 'share'): boolean {
  if (resource === 'share') return isShareQuiescent(role, state);
  if (state === 'gone') return true;
  const [status, task] = state.split('@')[0].split('/');
  if (role === 'S')
    return status === 'active' || (status === 'server_migrating' && (task === 'migration_driver_in_progress' || task === 'migration_driver_phase1_done'));
  return (
    (status === 'server_migrating_to' && task === 'migration_driver_in_progress') ||
    (status === 'active' && task === 'migration_success') ||
    (status === 'inactive' && task === 'migration_cancelled') ||
    (status === 'error' && task === 'migration_error')
  );
}

/** Only the quiescent states, consecutive duplicates collapsed. */
export function quiescent(role: ServerRole, states: StateList, resource?: 'share'): string[] {
  const out: string[] = [];
  for (const p of states) if (isQuiescent(role, p, resource) && out[out.length - 1] !== p) out.push(p);
  return out;
}

/** Whether `sub` appears in `seq` in order (not necessarily adjacent). */
export function isSubsequence(sub: StateList, seq: StateList): boolean {
  let i = 0;
  for (const p of seq) if (i < sub.length && sub[i] === p) i++;
  return i === sub.length;
}
