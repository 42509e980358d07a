import { admit, countInFlight, overshoots } from '../../../lib/apply/admission';
import type { ServerRecord } from '../../../lib/manila/server-state';

const rec = (id: string, status: string, host: string, taskState: string | null = null, sourceShareServerId: string | null = null): ServerRecord => ({
  id,
  status,
  host,
  taskState,
  sourceShareServerId,
});

describe('counting migrations in flight from Manila\'s records', () => {
  const servers = [
    rec('S1', 'server_migrating', 'a@x', 'migration_driver_in_progress'),
    rec('D1', 'server_migrating_to', 'b@x', 'migration_driver_in_progress', 'S1'),
    rec('S2', 'server_migrating', 'a@x', 'migration_starting'),
    rec('S3', 'active', 'a@x'),
    rec('OLD', 'inactive', 'c@x', 'migration_cancelled', 'S3'),
    rec('D4', 'server_migrating_to', 'c@x', 'migration_completing', 'GONE'),
  ];

  test('sources with their destination, early sources without one, and lone destinations all count', () => {
    const c = countInFlight(servers);
    expect(c.total).toBe(3);
    expect(Object.fromEntries(c.bySource)).toEqual({ 'a@x': 2 });
    expect(Object.fromEntries(c.byDestination)).toEqual({ 'b@x': 1, 'c@x': 1 });
    expect(c.unknownDestination).toEqual(['S2']);
  });

  test('a destination this run knows (it started the move) replaces the unknown', () => {
    const c = countInFlight(servers, new Map([['S2', 'b@x']]));
    expect(Object.fromEntries(c.byDestination)).toEqual({ 'b@x': 2, 'c@x': 1 });
    expect(c.unknownDestination).toEqual([]);
  });

  test('leftover records (cancelled destinations, idle servers) do not count', () => {
    expect(countInFlight([rec('S3', 'active', 'a@x', 'migration_cancelled'), rec('OLD', 'inactive', 'c@x', 'migration_cancelled', 'S3')]).total).toBe(0);
  });
});

describe('admission', () => {
  const empty = countInFlight([]);
  const cand = (key: string, from: string, to: string) => ({ key, from, to });

  test('admits in the order given until a limit, counting each admitted move at once', () => {
    const r = admit(empty, [cand('1', 'a', 'x'), cand('2', 'a', 'y'), cand('3', 'b', 'x'), cand('4', 'b', 'y')], { parallel: 3, maxPerSource: 1 });
    expect(r.admitted.map((c) => c.key)).toEqual(['1', '3']);
    expect(r.waiting.map((w) => [w.candidate.key, w.why])).toEqual([
      ['2', '1 migration in flight from a, limit 1 (max per source)'],
      ['4', '1 migration in flight from b, limit 1 (max per source)'],
    ]);
  });

  test('per destination: a full destination holds back only the moves toward it', () => {
    const c = countInFlight([rec('S', 'server_migrating', 'a', 'migration_driver_in_progress'), rec('D', 'server_migrating_to', 'x', 'migration_driver_in_progress', 'S')]);
    const r = admit(c, [cand('1', 'b', 'x'), cand('2', 'b', 'y')], { parallel: 10, maxPerDestination: 1 });
    expect(r.admitted.map((c2) => c2.key)).toEqual(['2']);
  });

  test('nothing is admitted once the cloud runs `parallel` migrations', () => {
    const c = countInFlight([rec('S', 'server_migrating', 'a', 'migration_driver_in_progress')]);
    expect(admit(c, [cand('1', 'b', 'x')], { parallel: 1 }).admitted).toEqual([]);
  });

  test('overshoots name every limit the cloud already exceeds', () => {
    const c = countInFlight([
      rec('S1', 'server_migrating', 'a', 'migration_driver_in_progress'),
      rec('S2', 'server_migrating', 'a', 'migration_driver_in_progress'),
      rec('D1', 'server_migrating_to', 'x', 'migration_driver_in_progress', 'S1'),
      rec('D2', 'server_migrating_to', 'x', 'migration_driver_in_progress', 'S2'),
    ]);
    expect(overshoots(c, { parallel: 1, maxPerSource: 1, maxPerDestination: 1 })).toEqual([
      '2 migrations in flight in the cloud, above the limit of 1',
      '2 migrations in flight from a, above the limit of 1 per source',
      '2 migrations in flight toward x, above the limit of 1 per destination',
    ]);
    expect(overshoots(c, { parallel: 2 })).toEqual([]);
  });
});
