/**
 * The sequence recorder's normalisation: ids become roles, hosts become SRC and DST, repeated
 * observations collapse, S and D are kept apart, and the answers to the migration actions are
 * kept with what matters in them.
 */
import { isQuiescent, isSubsequence, quiescent, SequenceRecorder } from '../../../bench/sim/sequence';

const S = '11111111-1111-4111-8111-111111111111';
const D = '22222222-2222-4222-8222-222222222222';
const SHARE = '33333333-3333-4333-8333-333333333333';
const server = (id: string, status: string, task: string | null, host: string, source: string | null = null) => ({
  id,
  status,
  task_state: task,
  host,
  source_share_server_id: source,
});

test('exchanges become roles, states per server, answers', () => {
  const r = new SequenceRecorder(S, { SRC: 'n@alpha', DST: 'n@beta' }, { shares: [SHARE] });
  const get = (status: number, body: unknown) => r.observe('GET', `/v2/share-servers/${S}`, undefined, status, JSON.stringify(body));
  r.observe('GET', '/v2/share-servers', undefined, 200, JSON.stringify({ share_servers: [server(S, 'active', null, 'n@alpha')] }));
  r.observe(
    'POST',
    `/v2/share-servers/${S}/action`,
    JSON.stringify({ migration_check: {} }),
    200,
    JSON.stringify({
      compatible: true,
      supported_capabilities: {
        writable: true,
        nondisruptive: false,
        preserve_snapshots: true,
        migration_cancel: true,
        migration_get_progress: true,
        share_network_id: 'x',
      },
    })
  );
  r.observe('POST', `/v2/share-servers/${S}/action`, JSON.stringify({ migration_start: {} }), 202, '');
  get(200, { share_server: server(S, 'server_migrating', 'migration_driver_in_progress', 'n@alpha') });
  get(200, { share_server: server(S, 'server_migrating', 'migration_driver_in_progress', 'n@alpha') });
  r.observe(
    'GET',
    `/v2/share-servers?source_share_server_id=${S}`,
    undefined,
    200,
    JSON.stringify({ share_servers: [server(D, 'server_migrating_to', 'migration_driver_in_progress', 'n@beta', S)] })
  );
  r.observe('POST', `/v2/share-servers/${S}/action`, JSON.stringify({ migration_complete: null }), 200, JSON.stringify({ destination_share_server_id: D }));
  r.observe(
    'POST',
    `/v2/share-servers/${S}/action`,
    JSON.stringify({ migration_cancel: null }),
    400,
    JSON.stringify({ badRequest: { code: 400, message: 'no' } })
  );
  get(404, { itemNotFound: { code: 404, message: 'gone' } });
  r.observe(
    'GET',
    `/v2/shares/detail?all_tenants=1&share_server_id=${D}&limit=1000&offset=0`,
    undefined,
    200,
    JSON.stringify({ shares: [{ id: SHARE, status: 'available', share_server_id: D, host: 'n@beta#pool' }] })
  );
  const seq = r.result('x', 'test', { phase: 'done' });
  expect(seq.S).toEqual(['active/null@SRC', 'server_migrating/migration_driver_in_progress@SRC', 'gone']);
  expect(seq.D).toEqual(['server_migrating_to/migration_driver_in_progress@DST']);
  expect(seq.answers).toEqual([
    {
      action: 'migration_check',
      status: 200,
      compatible: true,
      supported: { writable: true, nondisruptive: false, preserve_snapshots: true, migration_cancel: true, migration_get_progress: true },
    },
    { action: 'migration_start', status: 202 },
    { action: 'migration_complete', status: 200, destination: 'D' },
    { action: 'migration_cancel', status: 400, fault: 'badRequest' },
  ]);
  expect(seq.final).toEqual({ S: 'gone', D: 'server_migrating_to/migration_driver_in_progress@DST', shares: 'available@DST on D' });
  expect(seq.exchanges.map((e) => `${e.request} ${e.status}`)).toEqual([
    'GET share-servers 200',
    'POST share-servers/S/action migration_check 200',
    'POST share-servers/S/action migration_start 202',
    'GET share-servers/S 200',
    'GET share-servers?source_share_server_id=S 200',
    'POST share-servers/S/action migration_complete 200',
    'POST share-servers/S/action migration_cancel 400',
    'GET share-servers/S 404',
    'GET shares/detail?all_tenants=1&share_server_id=D 200',
  ]);
});

test('quiescent states and subsequences', () => {
  expect(isQuiescent('S', 'server_migrating/migration_driver_in_progress@SRC')).toBe(true);
  expect(isQuiescent('S', 'server_migrating/migration_starting@SRC')).toBe(false);
  expect(isQuiescent('D', 'server_migrating_to/migration_driver_phase1_done@DST')).toBe(false);
  expect(quiescent('S', ['active/null@SRC', 'server_migrating/migration_in_progress@SRC', 'active/null@SRC'])).toEqual(['active/null@SRC']);
  expect(isSubsequence(['a', 'c'], ['a', 'b', 'c'])).toBe(true);
  expect(isSubsequence(['c', 'a'], ['a', 'b', 'c'])).toBe(false);
});

test('share phase 1 is quiescent only while its destination instance exists (a cancel deletes it and ends in one call)', () => {
  expect(isQuiescent('S', 'migrating/migration_driver_in_progress@SRC [migrating@SRC, migrating_to@DST]', 'share')).toBe(true);
  expect(isQuiescent('S', 'migrating/migration_driver_in_progress@SRC [migrating@SRC]', 'share')).toBe(false);
  // Phase 1 done lasts only until the runner's next read with auto completion.
  expect(isQuiescent('S', 'migrating/migration_driver_phase1_done@SRC [migrating@SRC, migrating_to@DST]', 'share')).toBe(false);
  expect(isQuiescent('S', 'available/migration_completing@DST [available@DST, inactive@SRC]', 'share')).toBe(false);
  expect(isQuiescent('S', 'available/migration_cancelled@SRC [available@SRC]', 'share')).toBe(true);
});
