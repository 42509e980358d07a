import { EXIT } from '../../apply/result';
import { inFlightMigrations } from '../../apply/status';
import { cliClient, type GlobalOptions } from '../cli-client';
import { renderTable } from '../table';

/** `manila-placement status`: migrations in flight. */
export async function statusCommand(o: GlobalOptions & { json?: boolean }): Promise<number> {
  const { client } = cliClient(o);
  try {
    const list = await inFlightMigrations(client);
    if (o.json) {
      process.stdout.write(JSON.stringify({ migrations: list }, null, 2) + '\n');
      return EXIT.OK;
    }
    if (!list.length) {
      process.stdout.write('No migration in flight.\n');
      return EXIT.OK;
    }
    const rows = [['KIND', 'SOURCE', 'FROM', 'DESTINATION', 'TO', 'TASK STATE', 'PROGRESS', 'SHARE NETWORK']];
    for (const m of list) {
      rows.push([m.kind, m.sourceId, m.sourceHost, m.destinationId ?? '-', m.destinationHost ?? '-', m.taskState ?? '-', m.progress === undefined ? '-' : `${m.progress}%`, m.shareNetwork ?? '-']);
    }
    process.stdout.write(renderTable(rows));
    return EXIT.OK;
  } finally {
    await client.close();
  }
}
