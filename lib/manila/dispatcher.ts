import * as fs from 'node:fs';
import { Agent, type Dispatcher } from 'undici';
import { ConfigError } from '../errors';
import type { CloudConfig } from './config';

/** Builds the undici Agent for a cloud: TLS verification on unless `insecure`, `cacert` honoured. */
export function dispatcherFor(config: CloudConfig, onInsecure?: (m: string) => void): Dispatcher {
  const read = (file: string, what: string): Buffer => {
    try {
      return fs.readFileSync(file);
    } catch (e) {
      throw new ConfigError('MP_CONFIG_TLS_FILE', `Cannot read the ${what} file ${file}: ${(e as Error).message}`, `Fix the '${what}' path in clouds.yaml (or OS_CACERT / OS_CERT / OS_KEY).`);
    }
  };
  const connect: Record<string, unknown> = {};
  if (config.cacert) connect.ca = read(config.cacert, 'cacert');
  if (config.cert) connect.cert = read(config.cert, 'cert');
  if (config.key) connect.key = read(config.key, 'key');
  if (config.insecure) {
    connect.rejectUnauthorized = false;
    (onInsecure ?? ((m) => process.stderr.write(`WARNING: ${m}\n`)))(
      `TLS certificate verification is disabled for ${config.cloudName ? `cloud '${config.cloudName}'` : config.authUrl} (insecure). Use cacert instead.`,
    );
  }
  return new Agent({ connect, keepAliveTimeout: 10_000 });
}
