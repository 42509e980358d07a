import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ConfigError } from '../../../lib/errors';
import { cloudsYamlCandidates, normaliseAuthUrl, resolveCloudConfig } from '../../../lib/manila/config';

function tmpdir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'mp-config-'));
}

const CLOUDS = `
clouds:
  prod:
    auth:
      auth_url: https://keystone.example.com:5000
      username: admin
      project_name: admin
      user_domain_name: Default
      project_domain_name: Default
    region_name: RegionOne
    interface: internal
    cacert: /etc/ssl/prod-ca.pem
  appcred:
    auth_type: v3applicationcredential
    auth:
      auth_url: https://keystone.example.com/v3/
      application_credential_id: ac-1
      application_credential_secret: sekrit
  broken-type:
    auth_type: v2password
    auth:
      auth_url: https://keystone.example.com/v3
`;

describe('resolveCloudConfig', () => {
  test('GIVEN OS_CLOUD and a clouds.yaml in the working directory THEN its entry is used, with secure.yaml merged in', () => {
    const dir = tmpdir();
    fs.writeFileSync(path.join(dir, 'clouds.yaml'), CLOUDS);
    fs.writeFileSync(path.join(dir, 'secure.yaml'), 'clouds:\n  prod:\n    auth:\n      password: from-secure\n');
    const c = resolveCloudConfig({}, { env: { OS_CLOUD: 'prod' }, cwd: dir, home: dir });
    expect(c).toMatchObject({
      cloudName: 'prod',
      authUrl: 'https://keystone.example.com:5000/v3',
      regionName: 'RegionOne',
      interface: 'internal',
      cacert: '/etc/ssl/prod-ca.pem',
      insecure: false,
      auth: { type: 'password', username: 'admin', password: 'from-secure', userDomainName: 'Default', projectName: 'admin', projectDomainName: 'Default' },
    });
  });

  test('OS_* variables override the clouds.yaml entry, and flags override both', () => {
    const dir = tmpdir();
    fs.writeFileSync(path.join(dir, 'clouds.yaml'), CLOUDS);
    const c = resolveCloudConfig(
      { cloud: 'prod', regionName: 'RegionFlag' },
      { env: { OS_PASSWORD: 'env-pw', OS_REGION_NAME: 'RegionEnv', OS_INTERFACE: 'publicURL' }, cwd: dir, home: dir },
    );
    expect(c.auth).toMatchObject({ password: 'env-pw' });
    expect(c.regionName).toBe('RegionFlag');
    expect(c.interface).toBe('public');
  });

  test('OS_CLIENT_CONFIG_FILE is the only file read when set', () => {
    const dir = tmpdir();
    const file = path.join(dir, 'elsewhere.yaml');
    fs.writeFileSync(file, CLOUDS);
    expect(cloudsYamlCandidates({ env: { OS_CLIENT_CONFIG_FILE: file } })).toEqual([file]);
    const c = resolveCloudConfig({}, { env: { OS_CLIENT_CONFIG_FILE: file, OS_CLOUD: 'appcred' }, cwd: '/nonexistent', home: '/nonexistent' });
    expect(c.auth).toEqual({
      type: 'v3applicationcredential',
      applicationCredentialId: 'ac-1',
      applicationCredentialName: undefined,
      applicationCredentialSecret: 'sekrit',
      username: undefined,
      userId: undefined,
      userDomainName: undefined,
      userDomainId: 'default',
    });
    expect(c.authUrl).toBe('https://keystone.example.com/v3');
  });

  test('looks in the working directory, then ~/.config/openstack, then /etc/openstack', () => {
    expect(cloudsYamlCandidates({ env: {}, cwd: '/w', home: '/h' })).toEqual(['/w/clouds.yaml', '/h/.config/openstack/clouds.yaml', '/etc/openstack/clouds.yaml']);
  });

  test('OS_* variables alone make a cloud (openrc style)', () => {
    const c = resolveCloudConfig({}, {
      env: { OS_AUTH_URL: 'http://127.0.0.1:5000/v3', OS_USERNAME: 'admin', OS_PASSWORD: 'pw', OS_PROJECT_NAME: 'admin', OS_USER_DOMAIN_NAME: 'Default', OS_PROJECT_DOMAIN_ID: 'default', OS_INSECURE: 'true' },
      cwd: '/nonexistent',
      home: '/nonexistent',
    });
    expect(c.cloudName).toBeUndefined();
    expect(c.insecure).toBe(true);
    expect(c.auth).toMatchObject({ type: 'password', username: 'admin', projectName: 'admin', projectDomainId: 'default' });
  });

  test('OS_TOKEN alone selects token auth', () => {
    const c = resolveCloudConfig({}, { env: { OS_AUTH_URL: 'http://127.0.0.1:5000', OS_TOKEN: 'tok', OS_PROJECT_ID: 'p1' }, cwd: '/x', home: '/x' });
    expect(c.auth).toMatchObject({ type: 'token', token: 'tok', projectId: 'p1' });
  });

  const errorCases: Array<[string, () => unknown, string, RegExp]> = [
    ['no cloud at all', () => resolveCloudConfig({}, { env: {}, cwd: '/x', home: '/x' }), 'MP_NO_CLOUD', /OS_CLOUD/],
    [
      'an unknown cloud name lists the defined ones',
      () => {
        const dir = tmpdir();
        fs.writeFileSync(path.join(dir, 'clouds.yaml'), CLOUDS);
        return resolveCloudConfig({ cloud: 'nope' }, { env: {}, cwd: dir, home: dir });
      },
      'MP_CLOUD_NOT_FOUND',
      /appcred, broken-type, prod/,
    ],
    ['no clouds.yaml anywhere', () => resolveCloudConfig({ cloud: 'prod' }, { env: {}, cwd: '/nonexistent', home: '/nonexistent' }), 'MP_CLOUDS_YAML_NOT_FOUND', /clouds\.yaml/],
    [
      'bad YAML names the file',
      () => {
        const dir = tmpdir();
        fs.writeFileSync(path.join(dir, 'clouds.yaml'), 'clouds:\n  prod:\n    auth: [unclosed\n');
        return resolveCloudConfig({ cloud: 'prod' }, { env: {}, cwd: dir, home: dir });
      },
      'MP_CLOUDS_YAML_INVALID',
      /clouds\.yaml is not valid YAML/,
    ],
    [
      'YAML that is not a clouds.yaml',
      () => {
        const dir = tmpdir();
        fs.writeFileSync(path.join(dir, 'clouds.yaml'), '- just\n- a list\n');
        return resolveCloudConfig({ cloud: 'prod' }, { env: {}, cwd: dir, home: dir });
      },
      'MP_CLOUDS_YAML_INVALID',
      /does not look like a clouds.yaml/,
    ],
    [
      'an unsupported auth type',
      () => {
        const dir = tmpdir();
        fs.writeFileSync(path.join(dir, 'clouds.yaml'), CLOUDS);
        return resolveCloudConfig({ cloud: 'broken-type' }, { env: {}, cwd: dir, home: dir });
      },
      'MP_AUTH_TYPE_UNSUPPORTED',
      /v2password/,
    ],
    [
      'a password cloud without a password',
      () => {
        const dir = tmpdir();
        fs.writeFileSync(path.join(dir, 'clouds.yaml'), CLOUDS);
        return resolveCloudConfig({ cloud: 'prod' }, { env: {}, cwd: dir, home: dir });
      },
      'MP_AUTH_INCOMPLETE',
      /password/,
    ],
    ['a Keystone v2.0 URL', () => normaliseAuthUrl('http://k:5000/v2.0', 'test'), 'MP_CONFIG_AUTH_URL', /v2\.0/],
    ['a bad interface', () => resolveCloudConfig({ interface: 'private' }, { env: { OS_AUTH_URL: 'http://k/v3', OS_TOKEN: 't' }, cwd: '/x', home: '/x' }), 'MP_CONFIG_INTERFACE', /private/],
  ];

  test.each(errorCases)('%s gives a config error with a code and a hint', (_name, run, code, message) => {
    let err: unknown;
    try {
      run();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).code).toBe(code);
    expect((err as ConfigError).message).toMatch(message);
    expect((err as ConfigError).hint.length).toBeGreaterThan(10);
  });

  test('error messages never contain the password or secret', () => {
    const dir = tmpdir();
    fs.writeFileSync(path.join(dir, 'clouds.yaml'), 'clouds:\n  c:\n    auth_type: weird\n    auth:\n      auth_url: http://k/v3\n      password: TOPSECRET\n');
    try {
      resolveCloudConfig({ cloud: 'c' }, { env: {}, cwd: dir, home: dir });
      throw new Error('expected a failure');
    } catch (e) {
      expect(JSON.stringify((e as ConfigError).toJSON())).not.toContain('TOPSECRET');
    }
  });
});
