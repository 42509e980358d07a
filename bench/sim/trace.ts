import type { SimStore, SimServer } from './model';
import type { ServerRole, StateList } from './sequence';

/**
 * The simulator's exhaustive record of one migration: every state S and its destination went
 * through, normalised as the sequence recorder normalises observations. What any client can
 * observe of either server is a subsequence of its list here.
 */
export class StateTrace {
  private readonly lists: Record<ServerRole, string[]> = { S: [], D: [] };
  private destId?: string;

  constructor(store: SimStore, sourceId: string, private readonly hosts: { readonly SRC: string; readonly DST: string }) {
    this.push('S', store.servers.get(sourceId));
    store.onServerChange((c) => {
      if (c.server.id === sourceId) this.push('S', c.deleted ? undefined : c.server);
      else if (c.server.id === this.destId) this.push('D', c.deleted ? undefined : c.server);
      else if (this.destId === undefined && c.server.sourceShareServerId === sourceId) {
        this.destId = c.server.id;
        this.push('D', c.server);
      }
    });
  }

  private host(h: string): string {
    return h === this.hosts.SRC ? 'SRC' : h === this.hosts.DST ? 'DST' : h;
  }

  private push(role: ServerRole, s: Readonly<SimServer> | undefined): void {
    const state = s ? `${s.status}/${s.taskState ?? 'null'}@${this.host(s.host)}` : 'gone';
    const list = this.lists[role];
    if (list[list.length - 1] !== state) list.push(state);
  }

  /** Every distinct state of the source, in order. */
  public get S(): StateList {
    return this.lists.S;
  }

  /** Every distinct state of the destination (once it points at S), in order. */
  public get D(): StateList {
    return this.lists.D;
  }
}
