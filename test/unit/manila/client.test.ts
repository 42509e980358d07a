import { ManilaApiError, MicroversionError, ProtocolError, TransportError, AuthError, ConfigError } from '../../../lib/errors';
import { FakeClock, MANILA, SECRET_PASSWORD, SECRET_TOKEN, mockCloud, mockConfig, tokenBody, KEYSTONE } from '../../helper/mock-cloud';

const SERVER = {
  id: 'srv-1',
  project_id: 'p1',
  status: 'active',
  host: 'node1@alpha',
  share_network_id: 'sn-1',
  share_network_name: 'mp-sn-1',
  task_state: null,
  source_share_server_id: null,
  share_network_subnet_ids: ['sub-b', 'sub-a'],
  is_auto_deletable: true,
  identifier: 'srv-1',
};

const PARAMS = { host: 'node1@beta', writable: false, nondisruptive: false, preserveSnapshots: true, newShareNetworkId: null };

describe('ManilaClient', () => {
  test('finds Manila under shared-file-system first and negotiates min(server max, ours)', async () => {
    // GIVEN a Zed Manila (max 2.73)
    const cloud = mockCloud({ maxVersion: '2.73' });
    cloud.manila.intercept({ path: '/v2/share-servers/srv-1', method: 'GET' }).reply((o) => {
      cloud.record(o);
      return { statusCode: 200, data: { share_server: SERVER } };
    });
    // WHEN we read a server
    const c = cloud.client();
    const s = await c.getShareServer('srv-1');
    // THEN the project-less endpoint is used, with the token and microversion 2.73, no experimental header on a GET
    expect(await c.endpoint()).toBe(`${MANILA}/v2`);
    const get = cloud.seen.find((r) => r.path === '/v2/share-servers/srv-1')!;
    expect(get.headers['x-openstack-manila-api-version']).toBe('2.73');
    expect(get.headers['x-auth-token']).toBe(SECRET_TOKEN);
    expect(get.headers['x-openstack-manila-api-experimental']).toBeUndefined();
    expect(s).toMatchObject({ id: 'srv-1', host: 'node1@alpha', taskState: null, shareNetworkSubnetIds: ['sub-a', 'sub-b'] });
  });

  test('uses the newest microversion it knows when the server is newer', async () => {
    const cloud = mockCloud({ maxVersion: '2.99' });
    expect(await cloud.client().microversion()).toBe('2.95');
  });

  test('caps the microversion at OS_SHARE_API_VERSION', async () => {
    const cloud = mockCloud({ maxVersion: '2.73' });
    expect(await cloud.client({ config: mockConfig({ maxMicroversion: '2.60' }) }).microversion()).toBe('2.60');
  });

  test('refuses a configured cap below 2.57 with a config error', async () => {
    const cloud = mockCloud();
    await expect(cloud.client({ config: mockConfig({ maxMicroversion: '2.40' }) }).microversion()).rejects.toMatchObject({ code: 'MP_CONFIG_MICROVERSION' });
  });

  test('refuses a Manila older than 2.57 before any migration call', async () => {
    const cloud = mockCloud({ maxVersion: '2.56' });
    const err = await cloud.client().migrationCheck('srv-1', PARAMS).catch((e) => e);
    expect(err).toBeInstanceOf(MicroversionError);
    expect(err.code).toBe('MP_MICROVERSION_UNSUPPORTED');
    expect(err.message).toContain('2.56');
    expect(cloud.seen.some((r) => r.path.includes('/action'))).toBe(false);
  });

  test('sends every mandatory migration key, new_share_network_id included, with the experimental header', async () => {
    const cloud = mockCloud();
    cloud.manila.intercept({ path: '/v2/share-servers/srv-1/action', method: 'POST' }).reply((o) => {
      cloud.record(o);
      return {
        statusCode: 200,
        data: {
          compatible: true,
          requested_capabilities: { writable: false, nondisruptive: false, preserve_snapshots: true, share_network_id: null, host: 'node1@beta' },
          supported_capabilities: { writable: true, nondisruptive: false, preserve_snapshots: true, share_network_id: 'sn-1', migration_cancel: true, migration_get_progress: true },
        },
      };
    });
    const check = await cloud.client().migrationCheck('srv-1', PARAMS);
    const req = cloud.seen.find((r) => r.path.endsWith('/action'))!;
    expect(req.body).toEqual({ migration_check: { host: 'node1@beta', writable: false, nondisruptive: false, preserve_snapshots: true, new_share_network_id: null } });
    expect(req.headers['x-openstack-manila-api-experimental']).toBe('True');
    expect(check).toEqual({
      compatible: true,
      requested: { writable: false, nondisruptive: false, preserve_snapshots: true, share_network_id: null, host: 'node1@beta' },
      supported: { writable: true, nondisruptive: false, preserveSnapshots: true, migrationCancel: true, migrationGetProgress: true, shareNetworkId: 'sn-1' },
    });
  });

  test('reports a Manila error with its status, message, fault and request id', async () => {
    const cloud = mockCloud();
    cloud.manila.intercept({ path: '/v2/share-servers/srv-1/action', method: 'POST' }).reply(
      404,
      { itemNotFound: { code: 404, message: 'ServiceNotFound: Service node1@nope could not be found.' } },
      { headers: { 'x-compute-request-id': 'req-467c111b' } },
    );
    const err = await cloud.client().migrationStart('srv-1', { ...PARAMS, host: 'node1@nope' }).catch((e) => e);
    expect(err).toBeInstanceOf(ManilaApiError);
    expect(err).toMatchObject({ code: 'MP_MANILA_NOT_FOUND', status: 404, fault: 'itemNotFound', requestId: 'req-467c111b' });
    expect(err.manilaMessage).toBe('ServiceNotFound: Service node1@nope could not be found.');
    expect(err.message).toContain('migration_start on share server srv-1');
    expect(err.message).toContain('req-467c111b');
  });

  test('a 403 says admin credentials are needed', async () => {
    const cloud = mockCloud();
    cloud.manila.intercept({ path: '/v2/share-servers', method: 'GET' }).reply(403, { forbidden: { code: 403, message: 'Access was denied to this resource.' } });
    const err = await cloud.client().listShareServers().catch((e) => e);
    expect(err.code).toBe('MP_MANILA_FORBIDDEN');
    expect(err.hint).toMatch(/admin/);
  });

  test('retries a read after 503 and a connection reset, with backoff', async () => {
    const cloud = mockCloud();
    const clock = new FakeClock();
    const path = '/v2/share-servers?host=node1%40alpha';
    cloud.manila.intercept({ path, method: 'GET' }).reply(503, 'Service Unavailable');
    cloud.manila.intercept({ path, method: 'GET' }).replyWithError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
    cloud.manila.intercept({ path, method: 'GET' }).reply(200, { share_servers: [SERVER] });
    const list = await cloud.client({ clock, retry: { baseDelayMs: 100 } }).listShareServers({ host: 'node1@alpha' });
    expect(list.map((s) => s.id)).toEqual(['srv-1']);
    expect(clock.sleeps).toEqual([100, 200]);
  });

  test('retries migration_check (a read) but never migration_start on 503', async () => {
    const cloud = mockCloud();
    let starts = 0;
    cloud.manila
      .intercept({ path: '/v2/share-servers/srv-1/action', method: 'POST' })
      .reply((o) => {
        const body = JSON.parse(String(o.body));
        if (body.migration_start) starts++;
        return { statusCode: 503, data: 'busy' };
      })
      .persist();
    const c = cloud.client();
    await expect(c.migrationStart('srv-1', PARAMS)).rejects.toMatchObject({ code: 'MP_MANILA_SERVER_ERROR', status: 503 });
    expect(starts).toBe(1);
    await expect(c.migrationCheck('srv-1', PARAMS)).rejects.toMatchObject({ status: 503 });
  });

  test('a broken connection during start is an unknown outcome, not retried', async () => {
    const cloud = mockCloud();
    let calls = 0;
    cloud.manila
      .intercept({ path: '/v2/share-servers/srv-1/action', method: 'POST' })
      .reply(() => {
        calls++;
        throw Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' });
      })
      .persist();
    const err = await cloud.client().migrationStart('srv-1', PARAMS).catch((e) => e);
    expect(err).toBeInstanceOf(TransportError);
    expect(err.outcomeUnknown).toBe(true);
    expect(err.hint).toMatch(/status/);
    expect(calls).toBe(1);
  });

  test('renews the token once and resends after a 401', async () => {
    const cloud = mockCloud();
    let n = 0;
    cloud.manila
      .intercept({ path: '/v2/services?binary=manila-share', method: 'GET' })
      .reply(() => (++n === 1 ? { statusCode: 401, data: 'Authentication required' } : { statusCode: 200, data: { services: [{ id: 1, binary: 'manila-share', host: 'node1@alpha', zone: 'nova', status: 'enabled', state: 'up' }] } }))
      .persist();
    const c = cloud.client();
    const services = await c.listServices({ binary: 'manila-share' });
    expect(services[0].host).toBe('node1@alpha');
    expect(c.tokensIssued).toBe(2);
  });

  test('a second 401 in a row is reported, not looped on', async () => {
    const cloud = mockCloud();
    cloud.manila.intercept({ path: '/v2/share-servers', method: 'GET' }).reply(401, 'Authentication required').persist();
    const c = cloud.client();
    await expect(c.listShareServers()).rejects.toMatchObject({ code: 'MP_MANILA_UNAUTHORIZED' });
    expect(c.tokensIssued).toBe(2);
  });

  test('wrong credentials give MP_AUTH_FAILED without the password in the message', async () => {
    const cloud = mockCloud({ tokenStatus: 401 });
    const err = await cloud.client().listShareServers().catch((e) => e);
    expect(err).toBeInstanceOf(AuthError);
    expect(err.code).toBe('MP_AUTH_FAILED');
    expect(err.requestId).toBe('req-ks-1');
    const text = JSON.stringify(err.toJSON()) + err.message + err.hint + String(err.stack);
    expect(text).not.toContain(SECRET_PASSWORD);
    expect(text).not.toContain(SECRET_TOKEN);
  });

  test('uses the endpoint override instead of the catalog', async () => {
    const cloud = mockCloud();
    const c = cloud.client({ config: mockConfig({ endpointOverride: `${MANILA}/v2/` }) });
    expect(await c.endpoint()).toBe(`${MANILA}/v2`);
  });

  test('explains which endpoints exist when the interface or region has none', async () => {
    const cloud = mockCloud();
    const err = await cloud.client({ config: mockConfig({ interface: 'admin', regionName: 'RegionOne' }) }).endpoint().catch((e) => e);
    expect(err.code).toBe('MP_ENDPOINT_NOT_FOUND');
    expect(err.message).toContain('shared-file-system/admin/RegionTwo');
  });

  test('falls back to sharev2 when only it serves the interface', async () => {
    const cloud = mockCloud();
    expect(await cloud.client({ config: mockConfig({ interface: 'internal' }) }).endpoint()).toBe(`${MANILA}/v2/p1`);
  });

  test('complete returns the destination id; progress normalises 2024.1 empty strings', async () => {
    const cloud = mockCloud();
    cloud.manila.intercept({ path: '/v2/share-servers/srv-1/action', method: 'POST' }).reply(200, { destination_share_server_id: 'dst-1' });
    cloud.manila.intercept({ path: '/v2/share-servers/srv-1/action', method: 'POST' }).reply(200, { total_progress: 0, task_state: '', destination_share_server_id: '' });
    const c = cloud.client();
    expect(await c.migrationComplete('srv-1')).toBe('dst-1');
    expect(await c.migrationGetProgress('srv-1')).toEqual({ totalProgress: 0, taskState: null, destinationShareServerId: null });
  });

  test('a 2xx body without the expected list is a protocol error', async () => {
    const cloud = mockCloud();
    cloud.manila.intercept({ path: '/v2/share-servers', method: 'GET' }).reply(200, { servers: [] });
    await expect(cloud.client().listShareServers()).rejects.toBeInstanceOf(ProtocolError);
  });

  test('findShareServer returns undefined on 404', async () => {
    const cloud = mockCloud();
    cloud.manila.intercept({ path: '/v2/share-servers/gone', method: 'GET' }).reply(404, { itemNotFound: { code: 404, message: 'Share server gone could not be found.' } });
    expect(await cloud.client().findShareServer('gone')).toBeUndefined();
  });

  test('an unreadable cacert is a config error naming the file', () => {
    const cloud = mockCloud();
    expect(() => cloud.client({ config: mockConfig({ cacert: '/nonexistent/ca.pem' }), dispatcher: undefined })).toThrow(ConfigError);
  });

  test('application credentials are sent without a scope', async () => {
    const cloud = mockCloud();
    const c = cloud.client({ config: mockConfig({ auth: { type: 'v3applicationcredential', applicationCredentialId: 'ac1', applicationCredentialSecret: 'sek' } }) });
    await c.endpoint();
    const body = cloud.seen.find((r) => r.path === '/v3/auth/tokens')!.body as { auth: Record<string, unknown> };
    expect(body.auth.scope).toBeUndefined();
    expect(body.auth.identity).toEqual({ methods: ['application_credential'], application_credential: { id: 'ac1', secret: 'sek' } });
  });

  test('renews a token before it expires', async () => {
    const cloud = mockCloud();
    const clock = new FakeClock(Date.parse('2098-12-31T23:00:00Z'));
    const c = cloud.client({ clock });
    await c.endpoint();
    expect(c.tokensIssued).toBe(1);
    // token valid until 2099-01-01T00:00Z; renew margin is 2 min (a quarter of the 1 h lifetime is 15 min)
    clock.t = Date.parse('2098-12-31T23:57:00Z');
    cloud.manila.intercept({ path: '/v2/share-servers', method: 'GET' }).reply(200, { share_servers: [] });
    await c.listShareServers();
    expect(c.tokensIssued).toBe(1);
    clock.t = Date.parse('2098-12-31T23:58:30Z');
    cloud.manila.intercept({ path: '/v2/share-servers', method: 'GET' }).reply(200, { share_servers: [] });
    await c.listShareServers();
    expect(c.tokensIssued).toBe(2);
  });

  test('concurrent calls share one token request', async () => {
    const cloud = mockCloud();
    cloud.manila.intercept({ path: '/v2/share-servers', method: 'GET' }).reply(200, { share_servers: [] }).times(3);
    const c = cloud.client();
    await Promise.all([c.listShareServers(), c.listShareServers(), c.listShareServers()]);
    expect(cloud.seen.filter((r) => r.path === '/v3/auth/tokens')).toHaveLength(1);
  });

  test('tokenBody helper has a catalog with Keystone at the mock origin', () => {
    expect(JSON.stringify(tokenBody())).toContain(KEYSTONE);
  });
});
