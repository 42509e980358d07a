import type { PlacementDeclaration, PlanEntry } from './types';
import type { PlanContext } from './plan-context';
import type { SelectedServer } from './select';
import { resolveSelector } from './select';
import { destinationBlockers, pairBlockers, serverBlockers, targetNetwork } from './blockers';
import { entryKey, unmatchedKey } from './key';
import { motionOf } from './motion';
import { observedServer } from './observed-server';
import { planSharePlacement } from './share-moves';

/** Entries of one placement: for each selected server in-sync, migrate, resume, conflict or blocked; `unmatched` for what matched nothing. */
export function planPlacement(d: PlacementDeclaration, ctx: PlanContext): PlanEntry[] {
  if (d.resource === 'share') return planSharePlacement(d, ctx);
  const selection = resolveSelector(d.select, ctx);
  const entries: PlanEntry[] = selection.servers.map((sel) => placeOne(d, sel, ctx));
  if (selection.problems.length > 0) {
    entries.push({ action: 'unmatched', key: unmatchedKey(d.path), declaration: d.path, message: selection.problems.join('; ') });
  }
  return entries;
}

function placeOne(d: PlacementDeclaration, sel: SelectedServer, ctx: PlanContext): PlanEntry {
  const l = sel.lineage;
  const s = l.current;
  const base = { key: entryKey(d.path, sel.keyId), declaration: d.path, server: observedServer(s) };
  const motion = motionOf(l, ctx.serversById);
  const net = targetNetwork(s, d.newShareNetwork, ctx);
  if (motion.moving) {
    if (motion.toward === d.host && !motion.cancelling) {
      return { ...base, action: 'resume', from: motion.from, to: d.host, flags: d.flags, newShareNetworkId: net.newShareNetworkId, completion: d.completion };
    }
    const message = motion.cancelling
      ? `share server ${s.id} is cancelling a migration${motion.toward ? ` to ${motion.toward}` : ''}; plan again once the cancel has finished`
      : motion.toward
        ? `share server ${s.id} is migrating to ${motion.toward}, not to ${d.host}; let that migration finish (or cancel it), then plan again`
        : `share server ${s.id} is migrating (${s.taskState ?? s.status}) and no destination record shows where; refresh in a minute and plan again`;
    return { ...base, action: 'conflict', to: d.host, migratingTo: motion.toward, message };
  }
  const networkReached = d.newShareNetwork === undefined || (net.network !== undefined && net.network.id === s.shareNetworkId);
  if (s.host === d.host && networkReached) return { ...base, action: 'in-sync', host: d.host };
  const reasons = [...serverBlockers(l), ...net.reasons, ...destinationBlockers(d.host, ctx), ...pairBlockers(s, d.host, net, ctx)];
  if (reasons.length > 0) return { ...base, action: 'blocked', to: d.host, reasons };
  return { ...base, action: 'migrate', from: s.host, to: d.host, flags: d.flags, newShareNetworkId: net.newShareNetworkId, completion: d.completion };
}
