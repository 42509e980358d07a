import { EXIT } from '../../apply/result';
import { isLeftover, isRetiredSource } from '../../manila/server-state';
import { compareStrings } from '../../util/compare';
import { cliClient, type GlobalOptions } from '../cli-client';
import { renderTable } from '../table';

/** `manila-placement servers`: share servers by host, with their share network and shares. */
export async function serversCommand(o: GlobalOptions & { host?: string; json?: boolean; all?: boolean }): Promise<number> {
  const { client } = cliClient(o);
  try {
    const [servers, shares] = await Promise.all([client.listShareServers(o.host ? { host: o.host } : {}), client.listShares()]);
    // Leftover records (cancelled or failed destinations, sources being deleted) are hidden unless --all.
    const ids = new Set(servers.map((s) => s.id));
    const shown = servers.filter((s) => o.all || !(isLeftover(s, (id) => ids.has(id)) || isRetiredSource(s)));
    const sharesOf = new Map<string, string[]>();
    for (const sh of shares) if (sh.shareServerId) sharesOf.set(sh.shareServerId, [...(sharesOf.get(sh.shareServerId) ?? []), sh.name ?? sh.id]);
    shown.sort((a, b) => compareStrings(a.host, b.host) || compareStrings(a.shareNetworkName ?? '', b.shareNetworkName ?? '') || compareStrings(a.id, b.id));
    if (o.json) {
      process.stdout.write(JSON.stringify({ shareServers: shown.map((s) => ({ ...s, shares: sharesOf.get(s.id) ?? [] })) }, null, 2) + '\n');
      return EXIT.OK;
    }
    const rows = [['HOST', 'SHARE SERVER', 'STATUS', 'TASK STATE', 'SHARE NETWORK', 'SHARES']];
    for (const s of shown) rows.push([s.host, s.id, s.status, s.taskState ?? '-', s.shareNetworkName ?? s.shareNetworkId ?? '-', (sharesOf.get(s.id) ?? []).join(',') || '-']);
    process.stdout.write(renderTable(rows));
    return EXIT.OK;
  } finally {
    await client.close();
  }
}
