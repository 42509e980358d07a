import * as fs from 'node:fs';
import type { ManilaClient } from '../manila/client';
import type { AccessRule, Share, ShareInstance, ShareServer, Snapshot, UserMessage } from '../manila/types';
import { destinationOf, shareRecord } from '../manila/share-record';

/**
 * What `doctor` reads about one share server, from Manila and from the local journal. Only
 * reads; ./diagnose.ts says what it means.
 */

/** One share and what hangs on it. */
export interface ShareEvidence {
  readonly share: Share;
  readonly instances: readonly ShareInstance[];
  readonly rules: readonly AccessRule[];
  readonly snapshots: readonly Snapshot[];
  readonly messages: readonly UserMessage[];
}

/** The journal's last word on a server. */
export interface JournalLine {
  readonly ts: string;
  readonly phase: string;
  readonly code?: string;
  readonly message?: string;
}

/** Everything doctor knows of one server. */
export interface ServerEvidence {
  /** When it was read (ms). */
  readonly at: number;
  readonly server: ShareServer;
  /** Records naming it as their source: destinations of its migrations (in flight, failed, cancelled, or done). */
  readonly destinations: readonly ShareServer[];
  /** Shares on the server, and on each destination record (by its id). */
  readonly shares: readonly ShareEvidence[];
  readonly sharesOnDestinations: Readonly<Record<string, readonly Share[]>>;
  /** Manila's user messages about the server and its destinations. */
  readonly messages: readonly UserMessage[];
  /** The journal's events for this server, the last few. */
  readonly journal: readonly JournalLine[];
}

/**
 * The servers worth a look when none is named: a mark, a migration state, debris pointing at
 * them, or a past move (rules may be left unapplied after one). Destination records are looked
 * at with their source; retired sources (inactive after a successful move) are left alone.
 */
export function serversToExamine(all: readonly ShareServer[]): ShareServer[] {
  const byId = new Map(all.map((s) => [s.id, s] as const));
  const pick = new Set<string>();
  for (const s of all) {
    const source = s.sourceShareServerId ? byId.get(s.sourceShareServerId) : undefined;
    if (source && s.status !== 'active') {
      pick.add(source.id); // a destination in flight, failed or cancelled: its source tells the story
      continue;
    }
    if (s.status === 'inactive' && s.taskState === 'migration_success') continue;
    if (s.status !== 'active' || (s.taskState !== null && s.taskState !== 'migration_success') || s.sourceShareServerId !== null) pick.add(s.id);
  }
  return all.filter((s) => pick.has(s.id));
}

/** The last events of `serverId` in a journal file (missing file: none). */
export function journalLines(file: string | undefined, serverId: string, keep = 5): JournalLine[] {
  if (!file || !fs.existsSync(file)) return [];
  const out: JournalLine[] = [];
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    if (!line.includes(serverId)) continue;
    try {
      const d = JSON.parse(line) as { type?: string; event?: { type?: string; server?: string; ts?: string; phase?: string; code?: string; message?: string } };
      const e = d.event;
      if (d.type !== 'event' || e?.type !== 'move' || e.server !== serverId || !e.ts || !e.phase) continue;
      out.push({ ts: e.ts, phase: e.phase, ...(e.code ? { code: e.code } : {}), ...(e.message ? { message: e.message } : {}) });
    } catch {
      // a torn last line: skipped
    }
  }
  return out.slice(-keep);
}

async function shareEvidence(client: ManilaClient, share: Share): Promise<ShareEvidence> {
  const [instances, rules, snapshots, messages] = await Promise.all([
    client.listShareInstances(share.id),
    client.listAccessRules(share.id),
    client.listSnapshots({ share_id: share.id }),
    client.listMessages(share.id),
  ]);
  return { share, instances, rules, snapshots, messages };
}

/** Reads one server's evidence; `all` is one list of every share server, read once per doctor run. */
export async function readEvidence(
  client: ManilaClient,
  server: ShareServer,
  all: readonly ShareServer[],
  journal: string | undefined,
  now: () => number,
): Promise<ServerEvidence> {
  const destinations = all.filter((s) => s.sourceShareServerId === server.id);
  const [shares, messages, ...onDest] = await Promise.all([
    client.listShares({ share_server_id: server.id }),
    Promise.all([server, ...destinations].map((s) => client.listMessages(s.id))).then((m) => m.flat()),
    ...destinations.map((d) => client.listShares({ share_server_id: d.id })),
  ]);
  return {
    at: now(),
    server,
    destinations,
    shares: await Promise.all(shares.map((s) => shareEvidence(client, s))),
    sharesOnDestinations: Object.fromEntries(destinations.map((d, i) => [d.id, onDest[i]] as const)),
    messages,
    journal: journalLines(journal, server.id),
  };
}

/**
 * Shares that move by themselves (no share server holds them) worth a look: not available, or
 * marked by how their last migration ended.
 */
export function flatSharesToExamine(all: readonly Share[]): Share[] {
  return all.filter((s) => !s.shareServerId && (s.status !== 'available' || (s.taskState !== undefined && s.taskState !== 'migration_success')));
}

/**
 * One share that moves by itself, read as doctor reads a server (../manila/share-record.ts): the
 * share as the record, its `migrating_to` instance as the destination, and itself as its one share.
 */
export async function readShareEvidence(client: ManilaClient, share: Share, journal: string | undefined, now: () => number): Promise<ServerEvidence> {
  const ev = await shareEvidence(client, share);
  const destination = destinationOf(share.id, ev.instances);
  return {
    at: now(),
    server: shareRecord(share),
    destinations: destination ? [destination] : [],
    shares: [ev],
    sharesOnDestinations: {},
    messages: [],
    journal: journalLines(journal, share.id),
  };
}
