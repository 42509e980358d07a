import type { PlanEntry, RebalanceExplanation, RebalanceObjective } from '../plan/types';
import type { Paint } from './paint';
import { who } from './plan-parts';

function loadText(v: number | null, o: RebalanceObjective): string {
  if (v === null) return '?';
  return o === 'free-ratio' ? `${(v * 100).toFixed(1)}%` : String(v);
}

function amountText(v: number, o: RebalanceObjective, noun = 'server'): string {
  if (o === 'server-count') return `${v} ${noun}${v === 1 ? '' : 's'}`;
  return o === 'allocated-gb' ? `${v} GiB` : `${(v * 100).toFixed(1)} points`;
}

const OBJECTIVE_HEADERS: Readonly<Record<RebalanceObjective, string>> = {
  'server-count': 'servers',
  'allocated-gb': 'GiB',
  'free-ratio': 'free',
};

/**
 * The explanation of one rebalance: its moves (unless `listMoves` is false: the compact plan
 * lists them in its groups), then a table of every host's load before and
 * after (in the objective's unit), then what could not be resolved and other notes.
 */
export function renderRebalance(r: RebalanceExplanation, entries: readonly PlanEntry[], p: Paint, listMoves = true): string[] {
  const o = r.objective;
  // A rebalance of hosts without share servers counts shares.
  const noun = r.resource === 'share' ? 'share' : 'server';
  const state =
    r.stop === 'balanced'
      ? p.green('balanced')
      : r.stop === 'max-moves'
        ? p.yellow('not balanced yet: stopped at maxMoves')
        : r.stop === 'drain-blocked'
          ? p.yellow('within tolerance, but a drained host keeps servers')
          : p.yellow('not balanced: no allowed move gains minGain');
  const out = [
    '',
    `${p.bold('Rebalance')} ${r.declaration} (${o}${r.resource === 'share' ? ', shares' : ''}): ${r.moves} move${r.moves === 1 ? '' : 's'}; ` +
      `spread ${amountText(r.spread.before, o, noun)} -> ${amountText(r.spread.after, o, noun)} (tolerance ${amountText(r.tolerance, o, noun)}): ${state}`,
  ];
  const moves = entries.filter((e): e is Extract<PlanEntry, { action: 'migrate' }> => e.action === 'migrate' && e.declaration === r.declaration && (e.server.resource === 'share') === (r.resource === 'share'));
  if (listMoves) for (const e of moves) out.push(`  ${p.yellow('~')} ${who(e.server)}: ${e.from} -> ${e.to}`);
  const rows = [
    ['host', 'role', `before (${o === 'server-count' ? `${noun}s` : OBJECTIVE_HEADERS[o]})`, `after (${o === 'server-count' ? `${noun}s` : OBJECTIVE_HEADERS[o]})`, 'pinned', ''],
    ...r.hosts.map((h) => [
      h.host,
      h.role,
      loadText(h.before, o),
      loadText(h.after, o),
      String(h.pinned),
      h.cannotReceive ? `takes none: ${h.cannotReceive.join(', ')}` : '',
    ]),
  ];
  const widths = rows[0].map((_, c) => Math.max(...rows.map((row) => row[c].length)));
  const right = new Set([2, 3, 4]);
  rows.forEach((row, i) => {
    const text = row
      .map((cell, c) => (right.has(c) ? cell.padStart(widths[c]) : cell.padEnd(widths[c])))
      .join('  ')
      .trimEnd();
    out.push(`  ${i === 0 ? p.dim(text) : text}`);
  });
  for (const problem of r.problems) out.push(`  ${p.red('!')} ${p.red(problem)}`);
  for (const note of r.notes) out.push(p.dim(`  - ${note}`));
  return out;
}
