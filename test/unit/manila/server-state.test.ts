import { inFlightPairs, isLeftover, successorOf, type ServerRecord } from '../../../lib/manila/server-state';

const rec = (id: string, status: string, taskState: string | null = null, sourceShareServerId: string | null = null, host = 'h@b', createdAt?: string): ServerRecord & { createdAt?: string } => ({
  id,
  status,
  host,
  taskState,
  sourceShareServerId,
  createdAt,
});

describe('one reading of share server states', () => {
  test.each([
    ['old source after success', rec('A', 'inactive', 'migration_success'), true],
    ['old source being deleted after success', rec('A', 'deleting', 'migration_success'), true],
    ['cancelled destination', rec('D', 'inactive', 'migration_cancelled', 'S'), true],
    ['failed destination whose source lives', rec('D', 'error', 'migration_error', 'S'), true],
    ['failed destination whose source is gone', rec('D', 'error', 'migration_error', 'GONE'), false],
    ['an active server', rec('S', 'active'), false],
    ['a server in error without a migration', rec('S', 'error'), false],
  ])('leftover: %s -> %s', (_n, s, want) => {
    expect(isLeftover(s, (id) => id === 'S')).toBe(want);
  });

  test('the successor is the youngest live record naming the source, never a cancelled or failed one', () => {
    const list = [rec('D0', 'inactive', 'migration_cancelled', 'S', 'h@b', '1'), rec('D1', 'error', 'migration_error', 'S', 'h@b', '2'), rec('D2', 'active', 'migration_success', 'S', 'h@b', '3')];
    expect(successorOf('S', list)?.id).toBe('D2');
    expect(successorOf('S', [rec('D3', 'server_migrating_to', 'migration_driver_in_progress', 'S')], { completedOnly: true })).toBeUndefined();
  });

  test('pairs every source in flight with its destination, and keeps lone destinations', () => {
    const pairs = inFlightPairs([
      rec('S1', 'server_migrating', 'migration_driver_in_progress', null, 'a@x'),
      rec('D1', 'server_migrating_to', 'migration_driver_in_progress', 'S1', 'b@x'),
      rec('S2', 'server_migrating', 'migration_starting', null, 'a@x'),
      rec('D9', 'server_migrating_to', 'migration_completing', 'S9', 'c@x'),
      rec('S9', 'inactive', 'migration_success', null, 'z@x'),
    ]);
    expect(pairs.map((p) => [p.source?.id, p.destination?.id, p.from, p.to])).toEqual([
      ['S1', 'D1', 'a@x', 'b@x'],
      ['S2', undefined, 'a@x', undefined],
      [undefined, 'D9', 'z@x', 'c@x'],
    ]);
  });
});
