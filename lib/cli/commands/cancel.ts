import { EXIT } from '../../apply/result';
import { cancelMigration, type CancelResult } from '../../apply/cancel';
import { InputError } from '../../errors';
import { SERVER_STATUS } from '../../manila/server-state';
import { RESOURCES } from '../../manila/resource';
import { cliClient, type GlobalOptions } from '../cli-client';

/** Options of `cancel`. */
export interface CancelOptions extends GlobalOptions {
  readonly host?: string;
  readonly all?: boolean;
  readonly wait?: boolean;
  readonly json?: boolean;
}

/** `manila-placement cancel`: cancels migrations by id, by source host, or all. */
export async function cancelCommand(ids: string[], o: CancelOptions): Promise<number> {
  if (!ids.length && !o.host && !o.all) {
    throw new InputError('MP_CANCEL_NOTHING', 'cancel needs share server or share ids, --host HOST or --all.', 'See `manila-placement status` for migrations in flight.');
  }
  const { client } = cliClient(o);
  try {
    let targets = ids;
    if (o.host || o.all) {
      const migrating = await client.listShareServers({ status: SERVER_STATUS.migrating, ...(o.host ? { host: o.host } : {}) });
      // Shares migrating by themselves (share migration): their source instance is `migrating`.
      const shares = (await client.listShares({ status: RESOURCES.share.status.migrating })).filter((sh) => !o.host || (sh.host ?? '').split('#')[0] === o.host);
      targets = [...new Set([...ids, ...migrating.map((s) => s.id), ...shares.map((sh) => sh.id)])];
    }
    const results: CancelResult[] = await Promise.all(targets.map((id) => cancelMigration(client, id, { wait: o.wait })));
    if (o.json) process.stdout.write(JSON.stringify({ cancelled: results }, null, 2) + '\n');
    else if (!results.length) process.stdout.write('No migration to cancel.\n');
    else for (const r of results) process.stdout.write(`${r.serverId}: ${r.outcome}: ${r.message}\n`);
    return results.every((r) => r.outcome === 'cancelled') ? EXIT.OK : EXIT.MOVES_FAILED;
  } finally {
    await client.close();
  }
}
