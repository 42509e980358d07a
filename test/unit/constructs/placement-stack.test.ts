import 'cdktf/lib/testing/adapters/jest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Testing, DataResource } from 'cdktf';
import { Resource as NullResource } from '@cdktf/provider-null/lib/resource';
import { NullProvider } from '@cdktf/provider-null/lib/provider';
import { PlacementStack } from '../../../lib/constructs/placement-stack';
import { ShareServerPlacement } from '../../../lib/constructs/share-server-placement';
import { HostEvacuation } from '../../../lib/constructs/host-evacuation';
import { parsePlanText, PLAN_FILE_NAME } from '../../../lib/plan/file';
import { pendingMoves } from '../../../lib/plan/types';
import { FIXTURE, caught, fixtureWith, fullSynth, newStack, serverOf, synth, tempDir } from './helpers';

// The runner runs in the app directory (here the repository, jest's working directory), by a
// path relative to it, so cdk.tf.json is the same in every checkout.
const cmd = (slug: string): string => `node "bin/manila-placement" apply --plan "\${abspath(path.module)}/${PLAN_FILE_NAME}" --declaration ${slug} --auto-approve --no-wait-for-window`;
const WORKING_DIR = '${path.module}/../../..';

function moveOne(stack: PlacementStack, host = 'node1@beta'): ShareServerPlacement {
  return new ShareServerPlacement(stack, 'move-one', { shareNetwork: 'mp-sn-1', host });
}

function readOut(outdir: string, stack = 'placement'): { tf: string; plan: string } {
  const dir = path.join(outdir, 'stacks', stack);
  return { tf: fs.readFileSync(path.join(dir, 'cdk.tf.json'), 'utf8'), plan: fs.readFileSync(path.join(dir, PLAN_FILE_NAME), 'utf8') };
}

describe('PlacementStack', () => {
  describe('resources', () => {
    const ONE = 'placement_move-one';
    type Triggers = Record<string, string>;
    const triggersOf = (out: string, type = 'null_resource'): Record<string, Triggers> =>
      Object.fromEntries(
        Object.entries((JSON.parse(out).resource?.[type] ?? {}) as Record<string, { triggers?: Triggers; triggers_replace?: Triggers }>).map(([k, r]) => [
          k,
          r.triggers ?? r.triggers_replace ?? {},
        ]),
      );

    it('GIVEN a placement needing a move WHEN synthesized THEN one null_resource for the declaration, its triggers the declaration, its command the runner for it', () => {
      // GIVEN
      const { stack } = newStack();
      moveOne(stack);
      // WHEN
      const out = synth(stack, true);
      // THEN
      expect(out).toHaveProvider(NullProvider);
      expect(out).toHaveResourceWithProperties(NullResource, {
        triggers: {
          declaration: 'placement/move-one',
          kind: 'placement',
          wants: 'share network mp-sn-1 on node1@beta',
          flags: 'writable=false,nondisruptive=false,preserve_snapshots=false',
          completion: 'auto',
          digest: expect.stringMatching(/^[0-9a-f]{16}$/),
        },
        provisioner: [{ 'local-exec': { command: cmd(ONE), working_dir: WORKING_DIR } }],
      });
      expect(Object.keys(JSON.parse(out).resource.null_resource)).toEqual([ONE]);
    });

    it('GIVEN resourceType terraform_data WHEN synthesized THEN terraform_data with triggers_replace and no provider', () => {
      const { stack } = newStack({ resourceType: 'terraform_data' });
      moveOne(stack);
      const out = synth(stack, true);
      expect(out).toHaveResourceWithProperties(DataResource, {
        triggers_replace: expect.objectContaining({ declaration: 'placement/move-one', wants: 'share network mp-sn-1 on node1@beta', completion: 'auto' }),
        provisioner: [{ 'local-exec': { command: cmd(ONE), working_dir: WORKING_DIR } }],
      });
      expect(out).not.toHaveProvider(NullProvider);
      expect(JSON.parse(out).resource.null_resource).toBeUndefined();
    });

    it('GIVEN an evacuation of six servers WHEN synthesized THEN one resource for the declaration, not one per move', () => {
      const { stack } = newStack();
      new HostEvacuation(stack, 'evacuate-alpha', { host: 'node1@alpha', targets: ['node1@beta', 'node1@gamma'] });
      expect(triggersOf(synth(stack, true))).toEqual({
        'placement_evacuate-alpha': expect.objectContaining({ kind: 'evacuation', wants: 'node1@alpha empty, to node1@beta, node1@gamma' }),
      });
    });

    it('GIVEN flags, a new network and manual completion WHEN synthesized THEN the triggers carry them', () => {
      const { stack } = newStack();
      new ShareServerPlacement(stack, 'move', { shareNetwork: 'mp-sn-1', host: 'node1@beta', writable: true, newShareNetwork: 'mp-sn-2', completion: 'manual' });
      expect(synth(stack, true)).toHaveResourceWithProperties(NullResource, {
        triggers: expect.objectContaining({ flags: 'writable=true,nondisruptive=false,preserve_snapshots=false', completion: 'manual' }),
      });
    });

    it('GIVEN the server moved to its host since (a refresh after the deploy) WHEN synthesized THEN the same resource, the same triggers: Terraform sees no change', () => {
      const before = newStack();
      moveOne(before.stack);
      const moved = fixtureWith((s) => ({ ...s, shareServers: s.shareServers.map((x) => (x.shareNetworkName === 'mp-sn-1' ? { ...x, id: 'new-record-id', host: 'node1@beta' } : x)) }));
      const after = newStack({ snapshotPath: moved });
      moveOne(after.stack);
      expect(after.stack.requirePlan().summary).toMatchObject({ migrate: 0, 'in-sync': 1 });
      expect(synth(after.stack, true)).toBe(synth(before.stack, true));
    });

    it('GIVEN a blocked move WHEN synthesized THEN the declaration keeps its resource (its runner reports the block) and a warning on the declaration', () => {
      const snap = fixtureWith((s) => ({ ...s, services: s.services.map((x) => (x.host === 'node1@beta' ? { ...x, state: 'down' } : x)) }));
      const { stack } = newStack({ snapshotPath: snap });
      const p = moveOne(stack);
      expect(Object.keys(triggersOf(synth(stack, true)))).toEqual([ONE]);
      const warnings = p.node.metadata.filter((m) => m.type === '@cdktf/warn').map((m) => String(m.data));
      expect(warnings).toEqual([expect.stringMatching(/cannot move to node1@beta: DEST_DOWN/)]);
    });

    it('GIVEN the same inputs but a refreshed snapshot (new takenAt) WHEN synthesized THEN cdk.tf.json is unchanged', () => {
      const a = newStack();
      moveOne(a.stack);
      const b = newStack({ snapshotPath: fixtureWith((s) => ({ ...s, takenAt: '2027-01-01T00:00:00.000Z' })) });
      moveOne(b.stack);
      expect(synth(b.stack, true)).toBe(synth(a.stack, true));
    });

    it('GIVEN another target WHEN synthesized THEN the triggers change (Terraform replaces the resource, and that runs the move)', () => {
      const a = newStack();
      moveOne(a.stack, 'node1@beta');
      const b = newStack();
      moveOne(b.stack, 'node1@gamma');
      const ta = triggersOf(synth(a.stack, true))[ONE];
      const tb = triggersOf(synth(b.stack, true))[ONE];
      expect(tb.wants).toBe('share network mp-sn-1 on node1@gamma');
      expect(tb.digest).not.toBe(ta.digest);
    });

    it('GIVEN no declaration WHEN synthesized THEN no resource (removing a declaration destroys its resource, and nothing runs on destroy)', () => {
      const { stack } = newStack();
      const out = JSON.parse(synth(stack, true));
      expect(out.resource?.null_resource).toBeUndefined();
    });
  });

  describe('validation', () => {
    it('GIVEN a selector that matches nothing WHEN synthesized THEN synth fails with a message scoped to that construct', () => {
      const { stack } = newStack();
      new ShareServerPlacement(stack, 'ghost', { shareNetwork: 'mp-sn-42', host: 'node1@beta' });
      const err = caught(() => synth(stack, true));
      expect(err.message).toContain('[placement/ghost] selects no share server');
      expect(err.message).toContain('mp-sn-42');
      expect(err.message).toContain('MP_DECLARATION_UNMATCHED');
    });

    it('GIVEN two placements selecting one server WHEN synthesized THEN an error names both construct paths', () => {
      const { stack } = newStack();
      new ShareServerPlacement(stack, 'by-network', { shareNetwork: 'mp-sn-1', host: 'node1@beta' });
      new ShareServerPlacement(stack, 'by-share', { shares: ['mp-share-1'], host: 'node1@gamma' });
      const err = caught(() => synth(stack, true));
      expect(err.message).toContain('placement/by-network');
      expect(err.message).toContain('placement/by-share');
      expect(err.message).toContain('MP_DECLARATION_OVERLAP');
      expect(err.message).toContain(serverOf(1));
    });

    it('GIVEN a placement onto the evacuated host WHEN synthesized THEN an error names both', () => {
      const snap = fixtureWith((s) => ({ ...s, shareServers: s.shareServers.map((x) => (x.shareNetworkName === 'mp-sn-6' ? { ...x, host: 'node1@beta' } : x)) }));
      const { stack } = newStack({ snapshotPath: snap });
      new ShareServerPlacement(stack, 'back-to-alpha', { shareNetwork: 'mp-sn-6', host: 'node1@alpha' });
      new HostEvacuation(stack, 'evacuate', { host: 'node1@alpha', targets: ['node1@gamma'] });
      const err = caught(() => synth(stack, true));
      expect(err.message).toContain('MP_DECLARATION_CONFLICT');
      expect(err.message).toMatch(/"placement\/back-to-alpha" places servers on node1@alpha, which "placement\/evacuate" evacuates/);
    });

    it('GIVEN declaration problems WHEN synthesized without validations THEN nothing is emitted silently', () => {
      const { stack } = newStack();
      new ShareServerPlacement(stack, 'a', { shareNetwork: 'mp-sn-1', host: 'node1@beta' });
      new ShareServerPlacement(stack, 'b', { shareNetwork: 'mp-sn-1', host: 'node1@gamma' });
      expect(caught(() => synth(stack)).code).toBe('MP_DECLARATION_OVERLAP');
    });

    it('GIVEN no snapshot file WHEN synthesized THEN MP_SNAPSHOT_MISSING telling to run refresh', () => {
      const missing = path.join(tempDir(), 'manila-placement.snapshot.json');
      const { stack } = newStack({ snapshotPath: missing });
      moveOne(stack);
      const err = caught(() => synth(stack, true));
      expect(err.code).toBe('MP_SNAPSHOT_MISSING');
      expect(err.message).toContain(missing);
      expect(err.hint).toContain('manila-placement refresh');
      expect(err.message).toContain('manila-placement refresh');
    });

    it('GIVEN a corrupt snapshot file WHEN synthesized THEN MP_SNAPSHOT_INVALID telling to run refresh', () => {
      const bad = path.join(tempDir(), 'snap.json');
      fs.writeFileSync(bad, '{"kind": "manila-placement/snapshot", "version": 1');
      const { stack } = newStack({ snapshotPath: bad });
      moveOne(stack);
      const err = caught(() => synth(stack, true));
      expect(err.code).toBe('MP_SNAPSHOT_INVALID');
      expect(err.message).toContain('[placement]');
      expect(err.hint).toContain('manila-placement refresh');
      expect(err.message).toContain('manila-placement refresh');
    });

    it('GIVEN an unknown resourceType WHEN created THEN an error lists the two kinds', () => {
      const err = caught(() => newStack({ resourceType: 'local_file' as unknown as 'terraform_data' }));
      expect(err.message).toMatch(/null_resource.*terraform_data/);
    });
  });

  describe('snapshot location', () => {
    it('GIVEN the context key manila-placement:snapshot WHEN no prop is set THEN that file is read', () => {
      const rel = path.relative(process.cwd(), FIXTURE);
      const app = Testing.app({ context: { 'manila-placement:snapshot': rel } });
      const stack = new PlacementStack(app, 'placement');
      moveOne(stack);
      expect(stack.snapshotPath).toBe(FIXTURE);
      expect(synth(stack, true)).toHaveResource(NullResource);
    });

    it('GIVEN neither prop nor context WHEN created THEN manila-placement.snapshot.json in the working directory', () => {
      const stack = new PlacementStack(Testing.app(), 'placement');
      expect(stack.snapshotPath).toBe(path.join(process.cwd(), 'manila-placement.snapshot.json'));
    });
  });

  describe('output files', () => {
    it('GIVEN Testing.fullSynth WHEN synthesized THEN the plan file is beside cdk.tf.json and lists the moves', () => {
      const { stack } = newStack();
      moveOne(stack);
      const outdir = fullSynth(stack);
      const { tf, plan } = readOut(outdir);
      const parsed = parsePlanText(plan, PLAN_FILE_NAME);
      const keys = pendingMoves(parsed).map((e) => e.key);
      expect(keys).toEqual([`placement_move-one--${serverOf(1)}`]);
      expect(Object.keys(JSON.parse(tf).resource.null_resource)).toEqual(['placement_move-one']);
    });

    it('GIVEN app.synth() (what cdktf synth runs) WHEN synthesized THEN the plan file is beside cdk.tf.json of each stack', () => {
      const outdir = tempDir('mp-synth-');
      const app = Testing.app({ outdir });
      moveOne(new PlacementStack(app, 'one', { snapshotPath: FIXTURE }));
      new HostEvacuation(new PlacementStack(app, 'two', { snapshotPath: FIXTURE, resourceType: 'terraform_data' }), 'evac', { host: 'node1@alpha', targets: ['node1@beta'] });
      app.synth();
      expect(parsePlanText(readOut(outdir, 'one').plan, 'one').summary.migrate).toBe(1);
      expect(parsePlanText(readOut(outdir, 'two').plan, 'two').summary.migrate).toBe(6);
      expect(fs.readdirSync(path.join(outdir, 'stacks', 'one')).sort()).toEqual(['cdk.tf.json', PLAN_FILE_NAME]);
    });

    it('GIVEN a failing validation WHEN synthesized THEN no plan file is written', () => {
      const outdir = tempDir('mp-synth-');
      const app = Testing.app({ outdir });
      new ShareServerPlacement(new PlacementStack(app, 'placement', { snapshotPath: FIXTURE }), 'ghost', { shareNetwork: 'nope', host: 'node1@beta' });
      expect(() => app.synth()).toThrow(/selects no share server/);
      expect(fs.existsSync(path.join(outdir, 'stacks', 'placement', PLAN_FILE_NAME))).toBe(false);
    });

    it('GIVEN the same inputs WHEN synthesized twice into two directories THEN cdk.tf.json and the plan file are byte-identical', () => {
      const synthOnce = (): { tf: string; plan: string } => {
        const outdir = tempDir('mp-synth-');
        const app = Testing.app({ outdir });
        const stack = new PlacementStack(app, 'placement', { snapshotPath: FIXTURE });
        new HostEvacuation(stack, 'evac', { host: 'node1@alpha', targets: ['node1@gamma', 'node1@beta'], maxPerTarget: 2 });
        app.synth();
        return readOut(outdir);
      };
      const a = synthOnce();
      const b = synthOnce();
      expect(b.tf).toBe(a.tf);
      expect(b.plan).toBe(a.plan);
      expect(JSON.parse(a.plan).summary).toMatchObject({ migrate: 4, blocked: 2 });
    });

    it('GIVEN secrets in the environment and a cloud name WHEN synthesized THEN nothing secret is written and the environment holds only OS_CLOUD', () => {
      // GIVEN credentials in the environment, as an operator's shell would have them
      const saved = { ...process.env };
      Object.assign(process.env, { OS_PASSWORD: 'hunter2-Sup3rSecret', OS_APPLICATION_CREDENTIAL_SECRET: 'app-cred-Secret-xyz', OS_TOKEN: 'gAAAAAtokenvalue' });
      try {
        const outdir = tempDir('mp-synth-');
        const app = Testing.app({ outdir });
        new HostEvacuation(new PlacementStack(app, 'placement', { snapshotPath: FIXTURE, cloud: 'mp-admin' }), 'evac', { host: 'node1@alpha', targets: ['node1@beta', 'node1@gamma'] });
        // WHEN
        app.synth();
        // THEN
        const { tf, plan } = readOut(outdir);
        for (const text of [tf, plan]) {
          expect(text).not.toMatch(/hunter2|app-cred|gAAAA/);
          expect(text).not.toMatch(/password|secret|token|credential/i);
        }
        const resources = Object.values(JSON.parse(tf).resource.null_resource) as Array<{ provisioner: Array<{ 'local-exec': { command: string; environment?: Record<string, string> } }> }>;
        expect(resources).toHaveLength(1);
        for (const r of resources) {
          const exec = r.provisioner[0]['local-exec'];
          expect(exec.environment).toEqual({ OS_CLOUD: 'mp-admin' });
          expect(exec.command).toMatch(/^node "(?:[^"]*\/)?bin\/manila-placement" apply --plan "\$\{abspath\(path\.module\)\}\/manila-placement\.plan\.json" --declaration [A-Za-z0-9_-]+ --auto-approve --no-wait-for-window$/);
        }
      } finally {
        process.env = saved;
      }
    });

    it('GIVEN stack limits WHEN synthesized THEN every declaration\'s runner gets them, so they hold across parallel local-execs', () => {
      const { stack } = newStack({ parallel: 2, maxPerSource: 1, maxPerDestination: 3 });
      moveOne(stack);
      const r = Object.values(JSON.parse(synth(stack, true)).resource.null_resource)[0] as { provisioner: Array<{ 'local-exec': { command: string } }> };
      expect(r.provisioner[0]['local-exec'].command).toMatch(/--no-wait-for-window --parallel 2 --max-per-source 1 --max-per-destination 3$/);
    });

    it.each([['parallel', 0], ['maxPerSource', 1.5], ['maxPerDestination', '2']])('GIVEN %s = %p WHEN constructing THEN a construct-scoped error says what it limits', (prop, value) => {
      const err = caught(() => newStack({ [prop]: value }));
      expect(err).toMatchObject({ code: 'MP_DECLARATION_INVALID' });
      expect(err.message).toContain(`${prop} is ${JSON.stringify(value)}`);
      expect(err.message).toMatch(/limits the migrations in flight/);
    });

    it('GIVEN a custom runner command and no cloud WHEN synthesized THEN it is used and no environment is set', () => {
      const { stack } = newStack({ runnerCommand: '/opt/mp/bin/manila-placement' });
      moveOne(stack);
      const r = Object.values(JSON.parse(synth(stack, true)).resource.null_resource)[0] as { provisioner: Array<{ 'local-exec': Record<string, unknown> }> };
      expect(r.provisioner[0]['local-exec']).toEqual({
        command: `/opt/mp/bin/manila-placement apply --plan "\${abspath(path.module)}/${PLAN_FILE_NAME}" --declaration placement_move-one --auto-approve --no-wait-for-window`,
        working_dir: WORKING_DIR,
      });
    });
  });
});
