import 'cdktf/lib/testing/adapters/jest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, Testing, TerraformStack } from 'cdktf';
import { Resource as NullResource } from '@cdktf/provider-null/lib/resource';
import { Rebalance, type RebalanceProps } from '../../../lib/constructs/rebalance';
import { ShareServerPlacement } from '../../../lib/constructs/share-server-placement';
import { parsePlanText, PLAN_FILE_NAME } from '../../../lib/plan/file';
import { caught, fullSynth, newStack, synth, tempDir } from './helpers';

function build(props: RebalanceProps): Rebalance {
  const { stack } = newStack();
  return new Rebalance(stack, 'balance', props);
}

const THREE = ['node1@alpha', 'node1@beta', 'node1@gamma'];

// Hints (the fix a construct error suggests) that several invalid props share.
const CANDIDATES_FIX = 'Set exactly one of hosts (two or more hostname@backend, each once) or hostPattern (e.g. "node*@*").';
const HOST_FIX = 'Write it as hostname@backend, for example "node1@beta"; `openstack share service list` shows the hosts.';
const PATTERN_FIX = 'Write a glob on hostname@backend ("*" any characters, "?" one), e.g. "node*@netapp*", or a regular expression between slashes, e.g. "/^node[12]@(alpha|beta)$/".';
const CAP_FIX = 'Use a positive integer, or leave it out for no cap.';
const TOLERANCE_FIX = 'Use a number of 0 or more, or leave it out for the default.';
const SERVER_GAIN_FIX = 'Use a number above 0 and at most 1 (a server-count move lowers a host by exactly 1), or leave it out for the default.';
const COMPLETION_FIX =
  'Use "auto" (complete as soon as phase 1 is done), "manual" (stop there; finish with `manila-placement apply --complete`) or a maintenance window, e.g. ' +
  "{ window: { cron: '0 2 * * SAT', durationMinutes: 120, timezone: 'Europe/Berlin' } }.";

describe('Rebalance', () => {
  describe('declaration', () => {
    it('GIVEN hosts only WHEN created THEN the declaration has the server-count defaults', () => {
      expect(build({ hosts: THREE }).toDeclaration()).toEqual({
        kind: 'rebalance',
        path: 'placement/balance',
        hosts: THREE,
        objective: 'server-count',
        drain: [],
        exclude: [],
        tolerance: 1,
        minGain: 1,
        reserveGb: 0,
        reserveRatio: 0,
        flags: { writable: false, nondisruptive: false, preserveSnapshots: false },
        completion: 'auto',
      });
    });

    it.each([
      ['allocated-gb', 10, 1],
      ['free-ratio', 0.05, 0.005],
    ] as const)('GIVEN objective %s WHEN created THEN its own default tolerance and minGain', (objective, tolerance, minGain) => {
      expect(build({ hostPattern: 'node1@*', objective }).toDeclaration()).toMatchObject({ objective, tolerance, minGain, hostPattern: 'node1@*' });
    });

    it('GIVEN every prop WHEN created THEN the declaration carries them', () => {
      const d = build({
        hostPattern: '/^node1@/',
        objective: 'allocated-gb',
        maxMoves: 5,
        drain: ['node1@alpha'],
        exclude: ['node1@delta'],
        tolerance: 20,
        minGain: 5,
        reserveGb: 100,
        reserveRatio: 0.1,
        writable: true,
        completion: 'manual',
      }).toDeclaration();
      expect(d).toMatchObject({
        hostPattern: '/^node1@/',
        objective: 'allocated-gb',
        maxMoves: 5,
        drain: ['node1@alpha'],
        exclude: ['node1@delta'],
        tolerance: 20,
        minGain: 5,
        reserveGb: 100,
        reserveRatio: 0.1,
        flags: { writable: true, nondisruptive: false, preserveSnapshots: false },
        completion: 'manual',
      });
      expect(d.hosts).toBeUndefined();
    });
  });

  describe('validation at construction', () => {
    it.each([
      ['neither hosts nor hostPattern', 'MP_REBALANCE_HOSTS_INVALID', {}, /neither hosts nor hostPattern is set.*Set exactly one/, CANDIDATES_FIX],
      ['both hosts and hostPattern', 'MP_REBALANCE_HOSTS_INVALID', { hosts: THREE, hostPattern: '*' }, /both hosts and hostPattern are set/, CANDIDATES_FIX],
      ['an empty host list', 'MP_REBALANCE_HOSTS_INVALID', { hosts: [] }, /hosts is empty/, CANDIDATES_FIX],
      ['a repeated host', 'MP_REBALANCE_HOSTS_INVALID', { hosts: ['node1@alpha', 'node1@alpha'] }, /lists node1@alpha more than once/, CANDIDATES_FIX],
      ['one host and nothing to drain', 'MP_REBALANCE_HOSTS_INVALID', { hosts: ['node1@alpha'] }, /one host \(node1@alpha\) and drain none, so there is nothing to balance/, CANDIDATES_FIX],
      ['a host without @', 'MP_HOST_FORMAT', { hosts: ['node1@alpha', 'beta'] }, /hosts\[1\] "beta" is not a backend host/, HOST_FIX],
      ['a host with a pool', 'MP_HOST_FORMAT', { hosts: ['node1@alpha', 'node1@beta#p'] }, /takes no pool/, 'Write the host without "#p", e.g. "node1@beta".'],
      ['an empty pattern', 'MP_DECLARATION_INVALID', { hostPattern: '' }, /hostPattern is empty/, 'Give hostPattern a value, or leave it out.'],
      ['a broken regular expression', 'MP_HOST_PATTERN_INVALID', { hostPattern: '/node[/' }, /is not a valid regular expression/, PATTERN_FIX],
      ['a regular expression with flag g', 'MP_HOST_PATTERN_INVALID', { hostPattern: '/node/g' }, /only "i" is allowed/, PATTERN_FIX],
      ['a pattern with white space', 'MP_HOST_PATTERN_INVALID', { hostPattern: 'node 1@*' }, /white space/, PATTERN_FIX],
      ['every listed host drained', 'MP_REBALANCE_DRAIN_INVALID', { hosts: ['node1@alpha', 'node1@beta'], drain: ['node1@alpha', 'node1@beta'] }, /lists every host of hosts/, 'Leave at least one host of hosts undrained to receive the servers.'],
      ['a host both drained and excluded', 'MP_REBALANCE_DRAIN_INVALID', { hostPattern: '*', drain: ['node1@alpha'], exclude: ['node1@alpha'] }, /and exclude both list node1@alpha/, 'A drained host is emptied, an excluded one left alone: keep it in one of them.'],
      ['a drained host listed twice', 'MP_REBALANCE_DRAIN_INVALID', { hostPattern: '*', drain: ['node1@alpha', 'node1@alpha'] }, /lists node1@alpha more than once/, 'List each host once in drain.'],
      ['an excluded host among the hosts', 'MP_REBALANCE_EXCLUDE_INVALID', { hosts: THREE, exclude: ['node1@beta'] }, /lists node1@beta, which hosts lists too/, 'Remove node1@beta from hosts or from exclude: exclude is for hosts a pattern would match.'],
      ['a drained host without @', 'MP_HOST_FORMAT', { hostPattern: '*', drain: ['alpha'] }, /drain\[0\] "alpha"/, HOST_FIX],
      ['an unknown objective', 'MP_REBALANCE_OBJECTIVE_INVALID', { hosts: THREE, objective: 'iops' }, /objective is "iops".*"server-count".*"allocated-gb".*"free-ratio"/, `Use "server-count" (share servers per host), "allocated-gb" (GiB of their shares per host) or "free-ratio" (free share of the pools' capacity).`],
      ['maxMoves 0', 'MP_MAX_MOVES_INVALID', { hosts: THREE, maxMoves: 0 }, /maxMoves is 0.*positive integer/, CAP_FIX],
      ['maxMoves 2.5', 'MP_MAX_MOVES_INVALID', { hosts: THREE, maxMoves: 2.5 }, /maxMoves is 2.5/, CAP_FIX],
      ['a negative tolerance', 'MP_TOLERANCE_INVALID', { hosts: THREE, tolerance: -1 }, /tolerance is -1: the spread counted as balanced, in servers/, TOLERANCE_FIX],
      ['a free-ratio tolerance above 1', 'MP_TOLERANCE_INVALID', { hosts: THREE, objective: 'free-ratio', tolerance: 5 }, /a number from 0 to 1/, 'Use a number from 0 to 1, or leave it out for the default.'],
      ['minGain 0', 'MP_MIN_GAIN_INVALID', { hosts: THREE, minGain: 0 }, /minGain is 0/, SERVER_GAIN_FIX],
      ['a server-count minGain above 1', 'MP_MIN_GAIN_INVALID', { hosts: THREE, minGain: 2 }, /a server-count move lowers a host by exactly 1/, SERVER_GAIN_FIX],
      ['a tolerance that is not a number', 'MP_TOLERANCE_INVALID', { hosts: THREE, tolerance: Number.NaN }, /tolerance is null/, TOLERANCE_FIX],
      ['a negative reserveGb', 'MP_RESERVE_INVALID', { hosts: THREE, reserveGb: -10 }, /reserveGb is -10: the free GiB each destination keeps/, 'Use a number of GiB of 0 or more, or leave it out for the default.'],
      ['reserveRatio 1', 'MP_RESERVE_INVALID', { hosts: THREE, reserveRatio: 1 }, /reserveRatio is 1.*up to \(not including\) 1/, 'Use a number from 0 up to (not including) 1, or leave it out for the default.'],
      ['a non-boolean flag', 'MP_DECLARATION_INVALID', { hosts: THREE, writable: 'yes' }, /writable is "yes", not a boolean/, 'Set writable to true or false.'],
      ['an unknown completion', 'MP_COMPLETION_INVALID', { hosts: THREE, completion: 'later' }, /completion is "later"/, COMPLETION_FIX],
    ])('GIVEN %s WHEN created THEN %s, scoped to the construct', (_what, code, props, message, hint) => {
      const err = caught(() => build(props as unknown as RebalanceProps));
      expect(err.code).toBe(code);
      expect(err.message).toContain('[placement/balance]');
      expect(err.message).toMatch(message);
      expect(err.hint).toBe(hint);
    });
  });

  describe('synth', () => {
    it('GIVEN six servers on alpha WHEN synthesized THEN one resource stands for the rebalance and the plan file holds its four moves and explains the balance', () => {
      // GIVEN
      const { stack } = newStack();
      new Rebalance(stack, 'balance', { hosts: THREE });
      // WHEN
      const outdir = fullSynth(stack);
      // THEN
      const dir = path.join(outdir, 'stacks', 'placement');
      const tf = fs.readFileSync(path.join(dir, 'cdk.tf.json'), 'utf8');
      const resources = JSON.parse(tf).resource.null_resource as Record<string, { triggers: Record<string, string> }>;
      expect(Object.keys(resources)).toEqual(['placement_balance']);
      expect(resources.placement_balance.triggers).toMatchObject({ kind: 'rebalance', wants: 'server-count even over node1@alpha, node1@beta, node1@gamma' });
      const plan = parsePlanText(fs.readFileSync(path.join(dir, PLAN_FILE_NAME), 'utf8'), 'plan');
      expect(plan.entries.filter((e) => e.action === 'migrate').map((e) => (e.action === 'migrate' ? e.to : '')).sort()).toEqual(['node1@beta', 'node1@beta', 'node1@gamma', 'node1@gamma']);
      expect(plan.rebalance?.[0]).toMatchObject({ declaration: 'placement/balance', moves: 4, balanced: true, spread: { before: 6, after: 0 } });
    });

    it('GIVEN a rebalance WHEN synthesized with validations THEN its null_resource runs the runner for that declaration, and its triggers carry the completion', () => {
      const { stack } = newStack();
      new Rebalance(stack, 'balance', { hosts: THREE, completion: 'manual' });
      const out = synth(stack, true);
      expect(out).toHaveResourceWithProperties(NullResource, {
        triggers: expect.objectContaining({ declaration: 'placement/balance', completion: 'manual' }),
        provisioner: [{ 'local-exec': expect.objectContaining({ command: expect.stringContaining('--declaration placement_balance --auto-approve') }) }],
      });
    });

    it('GIVEN an unknown host WHEN synthesized THEN synth fails with a message scoped to the construct naming the host', () => {
      const { stack } = newStack();
      new Rebalance(stack, 'balance', { hosts: ['node1@alpha', 'node9@typo'] });
      const err = caught(() => synth(stack, true));
      expect(err.message).toContain('[placement/balance] cannot resolve its hosts against the snapshot');
      expect(err.message).toContain('host node9@typo in hosts is not a manila-share host (hosts in the snapshot: node1@alpha, node1@beta, node1@gamma)');
      expect(err.message).toContain('MP_REBALANCE_UNRESOLVED');
    });

    it('GIVEN a pattern matching no host WHEN synthesized THEN synth fails saying which hosts exist', () => {
      const { stack } = newStack();
      new Rebalance(stack, 'balance', { hostPattern: 'netapp*@*' });
      const err = caught(() => synth(stack, true));
      expect(err.message).toMatch(/\[placement\/balance\] cannot resolve its hosts.*hostPattern "netapp\*@\*" matches no manila-share host/);
    });

    it('GIVEN a placement of a server the rebalance owns WHEN synthesized THEN an error names both construct paths', () => {
      const { stack } = newStack();
      new Rebalance(stack, 'balance', { hosts: THREE });
      new ShareServerPlacement(stack, 'pin', { shareNetwork: 'mp-sn-1', host: 'node1@beta' });
      const err = caught(() => synth(stack, true));
      expect(err.message).toContain('MP_DECLARATION_OVERLAP');
      expect(err.message).toContain('"placement/balance"');
      expect(err.message).toContain('"placement/pin"');
    });

    it('GIVEN a Rebalance outside a PlacementStack WHEN synthesized THEN it says to create it in one', () => {
      const app = new App({ outdir: tempDir() });
      const plain = new TerraformStack(app, 'plain');
      new Rebalance(plain, 'balance', { hosts: THREE });
      expect(caught(() => Testing.synth(plain, true)).message).toMatch(/Rebalance must be created inside a PlacementStack/);
    });
  });
});
