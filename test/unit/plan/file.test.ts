import { parsePlanText, planDigest, serializePlan, PLAN_FILE_NAME } from '../../../lib/plan/file';
import { plan } from '../../../lib/plan/plan';
import { InputError } from '../../../lib/errors';
import type { Plan } from '../../../lib/plan/types';
import { testbed } from '../../helper/snapshot-builder';
import { evacuation, placement } from './declarations';

/** A plan with every kind of entry worth serializing: migrate (with why), blocked, in-sync, unmatched. */
function samplePlan(): Plan {
  const snap = testbed({ hosts: { 'node1@gamma': { state: 'down' } } })
    .server('srv-b', { host: 'node1@beta', network: 'net-mp-sn-6' })
    .build();
  return plan(
    [
      evacuation('app/evacuate', 'node1@alpha', ['node1@beta', 'node1@gamma'], { maxPerTarget: 5 }),
      placement('app/keep', { shareServerId: 'srv-b' }, 'node1@beta'),
      placement('app/ghost', { shareNetwork: 'nope' }, 'node1@beta'),
    ],
    snap,
  );
}

function expectInputError(fn: () => unknown, code: string): InputError {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(InputError);
  expect((caught as InputError).code).toBe(code);
  expect((caught as InputError).hint).toMatch(/synth/);
  return caught as InputError;
}

describe('plan file', () => {
  it('is named manila-placement.plan.json', () => {
    expect(PLAN_FILE_NAME).toBe('manila-placement.plan.json');
  });

  it('GIVEN a plan WHEN serialized and parsed THEN the same plan comes back', () => {
    // GIVEN
    const p = samplePlan();
    expect(new Set(p.entries.map((e) => e.action))).toEqual(new Set(['migrate', 'blocked', 'in-sync', 'unmatched']));
    // WHEN
    const text = serializePlan(p);
    const back = parsePlanText(text, 'plan.json');
    // THEN
    expect(back).toEqual(JSON.parse(JSON.stringify(p)));
    expect(serializePlan(back)).toBe(text);
  });

  it('GIVEN a plan WHEN serialized THEN it is canonical JSON ending in a newline with a sha256 planDigest of the rest', () => {
    const p = samplePlan();
    const text = serializePlan(p);
    const doc = JSON.parse(text) as Record<string, unknown>;
    expect(text.endsWith('}\n')).toBe(true);
    expect(Object.keys(doc)).toEqual([...Object.keys(doc)].sort());
    expect(doc.planDigest).toBe(planDigest(p));
    expect(doc.planDigest).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('GIVEN a plan file whose entry was edited WHEN parsed THEN MP_PLAN_TAMPERED', () => {
    // GIVEN an entry sent elsewhere by hand
    const text = serializePlan(samplePlan()).replace('"to": "node1@beta"', '"to": "node1@gamma"');
    // WHEN / THEN
    const err = expectInputError(() => parsePlanText(text, 'edited.json'), 'MP_PLAN_TAMPERED');
    expect(err.message).toContain('edited.json');
  });

  it('GIVEN a plan file whose digest was edited WHEN parsed THEN MP_PLAN_TAMPERED', () => {
    const text = serializePlan(samplePlan()).replace(/"planDigest": "sha256:[0-9a-f]{4}/, '"planDigest": "sha256:0000');
    expectInputError(() => parsePlanText(text, 'p.json'), 'MP_PLAN_TAMPERED');
  });

  it.each([
    ['truncated JSON', (t: string) => t.slice(0, t.length / 2)],
    ['not a plan', () => JSON.stringify({ kind: 'manila-placement/snapshot' })],
    ['an unknown entry action', (t: string) => t.replace(/"action": "migrate"/, '"action": "teleport"')],
    ['a missing planDigest', (t: string) => t.replace(/"planDigest": "[^"]*",?/, '')],
    ['another version', (t: string) => t.replace('"version": 1', '"version": 2')],
    ['an unsafe entry key', (t: string) => t.replace(/"key": "app_evacuate--srv-1"/g, '"key": "../../etc"')],
  ])('GIVEN a plan file with %s WHEN parsed THEN MP_PLAN_INVALID', (_what, corrupt) => {
    const text = corrupt(serializePlan(samplePlan()));
    expectInputError(() => parsePlanText(text, 'bad.json'), 'MP_PLAN_INVALID');
  });
});
