import type { BlockedReason, EvacuationDeclaration, PlanEntry } from './types';
import type { PlanContext } from './plan-context';
import type { SelectedServer } from './select';
import { serversOnHost } from './select';
import { destinationBlockers, pairBlockers, serverBlockers, targetNetwork } from './blockers';
import { backendName } from './host';
import { compareStrings } from '../util/compare';
import { plural } from '../util/plural';
import { entryKey } from './key';
import { effectiveHost, motionOf } from './motion';
import { observedServer } from './observed-server';
import { planShareEvacuation } from './share-moves';

/**
 * Evacuations: every server of a host goes to one of the targets, spread evenly by count.
 * Servers already on a target (or migrating to it) count toward its load; `maxPerTarget` caps
 * it. Servers are placed in id order, each on the least loaded target that can take it, ties
 * broken by host name, so the same snapshot always gives the same spread.
 */

const codes = (rs: readonly BlockedReason[]): string => [...new Set(rs.map((r) => r.code))].join(', ');

/** Why each target cannot take any server of this evacuation (empty list: usable). */
function targetReasons(d: EvacuationDeclaration, targets: readonly string[], ctx: PlanContext): Map<string, BlockedReason[]> {
  return new Map(
    targets.map((t) => {
      const rs = destinationBlockers(t, ctx);
      if (rs.every((r) => r.code !== 'HOST_FORMAT') && backendName(t) === backendName(d.sourceHost)) {
        rs.push({
          code: 'SAME_BACKEND',
          message: `${d.sourceHost} and ${t} share the backend name "${backendName(t)}"; Manila refuses a move between them without a new share network`,
        });
      }
      return [t, rs] as const;
    }),
  );
}

/** Entries of one evacuation: one per live server on the source host. */
export function planEvacuation(d: EvacuationDeclaration, ctx: PlanContext): PlanEntry[] {
  const targets = [...new Set(d.targets)].sort(compareStrings);
  const targetList = targets.join(',');
  const reasonsOf = targetReasons(d, targets, ctx);
  const usable = targets.filter((t) => reasonsOf.get(t)?.length === 0);
  const skippedNote = targets
    .filter((t) => !usable.includes(t))
    .map((t) => `; skipped ${t} (${codes(reasonsOf.get(t) ?? [])})`)
    .join('');
  const load = new Map(targets.map((t) => [t, 0] as [string, number]));
  for (const l of ctx.lineages) {
    const h = effectiveHost(l, ctx.serversById);
    const n = load.get(h);
    if (n !== undefined) load.set(h, n + 1);
  }
  const max = d.maxPerTarget;
  const servers = [...serversOnHost(d.sourceHost, ctx)].sort((a, b) => compareStrings(a.lineage.current.id, b.lineage.current.id));
  // Shares without a share server on the host move by themselves, to pools of the targets.
  const hostReasons = new Map(targets.map((t) => [t, destinationBlockers(t.split('#')[0], ctx, 'share')] as const));
  return [
    ...servers.map((sel) => evacuateOne(d, sel, ctx, { targets, targetList, reasonsOf, usable, skippedNote, load, max })),
    ...planShareEvacuation(d, ctx, hostReasons),
  ];
}

interface Spread {
  readonly targets: readonly string[];
  readonly targetList: string;
  readonly reasonsOf: ReadonlyMap<string, readonly BlockedReason[]>;
  readonly usable: readonly string[];
  readonly skippedNote: string;
  /** Servers on each target so far; updated as servers are placed. */
  readonly load: Map<string, number>;
  readonly max?: number;
}

function evacuateOne(d: EvacuationDeclaration, sel: SelectedServer, ctx: PlanContext, sp: Spread): PlanEntry {
  const l = sel.lineage;
  const s = l.current;
  const base = { key: entryKey(d.path, sel.keyId), declaration: d.path, server: observedServer(s) };
  const motion = motionOf(l, ctx.serversById);
  if (motion.moving) {
    if (motion.toward !== undefined && sp.targets.includes(motion.toward) && !motion.cancelling) {
      return { ...base, action: 'resume', from: motion.from, to: motion.toward, flags: d.flags, newShareNetworkId: null, completion: d.completion };
    }
    const message = motion.cancelling
      ? `share server ${s.id} is cancelling a migration; plan again once the cancel has finished`
      : motion.toward
        ? `share server ${s.id} is migrating to ${motion.toward}, which is not a target of this evacuation (${sp.targetList}); let it finish or cancel it, then plan again`
        : `share server ${s.id} is migrating (${s.taskState ?? s.status}) and no destination record shows where; refresh in a minute and plan again`;
    return { ...base, action: 'conflict', to: sp.targetList, migratingTo: motion.toward, message };
  }
  const net = targetNetwork(s, undefined, ctx);
  const own = [...serverBlockers(l), ...net.reasons];
  if (sp.usable.length === 0) {
    return { ...base, action: 'blocked', to: sp.targetList, reasons: [...own, ...sp.targets.flatMap((t) => sp.reasonsOf.get(t) ?? [])] };
  }
  if (own.length > 0) return { ...base, action: 'blocked', to: sp.targetList, reasons: own };

  const pairReasons = new Map(sp.usable.map((t) => [t, pairBlockers(s, t, net, ctx)] as const));
  const feasible = sp.usable.filter((t) => pairReasons.get(t)?.length === 0);
  if (feasible.length === 0) return { ...base, action: 'blocked', to: sp.targetList, reasons: sp.usable.flatMap((t) => pairReasons.get(t) ?? []) };
  const loadOf = (t: string): number => sp.load.get(t) ?? 0;
  const max = sp.max;
  const withRoom = feasible.filter((t) => max === undefined || loadOf(t) < max);
  if (withRoom.length === 0) {
    const full = feasible.map((t) => `${t} ${loadOf(t)}/${max}`).join(', ');
    return {
      ...base,
      action: 'blocked',
      to: sp.targetList,
      reasons: [{ code: 'NO_CAPACITY', message: `every target that could take share server ${s.id} is full under maxPerTarget ${max}: ${full}` }],
    };
  }
  // Least loaded, then host name (withRoom is already in host-name order).
  const to = withRoom.reduce((best, t) => (loadOf(t) < loadOf(best) ? t : best));
  const tied = withRoom.filter((t) => t !== to && loadOf(t) === loadOf(to));
  const after = loadOf(to) + 1;
  sp.load.set(to, after);
  const notes = [
    tied.length > 0 ? `; tied with ${tied.join(', ')}, chosen by host name` : '',
    ...feasible.filter((t) => !withRoom.includes(t)).map((t) => `; ${t} is full (${loadOf(t)}/${max})`),
    ...sp.usable.filter((t) => !feasible.includes(t)).map((t) => `; ${t} cannot take it (${codes(pairReasons.get(t) ?? [])})`),
    sp.skippedNote,
  ].join('');
  return {
    ...base,
    action: 'migrate',
    from: s.host,
    to,
    flags: d.flags,
    newShareNetworkId: null,
    completion: d.completion,
    why: `least loaded target (${plural(after, 'server')} after this move)${notes}`,
  };
}
