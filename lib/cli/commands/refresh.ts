import * as fs from 'node:fs';
import { plural } from '../../util/plural';
import * as path from 'node:path';
import { EXIT } from '../../apply/result';
import type { CloudSnapshot } from '../../snapshot/model';
import { DEFAULT_SNAPSHOT_FILE, writeSnapshotFile } from '../../snapshot/file';
import { takeSnapshot } from '../../snapshot/refresh';
import type { ManilaClient } from '../../manila/client';
import { cliClient, type GlobalOptions } from '../cli-client';
import { readCdktfJson, snapshotPathOf } from '../synth';

/** Options of `refresh`. */
export interface RefreshOptions extends GlobalOptions {
  readonly app?: string;
  readonly out?: string;
}

/** Where refresh writes: --out, else the app's snapshot path, else ./manila-placement.snapshot.json. */
export function snapshotTarget(o: { app?: string; out?: string }): string {
  if (o.out) return path.resolve(o.out);
  const dir = path.resolve(o.app ?? '.');
  if (fs.existsSync(path.join(dir, 'cdktf.json'))) return snapshotPathOf(readCdktfJson(dir));
  return path.join(dir, DEFAULT_SNAPSHOT_FILE);
}

/** Reads the cloud and writes the snapshot atomically (temp file, then rename). */
export async function writeSnapshot(o: GlobalOptions, file: string, shared?: ManilaClient): Promise<CloudSnapshot> {
  // A caller that goes on talking to the cloud (apply) lends its client: one token, not two.
  const client = shared ?? cliClient(o).client;
  try {
    const snap = await takeSnapshot(client);
    writeSnapshotFile(file, snap);
    return snap;
  } finally {
    if (!shared) await client.close();
  }
}

/** `manila-placement refresh`. */
export async function refreshCommand(o: RefreshOptions): Promise<number> {
  const file = snapshotTarget(o);
  const snap = await writeSnapshot(o, file);
  process.stderr.write(
    `Wrote ${file}: ${plural(snap.shareServers.length, 'share server')}, ` +
      `${snap.flatShares?.length ? `${plural(snap.flatShares.length, 'share')} without a share server, ` : ''}${plural(snap.services.length, 'manila-share service')}, ` +
      `${plural(snap.pools.length, 'pool')}, ${plural(snap.shareNetworks.length, 'share network')}, ${plural(snap.shareTypes?.length ?? 0, 'share type')} in use, ` +
      `${snap.projects ? plural(snap.projects.length, 'project name') : 'no project names (Keystone would not list projects)'} (microversion ${snap.microversion}).\n`,
  );
  return EXIT.OK;
}
