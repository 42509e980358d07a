import type { SimShare, SimStore } from './model';
import type { StateList } from './sequence';
import { type RawInstance, ShareStates } from './share-sequence';

/**
 * The simulator's exhaustive record of one share migration (beside ./trace.ts for share
 * servers): every state the share and its destination instance went through, normalised as an
 * observer's samples are (./share-sequence.ts). What any client can observe of the share is a
 * subsequence of its list here.
 */
export class ShareTrace {
  private readonly states: ShareStates;

  constructor(store: SimStore, shareId: string, hosts: { readonly SRC: string; readonly DST: string }) {
    this.states = new ShareStates(hosts);
    const sh = store.shares.get(shareId);
    if (sh) this.sample(sh);
    store.onShareChange((c) => {
      if (c.share.id === shareId) this.sample(c.share);
    });
  }

  /** The share's record as the API would show it at this instant. */
  private sample(sh: Readonly<SimShare>): void {
    const own: RawInstance = { id: sh.instanceId, status: sh.status, host: sh.host };
    const instances = sh.destination ? [own, { id: sh.destination.id, status: sh.destination.status, host: sh.destination.host }] : [own];
    this.states.seen({ status: sh.status, task_state: sh.taskState, host: sh.host }, instances);
  }

  /** Every distinct state of the share, with its instances, in order. */
  public get S(): StateList {
    return this.states.S;
  }

  /** Every distinct state of the destination instance, in order. */
  public get D(): StateList {
    return this.states.D;
  }
}
