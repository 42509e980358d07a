import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ConfigError } from '../errors';
import { parseOrThrow } from '../util/parse';

/** Keystone v3 password authentication. */
export interface PasswordAuth {
  readonly type: 'password';
  readonly username?: string;
  readonly userId?: string;
  readonly password: string;
  readonly userDomainName?: string;
  readonly userDomainId?: string;
  readonly projectName?: string;
  readonly projectId?: string;
  readonly projectDomainName?: string;
  readonly projectDomainId?: string;
}

/** Keystone v3 application credential authentication (never sends a scope: Keystone refuses one). */
export interface ApplicationCredentialAuth {
  readonly type: 'v3applicationcredential';
  readonly applicationCredentialId?: string;
  readonly applicationCredentialName?: string;
  readonly applicationCredentialSecret: string;
  /** Needed with a credential name: the owner. */
  readonly username?: string;
  readonly userId?: string;
  readonly userDomainName?: string;
  readonly userDomainId?: string;
}

/** An existing Keystone token, optionally rescoped to a project. */
export interface TokenAuth {
  readonly type: 'token';
  readonly token: string;
  readonly projectName?: string;
  readonly projectId?: string;
  readonly projectDomainName?: string;
  readonly projectDomainId?: string;
}

/** How to authenticate. */
export type AuthConfig = PasswordAuth | ApplicationCredentialAuth | TokenAuth;

/** Everything needed to reach one cloud's Manila, resolved the OpenStack way. */
export interface CloudConfig {
  /** Name of the clouds.yaml entry, when one was used. */
  readonly cloudName?: string;
  /** Keystone v3 URL, ending in `/v3`. */
  readonly authUrl: string;
  /** Credentials. */
  readonly auth: AuthConfig;
  /** Catalog region. @default the first endpoint of the right interface */
  readonly regionName?: string;
  /** Catalog interface. @default 'public' */
  readonly interface: 'public' | 'internal' | 'admin';
  /** Use this Manila endpoint instead of the catalog's. */
  readonly endpointOverride?: string;
  /** CA bundle file for TLS verification. */
  readonly cacert?: string;
  /** Client certificate and key files. */
  readonly cert?: string;
  readonly key?: string;
  /** Skip TLS verification. @default false */
  readonly insecure: boolean;
  /** Highest microversion to request (manilaclient's OS_SHARE_API_VERSION). @default the client's maximum */
  readonly maxMicroversion?: string;
}

/** Where to look, and what to read. Injected so tests can point at temporary files. */
export interface ConfigSources {
  /** Environment (OS_* variables). @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Working directory (for ./clouds.yaml). @default process.cwd() */
  readonly cwd?: string;
  /** Home directory. @default os.homedir() */
  readonly home?: string;
}

/** Options that beat both clouds.yaml and OS_* variables (CLI flags). */
export interface ConfigOverrides {
  /** The cloud to use (--os-cloud). @default OS_CLOUD */
  readonly cloud?: string;
  readonly regionName?: string;
  readonly interface?: string;
  readonly endpointOverride?: string;
  readonly insecure?: boolean;
  readonly cacert?: string;
}

const cloudEntrySchema = z
  .object({
    auth_type: z.string().optional(),
    auth: z.record(z.string(), z.unknown()).optional(),
    region_name: z.string().optional(),
    interface: z.string().optional(),
    endpoint_type: z.string().optional(),
    cacert: z.string().optional(),
    cert: z.string().optional(),
    key: z.string().optional(),
    verify: z.boolean().optional(),
    insecure: z.boolean().optional(),
    shared_file_system_endpoint_override: z.string().optional(),
    sharev2_endpoint_override: z.string().optional(),
    share_api_version: z.union([z.string(), z.number()]).optional(),
  })
  .loose();

const cloudsFileSchema = z.object({ clouds: z.record(z.string(), cloudEntrySchema.nullable()) }).loose();

type RawCloud = z.infer<typeof cloudEntrySchema>;

/** Files searched for clouds.yaml, in openstacksdk's order. */
export function cloudsYamlCandidates(src: ConfigSources = {}): string[] {
  const env = src.env ?? process.env;
  if (env.OS_CLIENT_CONFIG_FILE) return [env.OS_CLIENT_CONFIG_FILE];
  const cwd = src.cwd ?? process.cwd();
  const home = src.home ?? os.homedir();
  return [path.join(cwd, 'clouds.yaml'), path.join(home, '.config', 'openstack', 'clouds.yaml'), '/etc/openstack/clouds.yaml'];
}

function secureYamlCandidates(src: ConfigSources, cloudsFile: string): string[] {
  const env = src.env ?? process.env;
  if (env.OS_CLIENT_SECURE_FILE) return [env.OS_CLIENT_SECURE_FILE];
  const cwd = src.cwd ?? process.cwd();
  const home = src.home ?? os.homedir();
  return [
    path.join(path.dirname(cloudsFile), 'secure.yaml'),
    path.join(cwd, 'secure.yaml'),
    path.join(home, '.config', 'openstack', 'secure.yaml'),
    '/etc/openstack/secure.yaml',
  ];
}

function readYamlClouds(file: string): Record<string, RawCloud | null> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError('MP_CLOUDS_YAML_UNREADABLE', `Cannot read ${file}: ${(e as Error).message}`, 'Check the path in OS_CLIENT_CONFIG_FILE and the file permissions.');
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (e) {
    throw new ConfigError('MP_CLOUDS_YAML_INVALID', `${file} is not valid YAML: ${(e as Error).message.split('\n')[0]}`, 'Fix the YAML syntax (indentation, quoting) in that file.');
  }
  const parsed = parseOrThrow(
    cloudsFileSchema,
    doc,
    (issue, at) =>
      new ConfigError(
        'MP_CLOUDS_YAML_INVALID',
        `${file} does not look like a clouds.yaml: ${at}: ${issue.message}`,
        'A clouds.yaml has a top-level `clouds:` mapping of cloud names to entries with an `auth:` mapping.',
      ),
  );
  return parsed.clouds;
}

function deepMerge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const cur = out[k];
    if (v && typeof v === 'object' && !Array.isArray(v) && cur && typeof cur === 'object' && !Array.isArray(cur)) {
      out[k] = deepMerge(cur as Record<string, unknown>, v as Record<string, unknown>);
    } else {
      out[k] = v;
    }
  }
  return out;
}

/** OS_* variable → key in a clouds.yaml `auth:` mapping. */
const ENV_AUTH_KEYS: ReadonlyArray<[string, string]> = [
  ['OS_AUTH_URL', 'auth_url'],
  ['OS_USERNAME', 'username'],
  ['OS_USER_ID', 'user_id'],
  ['OS_PASSWORD', 'password'],
  ['OS_PROJECT_NAME', 'project_name'],
  ['OS_TENANT_NAME', 'project_name'],
  ['OS_PROJECT_ID', 'project_id'],
  ['OS_TENANT_ID', 'project_id'],
  ['OS_USER_DOMAIN_NAME', 'user_domain_name'],
  ['OS_USER_DOMAIN_ID', 'user_domain_id'],
  ['OS_PROJECT_DOMAIN_NAME', 'project_domain_name'],
  ['OS_PROJECT_DOMAIN_ID', 'project_domain_id'],
  ['OS_DEFAULT_DOMAIN', 'default_domain'],
  ['OS_APPLICATION_CREDENTIAL_ID', 'application_credential_id'],
  ['OS_APPLICATION_CREDENTIAL_NAME', 'application_credential_name'],
  ['OS_APPLICATION_CREDENTIAL_SECRET', 'application_credential_secret'],
  ['OS_TOKEN', 'token'],
];

function str(v: unknown): string | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  return String(v);
}

function truthy(v: string | undefined): boolean | undefined {
  if (v === undefined || v === '') return undefined;
  return /^(1|t|true|on|y|yes)$/i.test(v);
}

function normaliseInterface(v: string | undefined, where: string): 'public' | 'internal' | 'admin' {
  if (!v) return 'public';
  const i = v.toLowerCase().replace(/url$/, '');
  if (i === 'public' || i === 'internal' || i === 'admin') return i;
  throw new ConfigError('MP_CONFIG_INTERFACE', `Unknown endpoint interface '${v}' (from ${where}).`, "Use one of 'public', 'internal' or 'admin'.");
}

/** Keystone v3 URL: keep a `/v3` path, add it to a bare host URL, refuse v2.0. */
export function normaliseAuthUrl(url: string, where: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new ConfigError('MP_CONFIG_AUTH_URL', `auth_url '${url}' (from ${where}) is not a URL.`, 'Set auth_url to the Keystone endpoint, e.g. https://keystone.example.com:5000/v3.');
  }
  const p = u.pathname.replace(/\/+$/, '');
  if (/\/v2\.0$/.test(p)) {
    throw new ConfigError('MP_CONFIG_AUTH_URL', `auth_url '${url}' (from ${where}) points at Keystone v2.0, which manila-placement does not speak.`, 'Use the Keystone v3 URL (ending in /v3).');
  }
  u.pathname = /\/v3$/.test(p) ? p : `${p}/v3`;
  return u.toString().replace(/\/$/, '');
}

const PASSWORD_TYPES = new Set(['password', 'v3password']);
const APPCRED_TYPES = new Set(['v3applicationcredential', 'applicationcredential', 'application_credential', 'v3_application_credential']);
const TOKEN_TYPES = new Set(['token', 'v3token']);

function buildAuth(type: string, a: Record<string, unknown>, where: string): AuthConfig {
  const defaultDomain = str(a.default_domain);
  const userDomainId = str(a.user_domain_id) ?? (str(a.user_domain_name) || str(a.domain_id) || str(a.domain_name) ? undefined : defaultDomain);
  const userDomainName = str(a.user_domain_name) ?? str(a.domain_name);
  const projectDomainId = str(a.project_domain_id) ?? (str(a.project_domain_name) ? undefined : defaultDomain);
  const projectDomainName = str(a.project_domain_name);
  const missing = (field: string, env: string): never => {
    throw new ConfigError(
      'MP_AUTH_INCOMPLETE',
      `${where}: ${type} authentication needs '${field}', which is not set.`,
      `Add '${field}' under 'auth:' in clouds.yaml (or secure.yaml), or set ${env}.`,
    );
  };
  if (PASSWORD_TYPES.has(type)) {
    const password = str(a.password) ?? missing('password', 'OS_PASSWORD');
    if (!str(a.username) && !str(a.user_id)) missing('username', 'OS_USERNAME');
    return {
      type: 'password',
      username: str(a.username),
      userId: str(a.user_id),
      password,
      userDomainName,
      userDomainId: userDomainId ?? (userDomainName ? undefined : 'default'),
      projectName: str(a.project_name) ?? str(a.tenant_name),
      projectId: str(a.project_id) ?? str(a.tenant_id),
      projectDomainName,
      projectDomainId: projectDomainId ?? (projectDomainName ? undefined : 'default'),
    };
  }
  if (APPCRED_TYPES.has(type)) {
    const secret = str(a.application_credential_secret) ?? missing('application_credential_secret', 'OS_APPLICATION_CREDENTIAL_SECRET');
    const id = str(a.application_credential_id);
    const name = str(a.application_credential_name);
    if (!id && !name) missing('application_credential_id', 'OS_APPLICATION_CREDENTIAL_ID');
    if (!id && !str(a.username) && !str(a.user_id)) missing('username', 'OS_USERNAME');
    return {
      type: 'v3applicationcredential',
      applicationCredentialId: id,
      applicationCredentialName: name,
      applicationCredentialSecret: secret,
      username: str(a.username),
      userId: str(a.user_id),
      userDomainName,
      userDomainId: userDomainId ?? (userDomainName ? undefined : 'default'),
    };
  }
  if (TOKEN_TYPES.has(type)) {
    const token = str(a.token) ?? missing('token', 'OS_TOKEN');
    return {
      type: 'token',
      token,
      projectName: str(a.project_name),
      projectId: str(a.project_id),
      projectDomainName,
      projectDomainId: projectDomainId ?? (projectDomainName ? undefined : 'default'),
    };
  }
  throw new ConfigError(
    'MP_AUTH_TYPE_UNSUPPORTED',
    `${where}: auth_type '${type}' is not supported.`,
    "Use 'password', 'v3applicationcredential' or 'token' (Keystone v3).",
  );
}

/**
 * Resolves the cloud to talk to, as the `openstack` client does: the clouds.yaml entry named by
 * `--os-cloud` or `OS_CLOUD` (merged with secure.yaml), then OS_* variables over it, then flags.
 * Without a cloud name, OS_* variables alone (OS_AUTH_URL and credentials) are used.
 * Reads files; makes no request.
 */
export function resolveCloudConfig(overrides: ConfigOverrides = {}, src: ConfigSources = {}): CloudConfig {
  const env = src.env ?? process.env;
  const cloudName = overrides.cloud ?? str(env.OS_CLOUD);
  let raw: RawCloud = {};
  let where = 'OS_* environment variables';
  if (cloudName) {
    const candidates = cloudsYamlCandidates(src);
    const file = candidates.find((f) => fs.existsSync(f));
    if (!file) {
      throw new ConfigError(
        'MP_CLOUDS_YAML_NOT_FOUND',
        `Cloud '${cloudName}' was requested but no clouds.yaml was found (looked in ${candidates.join(', ')}).`,
        'Create a clouds.yaml in one of those places, or set OS_CLIENT_CONFIG_FILE to its path.',
      );
    }
    const clouds = readYamlClouds(file);
    const entry = clouds[cloudName];
    if (entry === undefined) {
      const names = Object.keys(clouds).sort();
      throw new ConfigError(
        'MP_CLOUD_NOT_FOUND',
        `Cloud '${cloudName}' is not defined in ${file} (it defines: ${names.join(', ') || 'none'}).`,
        'Use one of the names listed, or add the cloud to clouds.yaml.',
      );
    }
    raw = (entry ?? {}) as RawCloud;
    const secureFile = secureYamlCandidates(src, file).find((f) => fs.existsSync(f));
    if (secureFile) {
      const secure = readYamlClouds(secureFile)[cloudName];
      if (secure) raw = deepMerge(raw, secure) as RawCloud;
    }
    where = `cloud '${cloudName}' in ${file}`;
  } else if (!env.OS_AUTH_URL) {
    throw new ConfigError(
      'MP_NO_CLOUD',
      'No cloud selected: neither --os-cloud, OS_CLOUD nor OS_AUTH_URL is set.',
      'Set OS_CLOUD to a cloud in your clouds.yaml (or pass --os-cloud NAME), or source an openrc file that sets OS_AUTH_URL and credentials.',
    );
  }

  const auth: Record<string, unknown> = { ...(raw.auth ?? {}) };
  for (const [envKey, key] of ENV_AUTH_KEYS) {
    const v = str(env[envKey]);
    if (v !== undefined) auth[key] = v;
  }
  let type = (str(env.OS_AUTH_TYPE) ?? raw.auth_type ?? '').toLowerCase();
  if (!type) {
    if (auth.application_credential_secret) type = 'v3applicationcredential';
    else if (auth.token && !auth.password) type = 'token';
    else type = 'password';
  }
  const authUrl = str(auth.auth_url);
  if (!authUrl) {
    throw new ConfigError('MP_AUTH_INCOMPLETE', `${where}: 'auth_url' is not set.`, "Add 'auth_url' under 'auth:' in clouds.yaml, or set OS_AUTH_URL.");
  }
  const insecureRaw = overrides.insecure ?? truthy(env.OS_INSECURE) ?? raw.insecure ?? (raw.verify === false ? true : undefined);
  return {
    cloudName,
    authUrl: normaliseAuthUrl(authUrl, where),
    auth: buildAuth(type, auth, where),
    regionName: overrides.regionName ?? str(env.OS_REGION_NAME) ?? raw.region_name,
    interface: normaliseInterface(overrides.interface ?? str(env.OS_INTERFACE) ?? str(env.OS_ENDPOINT_TYPE) ?? raw.interface ?? raw.endpoint_type, where),
    endpointOverride:
      overrides.endpointOverride ??
      str(env.OS_SHARED_FILE_SYSTEM_ENDPOINT_OVERRIDE) ??
      raw.shared_file_system_endpoint_override ??
      raw.sharev2_endpoint_override,
    cacert: overrides.cacert ?? str(env.OS_CACERT) ?? raw.cacert,
    cert: str(env.OS_CERT) ?? raw.cert,
    key: str(env.OS_KEY) ?? raw.key,
    insecure: insecureRaw === true,
    maxMicroversion: str(env.OS_SHARE_API_VERSION) ?? str(raw.share_api_version),
  };
}
