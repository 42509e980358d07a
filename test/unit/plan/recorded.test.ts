/**
 * Planning against a snapshot recorded from the real test bed (`manila-placement refresh` right
 * after `testbed.sh reset`): the shapes Manila really returns, not hand-made ones.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parsePlanText, serializePlan } from '../../../lib/plan/file';
import { plan } from '../../../lib/plan/plan';
import type { MigrateEntry } from '../../../lib/plan/types';
import { parseSnapshotText } from '../../../lib/snapshot/model';
import { evacuation, placement, rebalance } from './declarations';

const FILE = path.join(__dirname, '..', '..', 'fixtures', 'snapshots', 'testbed-recorded.json');
const snapshot = parseSnapshotText(fs.readFileSync(FILE, 'utf8'), FILE);

test('the recorded snapshot validates and holds six active servers on node1@alpha', () => {
  expect(snapshot.microversion).toBe('2.73');
  expect(snapshot.shareServers.map((s) => [s.host, s.status])).toEqual(Array(6).fill(['node1@alpha', 'active']));
  expect(snapshot.services.map((s) => `${s.host}:${s.status}:${s.state}`)).toEqual(['node1@alpha:enabled:up', 'node1@beta:enabled:up', 'node1@gamma:enabled:up']);
  expect(snapshot.pools.every((p) => p.dhss === true)).toBe(true);
});

test('evacuating alpha moves all six, three to beta and three to gamma', () => {
  const p = plan([evacuation('app/evacuate', 'node1@alpha', ['node1@beta', 'node1@gamma'])], snapshot);
  const moves = p.entries.filter((e): e is MigrateEntry => e.action === 'migrate');
  expect(moves).toHaveLength(6);
  expect(moves.filter((m) => m.to === 'node1@beta')).toHaveLength(3);
  expect(moves.filter((m) => m.to === 'node1@gamma')).toHaveLength(3);
  expect(parsePlanText(serializePlan(p), 'round trip')).toEqual(JSON.parse(JSON.stringify(p)));
});

test('a placement by share network name finds its one server; a rebalance plans four moves', () => {
  const one = plan([placement('app/one', { shareNetwork: 'mp-sn-1' }, 'node1@beta')], snapshot);
  expect(one.entries.map((e) => e.action)).toEqual(['migrate']);
  const even = plan([rebalance()], snapshot);
  expect(even.summary.migrate).toBe(4);
});

test('the share with a snapshot and an access rule is on the share server of mp-sn-1', () => {
  const s = snapshot.shareServers.find((x) => x.shareNetworkName === 'mp-sn-1')!;
  expect(s.shares).toHaveLength(1);
  expect(s.shares[0].snapshots.map((x) => x.status)).toEqual(['available']);
  expect(s.shares[0].accessRulesStatus).toBe('active');
});
