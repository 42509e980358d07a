import * as fs from 'node:fs';
import * as path from 'node:path';
import { cloudSnapshotSchema } from '../../../lib/snapshot/model';
import { normalizeSnapshot } from '../../../lib/plan/normalize';
import { plan } from '../../../lib/plan/plan';
import { evacuation } from './declarations';

const FILE = path.join(__dirname, '..', '..', 'fixtures', 'snapshots', 'testbed-initial.json');

describe('fixture testbed-initial.json', () => {
  const doc: unknown = JSON.parse(fs.readFileSync(FILE, 'utf8'));

  it('GIVEN the fixture WHEN validated THEN it is a valid snapshot', () => {
    expect(cloudSnapshotSchema.safeParse(doc).success).toBe(true);
  });

  it('GIVEN the fixture THEN it describes the test bed at start: six servers on node1@alpha, one share each', () => {
    const s = cloudSnapshotSchema.parse(doc);
    expect(s.shareServers.map((x) => [x.host, x.status, x.taskState, x.shares.map((sh) => sh.name)]).sort()).toEqual(
      [1, 2, 3, 4, 5, 6].map((i) => ['node1@alpha', 'active', null, [`mp-share-${i}`]]).sort(),
    );
    expect(s.shareServers.map((x) => x.shareNetworkName).sort()).toEqual(['mp-sn-1', 'mp-sn-2', 'mp-sn-3', 'mp-sn-4', 'mp-sn-5', 'mp-sn-6']);
    expect(s.services.map((x) => [x.host, x.status, x.state])).toEqual([
      ['node1@alpha', 'enabled', 'up'],
      ['node1@beta', 'enabled', 'up'],
      ['node1@gamma', 'enabled', 'up'],
    ]);
    expect(s.pools.map((p) => [p.backendHost, p.dhss])).toEqual([
      ['node1@alpha', true],
      ['node1@beta', true],
      ['node1@gamma', true],
    ]);
    expect(s.shareNetworks.every((n) => n.status === 'active' && n.subnets.length === 1)).toBe(true);
  });

  it('GIVEN the fixture THEN its lists are already in the order refresh writes (normalising changes nothing)', () => {
    const s = cloudSnapshotSchema.parse(doc);
    expect(normalizeSnapshot(s)).toEqual(s);
  });

  it('GIVEN the fixture WHEN evacuating node1@alpha to beta and gamma THEN three servers go to each', () => {
    const p = plan([evacuation('app/e', 'node1@alpha', ['node1@beta', 'node1@gamma'])], cloudSnapshotSchema.parse(doc));
    const tos = p.entries.map((e) => (e.action === 'migrate' ? e.to : e.action));
    expect(tos.filter((t) => t === 'node1@beta')).toHaveLength(3);
    expect(tos.filter((t) => t === 'node1@gamma')).toHaveLength(3);
  });
});
