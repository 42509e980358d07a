import type { SimContext } from './context';
import type { SimShare } from './model';

/**
 * Casts the access rules of some shares read-only for phase 1 (or lifts the cast), as Manila
 * does when the driver cannot keep shares writable: `cast_rules_to_readonly` on the instances,
 * and the rules `queued_to_apply` until the backend applied them. No-op for a share already in
 * that state. Share server migration casts its shares' rules; share migration its one share's.
 */
export function castRulesReadOnly(ctx: SimContext, shares: readonly SimShare[], on: boolean): void {
  const { store, clock } = ctx;
  const changing = shares.filter((x) => x.castRulesToReadonly !== on);
  if (!changing.length) return;
  const shareIds = new Set(changing.map((x) => x.id));
  for (const sh of changing) sh.castRulesToReadonly = on;
  const rules = [...store.rules.values()].filter((r) => shareIds.has(r.shareId));
  for (const r of rules) r.state = 'queued_to_apply';
  clock.after(ctx.timings.manager.rulesSettle, () => {
    for (const r of rules) if (r.state === 'queued_to_apply') r.state = 'active';
  });
}
