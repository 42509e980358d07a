import type { CloudSnapshot } from '../snapshot/model';
import type { Declaration, RebalanceDeclaration } from './types';
import { createContext, type PlanContext } from './plan-context';
import { compareStrings } from '../util/compare';
import { declarationSlug } from './key';
import { selectShares } from './share-moves';
import { resolveSelector, serversOnHost } from './select';
import { resolveRebalanceScope } from './rebalance-scope';
import { backendHostOf } from '../manila/resource';

/**
 * Rules between declarations: a share server has one declared place, and no declaration sends
 * servers to a host that another one empties. Checked against a snapshot because selectors
 * (share networks, shares, hosts) only name servers once resolved.
 *
 * A rebalance owns its hosts (candidates and drained hosts, less the excluded ones): every
 * server on them is selected by it, and no other declaration may take servers from or send
 * servers to them. So a placement of a server on a rebalanced host, a second rebalance or an
 * evacuation of one of its hosts is an overlap (MP_DECLARATION_OVERLAP); a placement or an
 * evacuation that sends servers onto one of its hosts is a conflict (MP_DECLARATION_CONFLICT).
 * To empty a host within a rebalance, list it in the rebalance's `drain`; to keep some servers
 * in place, `exclude` their host.
 */

/** A contradiction between declarations. */
export interface DeclarationProblem {
  /** `MP_DECLARATION_OVERLAP`, `MP_DECLARATION_CONFLICT`, `MP_DECLARATION_DUPLICATE` or `MP_DECLARATION_KEY_CLASH`. */
  readonly code: string;
  /** What happened, why, and how to fix it; names every declaration path involved. */
  readonly message: string;
  /** Declaration paths involved, in declaration order. */
  readonly paths: readonly string[];
}

function selected(d: Declaration, ctx: PlanContext): string[] {
  if (d.kind === 'rebalance') {
    const { hosts } = resolveRebalanceScope(d, ctx);
    const flat = [...hosts].flatMap((h) => (ctx.flatSharesByHost.get(h) ?? []).map((sh) => `share:${sh.id}`));
    return [...ctx.lineages.filter((l) => hosts.has(l.current.host)).map((l) => l.rootId), ...flat];
  }
  // Shares that move by themselves are owned as `share:<id>`, so that two declarations cannot both place one.
  if (d.kind === 'placement' && d.resource === 'share') return selectShares(d, ctx).shares.map((sh) => `share:${sh.id}`);
  const servers = d.kind === 'placement' ? resolveSelector(d.select, ctx).servers : serversOnHost(d.sourceHost, ctx);
  const flat = d.kind === 'evacuation' ? (ctx.flatSharesByHost.get(d.sourceHost) ?? []).map((sh) => `share:${sh.id}`) : [];
  return [...servers.map((s) => s.lineage.rootId), ...flat];
}

const lineageIndex = new WeakMap<PlanContext, ReadonlyMap<string, PlanContext['lineages'][number]>>();

function describeServer(rootId: string, ctx: PlanContext): string {
  if (rootId.startsWith('share:')) return `share ${rootId.slice('share:'.length)} (it moves by itself: no share server holds it)`;
  let byRoot = lineageIndex.get(ctx);
  if (!byRoot) {
    byRoot = new Map(ctx.lineages.map((x) => [x.rootId, x] as const));
    lineageIndex.set(ctx, byRoot);
  }
  const l = byRoot.get(rootId);
  const net = l?.current.shareNetworkName ?? l?.current.shareNetworkId;
  return `${l?.current.id ?? rootId}${net ? ` (share network ${net})` : ''}`;
}

/** Contradictions between declarations, resolved against an indexed snapshot. */
export function problemsIn(decls: readonly Declaration[], ctx: PlanContext): DeclarationProblem[] {
  const out: DeclarationProblem[] = [];
  const bySlug = new Map<string, string>();
  for (const d of decls) {
    const slug = declarationSlug(d.path);
    const other = bySlug.get(slug);
    if (other === d.path) {
      out.push({ code: 'MP_DECLARATION_DUPLICATE', paths: [d.path], message: `two declarations have the path "${d.path}"; give each a unique construct id` });
    } else if (other !== undefined) {
      out.push({
        code: 'MP_DECLARATION_KEY_CLASH',
        paths: [other, d.path],
        message: `declarations "${other}" and "${d.path}" give the same plan key "${slug}"; rename one of them (construct ids differing only in punctuation clash)`,
      });
    } else bySlug.set(slug, d.path);
  }

  const owner = new Map<string, string>();
  const shared = new Map<string, { paths: [string, string]; servers: string[] }>();
  for (const d of decls) {
    for (const root of selected(d, ctx)) {
      const first = owner.get(root);
      if (first === undefined) owner.set(root, d.path);
      else if (first !== d.path) {
        const k = `${first}\u0000${d.path}`;
        const e = shared.get(k) ?? { paths: [first, d.path], servers: [] };
        e.servers.push(describeServer(root, ctx));
        shared.set(k, e);
      }
    }
  }
  const kindOf = new Map(decls.map((d) => [d.path, d.kind] as const));
  const rebalanceHosts = new Map(
    decls.filter((d): d is RebalanceDeclaration => d.kind === 'rebalance').map((d) => [d.path, resolveRebalanceScope(d, ctx).hosts] as const),
  );
  for (const { paths, servers } of shared.values()) {
    const k0 = kindOf.get(paths[0]);
    const k1 = kindOf.get(paths[1]);
    // Two rebalances (or a rebalance and an evacuation) sharing a host are reported once, by host, below.
    if (k0 === 'rebalance' && (k1 === 'rebalance' || k1 === 'evacuation')) continue;
    if (k1 === 'rebalance' && (k0 === 'rebalance' || k0 === 'evacuation')) continue;
    const withRebalance = k0 === 'rebalance' || k1 === 'rebalance';
    servers.sort(compareStrings);
    const shares = servers.every((x) => x.startsWith('share '));
    // A rebalance selects whole hosts: name the first few servers only.
    const shown = withRebalance && servers.length > 10 ? [...servers.slice(0, 10), `... (${servers.length} in all)`] : servers;
    const rebalanceFix = withRebalance ? ', or exclude their host from the rebalance' : '';
    out.push({
      code: 'MP_DECLARATION_OVERLAP',
      paths,
      message:
        `${shares ? '' : `share server${servers.length === 1 ? '' : 's'} `}${shown.join(', ')} ${servers.length === 1 ? 'is' : 'are'} selected by both "${paths[0]}" and "${paths[1]}"; ` +
        `${shares ? 'a share' : 'a server'} can have only one declared place. Narrow one selector, or remove one of the declarations${rebalanceFix}`,
    });
  }
  out.push(...rebalanceProblems(decls, rebalanceHosts));
  out.push(...leavingSharesProblems(decls, owner, ctx));

  const evacuations = decls.filter((d): d is Extract<Declaration, { kind: 'evacuation' }> => d.kind === 'evacuation');
  for (const e of evacuations) {
    for (const d of decls) {
      if (d === e) continue;
      if (d.kind === 'placement' && d.host.split('#')[0] === e.sourceHost) {
        out.push({
          code: 'MP_DECLARATION_CONFLICT',
          paths: [d.path, e.path],
          message: `"${d.path}" places servers on ${d.host}, which "${e.path}" evacuates; choose another host for the placement, or drop the evacuation`,
        });
      }
      if (d.kind === 'evacuation' && d.targets.includes(e.sourceHost)) {
        out.push({
          code: 'MP_DECLARATION_CONFLICT',
          paths: [d.path, e.path],
          message: `"${d.path}" sends servers to ${e.sourceHost}, which "${e.path}" evacuates; remove ${e.sourceHost} from the targets of "${d.path}"`,
        });
      }
      if (d.kind === 'evacuation' && d.sourceHost === e.sourceHost && decls.indexOf(d) > decls.indexOf(e) && !shared.has(`${e.path}\u0000${d.path}`)) {
        out.push({
          code: 'MP_DECLARATION_OVERLAP',
          paths: [e.path, d.path],
          message: `"${e.path}" and "${d.path}" both evacuate ${e.sourceHost}; keep one of them`,
        });
      }
    }
  }
  return out;
}

/**
 * A share that a share placement takes off its share server, while another declaration moves
 * that server: the two migrations would race for the same share (Manila refuses the second, and
 * which one is second depends on timing). Reported as a conflict naming both.
 */
function leavingSharesProblems(decls: readonly Declaration[], owner: ReadonlyMap<string, string>, ctx: PlanContext): DeclarationProblem[] {
  const out: DeclarationProblem[] = [];
  for (const d of decls) {
    if (d.kind !== 'placement' || d.resource !== 'share') continue;
    for (const [shareId, srv] of selectShares(d, ctx).held) {
      const root = ctx.lineageOf.get(srv.id)?.rootId;
      const other = root !== undefined ? owner.get(root) : undefined;
      if (other === undefined || other === d.path) continue;
      out.push({
        code: 'MP_DECLARATION_CONFLICT',
        paths: [d.path, other],
        message:
          `"${d.path}" moves share ${shareId} off share server ${srv.id} (${srv.host}), and "${other}" moves that share server; ` +
          `a share cannot leave a server that moves at the same time. Drop the share from "${d.path}" (it then moves with its server), or keep the server out of "${other}"`,
      });
    }
  }
  return out;
}

/** Host-level rules of rebalances: each owns its hosts (see the top of this file). */
function rebalanceProblems(decls: readonly Declaration[], hostsOf: ReadonlyMap<string, ReadonlySet<string>>): DeclarationProblem[] {
  const out: DeclarationProblem[] = [];
  const hostList = (hs: readonly string[]): string => [...hs].sort(compareStrings).join(', ');
  for (const [i, r] of decls.entries()) {
    if (r.kind !== 'rebalance') continue;
    const mine = hostsOf.get(r.path) ?? new Set<string>();
    for (const [j, d] of decls.entries()) {
      if (d === r) continue;
      if (d.kind === 'rebalance' && j > i) {
        const both = [...(hostsOf.get(d.path) ?? [])].filter((h) => mine.has(h));
        if (both.length > 0) {
          out.push({
            code: 'MP_DECLARATION_OVERLAP',
            paths: [r.path, d.path],
            message: `"${r.path}" and "${d.path}" both rebalance ${hostList(both)}; a host can belong to one rebalance only. Exclude ${both.length === 1 ? 'it' : 'them'} from one of the two`,
          });
        }
      }
      if (d.kind === 'evacuation' && mine.has(d.sourceHost)) {
        out.push({
          code: 'MP_DECLARATION_OVERLAP',
          paths: [r.path, d.path],
          message: `"${d.path}" evacuates ${d.sourceHost}, which "${r.path}" rebalances; list ${d.sourceHost} in the rebalance's drain instead of a separate evacuation, or exclude it from the rebalance`,
        });
      }
      if (d.kind === 'evacuation') {
        const onto = d.targets.filter((t) => mine.has(backendHostOf(t)));
        if (onto.length > 0) {
          out.push({
            code: 'MP_DECLARATION_CONFLICT',
            paths: [d.path, r.path],
            message: `"${d.path}" sends servers to ${hostList(onto)}, which "${r.path}" rebalances; drain ${d.sourceHost} within the rebalance instead, or exclude those hosts from it`,
          });
        }
      }
      if (d.kind === 'placement' && mine.has(backendHostOf(d.host))) {
        out.push({
          code: 'MP_DECLARATION_CONFLICT',
          paths: [d.path, r.path],
          message: `"${d.path}" places servers on ${d.host}, which "${r.path}" rebalances (its servers would be selected by both); exclude ${d.host} from the rebalance, or choose another host for the placement`,
        });
      }
    }
  }
  return out;
}

/** Contradictions between declarations (overlapping selections, placements onto evacuated hosts, duplicate paths). Pure. */
export function declarationProblems(decls: readonly Declaration[], snapshot: CloudSnapshot): DeclarationProblem[] {
  return problemsIn(decls, createContext(snapshot));
}
