import { InputError } from '../../../lib/errors';
import { SharePlacement, type SharePlacementProps } from '../../../lib/constructs/share-placement';
import { HostEvacuation } from '../../../lib/constructs/host-evacuation';
import { ShareServerPlacement } from '../../../lib/constructs/share-server-placement';
import { share, SnapshotBuilder } from '../../helper/snapshot-builder';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parsePlanText, PLAN_FILE_NAME } from '../../../lib/plan/file';
import { caught, fullSynth, newStack, synth, writeSnapshot } from './helpers';

const EPSILON = 'node1@epsilon#fake_pool_for_EPSILON';

function build(props: SharePlacementProps): SharePlacement {
  const { stack } = newStack();
  return new SharePlacement(stack, 'move', props);
}

/** A cloud with flat shares fs-1, fs-2 on node1@delta and a DHSS server srv-1 holding share-of-srv-1 on node1@alpha. */
function flatCloud(): string {
  return writeSnapshot(
    new SnapshotBuilder()
      .host('node1@alpha')
      .host('node1@delta', { dhss: false })
      .host('node1@epsilon', { dhss: false })
      .server('srv-1')
      .flatShare('fs-1', 'node1@delta#fake_pool_for_DELTA')
      .flatShare('fs-2', 'node1@delta#fake_pool_for_DELTA')
      .build(),
  );
}

describe('SharePlacement', () => {
  it('GIVEN shares and a pool WHEN created THEN a share placement with preserve_metadata left to its default (true)', () => {
    expect(build({ shares: ['fs-1'], pool: EPSILON, writable: true }).toDeclaration()).toEqual({
      kind: 'placement',
      path: 'placement/move',
      select: { shares: ['fs-1'] },
      resource: 'share',
      host: EPSILON,
      flags: { writable: true, nondisruptive: false, preserveSnapshots: false },
      completion: 'auto',
    });
  });

  it('GIVEN preserveMetadata false WHEN created THEN the flags carry it', () => {
    expect(build({ shareType: 'flat', pool: EPSILON, preserveMetadata: false }).toDeclaration().flags).toEqual({ writable: false, nondisruptive: false, preserveSnapshots: false, preserveMetadata: false });
  });

  it('GIVEN forceHostAssisted true WHEN created THEN MP_HOST_ASSISTED_UNSUPPORTED naming the data service it would need', () => {
    const err = caught(() => build({ shares: ['fs-1'], pool: EPSILON, forceHostAssisted: true }));
    expect(err).toBeInstanceOf(InputError);
    expect(err.code).toBe('MP_HOST_ASSISTED_UNSUPPORTED');
    expect(err.message).toContain('placement/move');
    expect(err.message).toContain('manila-data');
  });

  it('GIVEN a pool without #pool WHEN created THEN MP_POOL_FORMAT with an example', () => {
    const err = caught(() => build({ shares: ['fs-1'], pool: 'node1@epsilon' }));
    expect(err.code).toBe('MP_POOL_FORMAT');
    expect(err.hint).toContain('node1@epsilon#fake_pool_for_EPSILON');
  });

  it('GIVEN no selector WHEN created THEN MP_SELECTOR_INVALID', () => {
    expect(caught(() => build({ pool: EPSILON })).code).toBe('MP_SELECTOR_INVALID');
  });

  it('GIVEN a pool the snapshot lacks WHEN synthesized THEN the plan blocks the move with DEST_POOL_UNKNOWN', () => {
    const { stack } = newStack({ snapshotPath: flatCloud() });
    new SharePlacement(stack, 'move', { shares: ['fs-1'], pool: 'node1@epsilon#nope' });
    const out = fullSynth(stack);
    const p = parsePlanText(fs.readFileSync(path.join(out, 'stacks', 'placement', PLAN_FILE_NAME), 'utf8'), 'plan');
    expect(p.entries).toEqual([expect.objectContaining({ action: 'blocked', reasons: [expect.objectContaining({ code: 'DEST_POOL_UNKNOWN' })] })]);
  });

  it('GIVEN a share on a share server in a snapshot that lacks its pool WHEN synthesized THEN a construct-scoped error says to refresh', () => {
    const { stack } = newStack({ snapshotPath: flatCloud() });
    new SharePlacement(stack, 'move', { shares: ['share-of-srv-1'], pool: EPSILON });
    expect(() => synth(stack, true)).toThrow(/placement\/move[\s\S]*share share-of-srv-1 lives on share server srv-1[\s\S]*run manila-placement refresh/);
  });

  it('GIVEN a share that leaves its share server and a ShareServerPlacement of that server WHEN synthesized THEN MP_DECLARATION_CONFLICT names both constructs', () => {
    const snap = new SnapshotBuilder()
      .host('node1@alpha')
      .host('node1@beta')
      .server('srv-1', { shares: [share('sh-1', { host: 'node1@alpha#fake_pool_for_ALPHA' })] })
      .build();
    const { stack } = newStack({ snapshotPath: writeSnapshot(snap) });
    new SharePlacement(stack, 'off', { shares: ['sh-1'], pool: 'node1@beta#fake_pool_for_BETA' });
    new ShareServerPlacement(stack, 'server', { shareServerId: 'srv-1', host: 'node1@beta' });
    expect(() => synth(stack, true)).toThrow(/placement\/off[\s\S]*moves share sh-1 off share server srv-1 \(node1@alpha\), and "placement\/server" moves that share server/);
  });

  it('GIVEN a share placement of a share on a host that an evacuation empties WHEN synthesized THEN MP_DECLARATION_OVERLAP names both', () => {
    const { stack } = newStack({ snapshotPath: flatCloud() });
    new SharePlacement(stack, 'move', { shares: ['fs-1'], pool: EPSILON });
    new HostEvacuation(stack, 'drain', { host: 'node1@delta', targets: ['node1@epsilon'] });
    expect(() => synth(stack, true)).toThrow(/share fs-1 \(it moves by itself: no share server holds it\) is selected by both "placement\/drain" and "placement\/move"; a share can have only one declared place/);
  });

  it('GIVEN a share network, metadata and newShareType WHEN created THEN the declaration carries them as given', () => {
    const d = build({ shareNetwork: 'net-a', metadata: { tier: 'gold' }, newShareType: 'flat-2', pool: EPSILON }).toDeclaration();
    expect(d.select).toEqual({ shareNetwork: 'net-a', metadata: { tier: 'gold' } });
    expect(d.newShareType).toBe('flat-2');
  });

  it('GIVEN metadata that is empty or not all strings WHEN created THEN MP_SELECTOR_INVALID with an example', () => {
    for (const metadata of [{}, { tier: 3 }, ['tier']] as unknown as Array<Record<string, string>>) {
      const err = caught(() => build({ metadata, pool: EPSILON }));
      expect(err.code).toBe('MP_SELECTOR_INVALID');
      expect(err.message).toContain('placement/move');
      expect(err.hint).toContain('tier: "gold"');
    }
  });

  it('GIVEN no selector at all WHEN created THEN MP_SELECTOR_INVALID naming every selector', () => {
    const err = caught(() => build({ pool: EPSILON }));
    expect(err.code).toBe('MP_SELECTOR_INVALID');
    expect(err.hint).toContain('shareNetwork');
    expect(err.hint).toContain('metadata');
  });

  it('GIVEN an empty newShareType WHEN created THEN MP_DECLARATION_INVALID names it', () => {
    expect(caught(() => build({ shares: ['fs-1'], pool: EPSILON, newShareType: '' })).message).toContain('newShareType is empty');
  });
});
