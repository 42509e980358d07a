/**
 * Keystone authentication against the test bed's real Keystone, through its clouds.yaml.
 */
import { AuthError, ManilaApiError } from '../../../lib/errors';
import { ManilaClient } from '../../../lib/manila/client';
import { resolveCloudConfig } from '../../../lib/manila/config';
import { MAX_MICROVERSION, minMicroversion } from '../../../lib/manila/microversion';
import { clientFor, manilaUrl, testbed } from '../../helper/testbed';

jest.setTimeout(180_000);

function tokenLifetimeSeconds(): number {
  const clouds = testbed().clouds as Record<string, { token_expiration_seconds?: number }>;
  return clouds['testbed-short'].token_expiration_seconds ?? 60;
}

test.each(['testbed', 'testbed-appcred'])('cloud %s (password / application credential) reads share servers', async (cloud) => {
  const c = clientFor(cloud);
  try {
    const servers = await c.listShareServers();
    expect(servers.length).toBeGreaterThanOrEqual(6);
    // What this test bed's Manila offers, capped at ours (Zed: 2.73; Epoxy: 2.89).
    const offered = (testbed() as unknown as { manila: { max_microversion: string } }).manila.max_microversion;
    expect(await c.microversion()).toBe(minMicroversion(offered, MAX_MICROVERSION));
    expect(await c.endpoint()).toBe(`${manilaUrl()}/v2`);
  } finally {
    await c.close();
  }
});

test("the admin lists the projects' names from Keystone: the test bed's admin and demo projects by name; a member may not, and gets ids", async () => {
  const admin = clientFor('testbed');
  const member = clientFor('testbed-member');
  try {
    const projects = testbed().projects as Record<string, { id: string; name: string }>;
    const names = await admin.listProjectNames();
    expect(names).toEqual(expect.arrayContaining([projects.admin, projects.demo].map((p) => ({ id: p.id, name: p.name }))));
    expect(names!.find((p) => p.id === projects.demo.id)?.name).toBe('demo');
    // Keystone answers 403 to a member's GET /v3/projects: no names, and nothing fails.
    expect(await member.listProjectNames()).toBeUndefined();
  } finally {
    await admin.close();
    await member.close();
  }
});

test('a wrong password gives MP_AUTH_FAILED with Keystone request id, and no secret', async () => {
  const config = resolveCloudConfig({ cloud: 'testbed' }, { env: { OS_CLIENT_CONFIG_FILE: testbed().clouds_yaml, OS_PASSWORD: 'definitely-wrong-pw' } });
  const c = new ManilaClient({ config });
  const err = await c.listShareServers().catch((e) => e);
  await c.close();
  expect(err).toBeInstanceOf(AuthError);
  expect(err.code).toBe('MP_AUTH_FAILED');
  expect(err.status).toBe(401);
  expect(err.requestId).toMatch(/^req-/);
  expect(JSON.stringify(err.toJSON()) + err.message).not.toContain('definitely-wrong-pw');
});

test('member (non-admin) credentials get a clear "needs admin" error', async () => {
  for (const cloud of ['testbed-member', 'testbed-member-appcred']) {
    const c = clientFor(cloud);
    const err = await c.listShareServers().catch((e) => e);
    await c.close();
    expect(err).toBeInstanceOf(ManilaApiError);
    expect(err).toMatchObject({ status: 403, code: 'MP_MANILA_FORBIDDEN' });
    expect(err.hint).toMatch(/admin/);
    expect(err.requestId).toMatch(/^req-/);
  }
});

test('a token that expires mid-sequence is renewed after Manila answers 401', async () => {
  // GIVEN a client that never renews early, on the short-lived Keystone
  const lifetime = tokenLifetimeSeconds();
  const c = clientFor('testbed-short', { renewTokenBeforeMs: 0, clock: { now: () => Date.now() - 3600_000, sleep: (ms) => new Promise((r) => setTimeout(r, ms)) } });
  try {
    await c.listShareServers();
    expect(c.tokensIssued).toBe(1);
    // WHEN the token expires for real
    await new Promise((r) => setTimeout(r, (lifetime + 2) * 1000));
    // THEN Manila's 401 makes the client authenticate once more, and the call succeeds
    const servers = await c.listShareServers();
    expect(servers.length).toBeGreaterThan(0);
    expect(c.tokensIssued).toBe(2);
  } finally {
    await c.close();
  }
});

test('a sequence longer than a token lifetime renews before expiry and never sees a 401', async () => {
  const lifetime = tokenLifetimeSeconds();
  const statuses: number[] = [];
  const c = clientFor('testbed-short', { onExchange: (e) => e.status && statuses.push(e.status) });
  try {
    const end = Date.now() + (lifetime + 3) * 1000;
    while (Date.now() < end) {
      await c.listServices({ binary: 'manila-share' });
      await new Promise((r) => setTimeout(r, 2000));
    }
    expect(c.tokensIssued).toBeGreaterThanOrEqual(2);
    expect(statuses).not.toContain(401);
  } finally {
    await c.close();
  }
});
