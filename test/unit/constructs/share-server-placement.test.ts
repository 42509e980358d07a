import { Testing, TerraformStack } from 'cdktf';
import { InputError } from '../../../lib/errors';
import { ShareServerPlacement, type ShareServerPlacementProps } from '../../../lib/constructs/share-server-placement';
import { caught, newStack } from './helpers';

function build(props: ShareServerPlacementProps): ShareServerPlacement {
  const { stack } = newStack();
  return new ShareServerPlacement(stack, 'move', props);
}

describe('ShareServerPlacement', () => {
  it('GIVEN only a selector and a host WHEN created THEN the declaration has the defaults', () => {
    // WHEN
    const p = build({ shareNetwork: 'mp-sn-1', host: 'node1@beta' });
    // THEN
    expect(p.toDeclaration()).toEqual({
      kind: 'placement',
      path: 'placement/move',
      select: { shareNetwork: 'mp-sn-1' },
      host: 'node1@beta',
      flags: { writable: false, nondisruptive: false, preserveSnapshots: false },
      completion: 'auto',
    });
  });

  it('GIVEN every prop WHEN created THEN the declaration carries them', () => {
    const p = build({ shares: ['mp-share-1', 'mp-share-2'], project: 'p1', host: 'node1@gamma', writable: true, preserveSnapshots: true, newShareNetwork: 'mp-sn-2', completion: 'manual' });
    expect(p.toDeclaration()).toMatchObject({
      select: { shares: ['mp-share-1', 'mp-share-2'], project: 'p1' },
      host: 'node1@gamma',
      flags: { writable: true, nondisruptive: false, preserveSnapshots: true },
      newShareNetwork: 'mp-sn-2',
      completion: 'manual',
    });
  });

  it('GIVEN a host without @ WHEN created THEN MP_HOST_FORMAT naming the path, the prop, the value and an example', () => {
    const err = caught(() => build({ shareNetwork: 'mp-sn-1', host: 'node1' }));
    expect(err).toBeInstanceOf(InputError);
    expect(err.code).toBe('MP_HOST_FORMAT');
    expect(err.message).toContain('[placement/move]');
    expect(err.message).toContain('host "node1"');
    expect(err.message).toContain('hostname@backend');
    expect(err.message).toContain('node1@beta');
  });

  it('GIVEN a host with a #pool WHEN created THEN an error says share server migration takes no pool', () => {
    const err = caught(() => build({ shareNetwork: 'mp-sn-1', host: 'node1@beta#fake_pool_for_BETA' }));
    expect(err.code).toBe('MP_HOST_FORMAT');
    expect(err.message).toContain('takes no pool');
    expect(err.message).toContain('"node1@beta"');
  });

  it.each([
    ['two selectors', { shareNetwork: 'mp-sn-1', shareServerId: 'abc', host: 'node1@beta' }, /2 server selectors are set \(shareServerId, shareNetwork\)/],
    ['three selectors', { shareNetwork: 'mp-sn-1', shareServerId: 'abc', shares: ['x'], host: 'node1@beta' }, /3 server selectors/],
    ['no selector', { host: 'node1@beta' }, /no server selector is set/],
  ])('GIVEN %s WHEN created THEN MP_SELECTOR_INVALID', (_what, props, message) => {
    const err = caught(() => build(props as ShareServerPlacementProps));
    expect(err.code).toBe('MP_SELECTOR_INVALID');
    expect(err.message).toMatch(message);
    expect(err.message).toContain('exactly one of shareServerId, shareNetwork or shares');
  });

  it('GIVEN nondisruptive and a new share network WHEN created THEN MP_FLAGS_CONFLICT', () => {
    const err = caught(() => build({ shareNetwork: 'mp-sn-1', host: 'node1@beta', nondisruptive: true, newShareNetwork: 'mp-sn-2' }));
    expect(err.code).toBe('MP_FLAGS_CONFLICT');
    expect(err.message).toContain('[placement/move]');
    expect(err.message).toContain('newShareNetwork is "mp-sn-2"');
  });

  it('GIVEN an unknown completion WHEN created THEN MP_COMPLETION_INVALID listing the values', () => {
    const err = caught(() => build({ shareNetwork: 'mp-sn-1', host: 'node1@beta', completion: 'later' as unknown as 'auto' }));
    expect(err.code).toBe('MP_COMPLETION_INVALID');
    expect(err.message).toMatch(/"auto".*"manual"/);
  });

  it.each([
    ['a schedule that is not cron', { cron: 'every saturday', durationMinutes: 60 }, /five-field cron/],
    ['an unknown time zone', { cron: '0 2 * * SAT', durationMinutes: 60, timezone: 'Europe/Atlantis' }, /Europe\/Atlantis/],
    ['no duration', { cron: '0 2 * * SAT' }, /durationMinutes undefined/],
  ])('GIVEN a window with %s WHEN created THEN MP_WINDOW_INVALID names the path, the value and a valid example', (_what, window, why) => {
    const err = caught(() => build({ shareNetwork: 'mp-sn-1', host: 'node1@beta', completion: { window } as unknown as { window: { cron: string; durationMinutes: number } } }));
    expect(err.code).toBe('MP_WINDOW_INVALID');
    expect(err.message).toMatch(/^\[placement\/move\] completion\.window is /);
    expect(err.message).toMatch(why);
    expect(err.message).toContain("{ window: { cron: '0 2 * * SAT', durationMinutes: 120, timezone: 'Europe/Berlin' } }");
  });

  it('GIVEN a valid window WHEN created THEN the declaration carries it', () => {
    const window = { cron: '0 2 * * SAT', durationMinutes: 120, timezone: 'Europe/Berlin' };
    expect(build({ shareNetwork: 'mp-sn-1', host: 'node1@beta', completion: { window } }).toDeclaration().completion).toEqual({ window });
  });

  it('GIVEN a non-boolean flag (JavaScript caller) WHEN created THEN an error names the prop', () => {
    const err = caught(() => build({ shareNetwork: 'mp-sn-1', host: 'node1@beta', writable: 'yes' as unknown as boolean }));
    expect(err.code).toBe('MP_DECLARATION_INVALID');
    expect(err.message).toContain('writable');
  });

  it.each([
    ['project with shareServerId', { shareServerId: 'abc', project: 'p', host: 'node1@beta' }, 'MP_SELECTOR_INVALID'],
    ['an empty shares list', { shares: [], host: 'node1@beta' }, 'MP_DECLARATION_INVALID'],
    ['an empty share network', { shareNetwork: '', host: 'node1@beta' }, 'MP_DECLARATION_INVALID'],
    ['an empty host', { shareNetwork: 'mp-sn-1', host: '' }, 'MP_DECLARATION_INVALID'],
  ])('GIVEN %s WHEN created THEN %s', (_what, props, code) => {
    expect(caught(() => build(props as ShareServerPlacementProps)).code).toBe(code);
  });

  it('GIVEN a placement outside a PlacementStack WHEN validated THEN an error says where it belongs', () => {
    const app = Testing.app();
    const plain = new TerraformStack(app, 'plain');
    const p = new ShareServerPlacement(plain, 'move', { shareNetwork: 'mp-sn-1', host: 'node1@beta' });
    expect(p.node.validate()).toEqual([expect.stringContaining('must be created inside a PlacementStack')]);
  });
});
