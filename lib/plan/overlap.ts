import type { CloudSnapshot } from '../snapshot/model';
import type { Declaration } from './types';
import { createContext, type PlanContext } from './context';
import { compareStrings, declarationSlug } from './key';
import { resolveSelector, serversOnHost } from './select';

/**
 * Rules between declarations: a share server has one declared place, and no declaration sends
 * servers to a host that another one empties. Checked against a snapshot because selectors
 * (share networks, shares, hosts) only name servers once resolved.
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
  const servers = d.kind === 'placement' ? resolveSelector(d.select, ctx).servers : serversOnHost(d.sourceHost, ctx);
  return servers.map((s) => s.lineage.rootId);
}

function describeServer(rootId: string, ctx: PlanContext): string {
  const l = ctx.lineages.find((x) => x.rootId === rootId);
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
  for (const { paths, servers } of shared.values()) {
    out.push({
      code: 'MP_DECLARATION_OVERLAP',
      paths,
      message:
        `share server${servers.length === 1 ? '' : 's'} ${servers.sort(compareStrings).join(', ')} ${servers.length === 1 ? 'is' : 'are'} selected by both "${paths[0]}" and "${paths[1]}"; ` +
        `a server can have only one declared place. Narrow one selector, or remove one of the declarations`,
    });
  }

  const evacuations = decls.filter((d): d is Extract<Declaration, { kind: 'evacuation' }> => d.kind === 'evacuation');
  for (const e of evacuations) {
    for (const d of decls) {
      if (d === e) continue;
      if (d.kind === 'placement' && d.host === e.sourceHost) {
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

/** Contradictions between declarations (overlapping selections, placements onto evacuated hosts, duplicate paths). Pure. */
export function declarationProblems(decls: readonly Declaration[], snapshot: CloudSnapshot): DeclarationProblem[] {
  return problemsIn(decls, createContext(snapshot));
}
