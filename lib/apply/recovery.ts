/**
 * The exact commands that get a server out of each stuck state, as an operator types them
 * (OpenStackClient with the manila plugin; the legacy `manila` CLI where OSC cannot).
 */

/** Source left `server_migrating` (e.g. cancel in progress that never ends, or a start that never reached the destination). */
export function resetSourceCommands(sourceId: string, shareIds: readonly string[]): string {
  return [
    `manila share-server-reset-task-state ${sourceId}`,
    `openstack share server set --status active ${sourceId}`,
    ...shareIds.map((s) => `openstack share set --status available ${s}`),
  ].join(' && ');
}

/** A destination left in `error` after a failed migration. */
export function deleteDestinationCommand(destinationId: string): string {
  return `openstack share server delete ${destinationId}`;
}

/** Hint for `migration_error` on the source (the migration failed asynchronously). */
export function migrationErrorHint(sourceId: string, leftoverDestinations: readonly string[]): string {
  const parts = [
    `Manila reports migration_error for ${sourceId}: the driver refused or failed the move (see manila-share.log on the destination host).`,
    'The server is active and its shares are available on the source. Fix the cause, then clear the mark ' +
      `(manila share-server-reset-task-state ${sourceId}) and plan again: until then plans show the move blocked (LAST_MIGRATION_FAILED), so a schedule does not retry it.`,
  ];
  if (leftoverDestinations.length) parts.push(`Remove the failed ${leftoverDestinations.length === 1 ? 'destination' : 'destinations'}: ${leftoverDestinations.map(deleteDestinationCommand).join(' && ')}.`);
  return parts.join(' ');
}

/** Hint for a server stuck in a state only an admin reset can leave. */
export function stuckHint(sourceId: string, why: string, shareIds: readonly string[]): string {
  return (
    `Share server ${sourceId} is stuck (${why}). Check manila-share.log on both hosts; when the backend is consistent, reset it: ` +
    resetSourceCommands(sourceId, shareIds)
  );
}
