import { inFlightMigrations } from '../../apply/status';
import { cliClient, type GlobalOptions } from '../context';
import { renderTable } from '../table';

/** `manila-placement status`: migrations in flight. */
export async function statusCommand(o: GlobalOptions & { json?: boolean }): Promise<number> {
  const { client } = cliClient(o);
  try {
    const list = await inFlightMigrations(client);
    if (o.json) {
      process.stdout.write(JSON.stringify({ migrations: list }, null, 2) + '\n');
      return 0;
    }
    if (!list.length) {
      process.stdout.write('No share server migration in flight.\n');
      return 0;
    }
    const rows = [['SOURCE', 'FROM', 'DESTINATION', 'TO', 'TASK STATE', 'PROGRESS', 'SHARE NETWORK']];
    for (const m of list) {
      rows.push([m.sourceId, m.sourceHost, m.destinationId ?? '-', m.destinationHost ?? '-', m.taskState ?? '-', m.progress === undefined ? '-' : `${m.progress}%`, m.shareNetwork ?? '-']);
    }
    process.stdout.write(renderTable(rows));
    return 0;
  } finally {
    await client.close();
  }
}
