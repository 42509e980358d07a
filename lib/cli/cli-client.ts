import { CallCounter, moveScope } from '../apply/scope';
import { Journal } from '../apply/journal';
import { ManilaClient } from '../manila/client';
import { resolveCloudConfig } from '../manila/config';
import type { Exchange } from '../manila/http';
import { secondsFlag } from './flags';

/** Options every command takes (the `openstack` client's names). */
export interface GlobalOptions {
  readonly osCloud?: string;
  readonly osRegionName?: string;
  readonly osInterface?: string;
  readonly osEndpointOverride?: string;
  readonly osCacert?: string;
  readonly insecure?: boolean;
  readonly timeout?: string;
  readonly debug?: boolean;
  readonly journal?: string;
}

/** A client wired to the journal, the --debug output and the per-move call counter. */
export interface CliClient {
  readonly client: ManilaClient;
  readonly calls: CallCounter;
  readonly journal?: Journal;
}

/** Builds the client for a command from flags, OS_* and clouds.yaml. No request is made yet. */
export function cliClient(g: GlobalOptions, opts: { journalDefault?: string; maxRequestRate?: number } = {}): CliClient {
  const config = resolveCloudConfig({
    cloud: g.osCloud,
    regionName: g.osRegionName,
    interface: g.osInterface,
    endpointOverride: g.osEndpointOverride,
    cacert: g.osCacert,
    insecure: g.insecure ? true : undefined,
  });
  const calls = new CallCounter();
  const journalFile = g.journal ?? opts.journalDefault;
  const journal = journalFile ? new Journal(journalFile) : undefined;
  const onExchange = (e: Exchange): void => {
    calls.add();
    const key = moveScope.getStore()?.key;
    journal?.write({ type: 'http', move: key, ...e });
    if (g.debug) {
      process.stderr.write(`DEBUG ${e.method} ${e.path} -> ${e.status ?? e.error} (${e.durationMs} ms${e.requestId ? `, ${e.requestId}` : ''}${key ? `, move ${key}` : ''})\n`);
    }
  };
  const client = new ManilaClient({
    config,
    timeoutMs: secondsFlag(g.timeout, '--timeout'),
    onExchange,
    onInsecure: (m) => process.stderr.write(`WARNING: ${m}\n`),
    maxRequestRate: opts.maxRequestRate,
  });
  return { client, calls, journal };
}
