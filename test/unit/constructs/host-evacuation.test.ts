import { HostEvacuation, type HostEvacuationProps } from '../../../lib/constructs/host-evacuation';
import { caught, newStack } from './helpers';

function build(props: HostEvacuationProps): HostEvacuation {
  const { stack } = newStack();
  return new HostEvacuation(stack, 'evacuate', props);
}

describe('HostEvacuation', () => {
  it('GIVEN a host and targets WHEN created THEN the declaration has the defaults', () => {
    const e = build({ host: 'node1@alpha', targets: ['node1@beta', 'node1@gamma'] });
    expect(e.toDeclaration()).toEqual({
      kind: 'evacuation',
      path: 'placement/evacuate',
      sourceHost: 'node1@alpha',
      targets: ['node1@beta', 'node1@gamma'],
      flags: { writable: false, nondisruptive: false, preserveSnapshots: false },
      completion: 'auto',
    });
  });

  it('GIVEN maxPerTarget, flags and completion WHEN created THEN the declaration carries them', () => {
    const e = build({ host: 'node1@alpha', targets: ['node1@beta'], maxPerTarget: 3, nondisruptive: true, completion: 'manual' });
    expect(e.toDeclaration()).toMatchObject({ maxPerTarget: 3, flags: { nondisruptive: true }, completion: 'manual' });
  });

  it.each([
    ['no targets', { host: 'node1@alpha', targets: [] }, 'MP_TARGETS_INVALID', /targets is empty/],
    ['the source among the targets', { host: 'node1@alpha', targets: ['node1@beta', 'node1@alpha'] }, 'MP_TARGETS_INVALID', /contains the evacuated host node1@alpha/],
    ['a duplicate target', { host: 'node1@alpha', targets: ['node1@beta', 'node1@beta'] }, 'MP_TARGETS_INVALID', /node1@beta more than once/],
    ['a target without @', { host: 'node1@alpha', targets: ['node1'] }, 'MP_HOST_FORMAT', /targets\[0\] "node1"/],
    ['a target with a pool', { host: 'node1@alpha', targets: ['node1@beta#p'] }, 'MP_HOST_FORMAT', /takes no pool/],
    ['a source without @', { host: 'alpha', targets: ['node1@beta'] }, 'MP_HOST_FORMAT', /host "alpha"/],
    ['maxPerTarget 0', { host: 'node1@alpha', targets: ['node1@beta'], maxPerTarget: 0 }, 'MP_MAX_PER_TARGET_INVALID', /maxPerTarget is 0/],
    ['maxPerTarget 1.5', { host: 'node1@alpha', targets: ['node1@beta'], maxPerTarget: 1.5 }, 'MP_MAX_PER_TARGET_INVALID', /positive integer/],
    ['maxPerTarget -2', { host: 'node1@alpha', targets: ['node1@beta'], maxPerTarget: -2 }, 'MP_MAX_PER_TARGET_INVALID', /maxPerTarget is -2/],
  ])('GIVEN %s WHEN created THEN %s', (_what, props, code, message) => {
    const err = caught(() => build(props));
    expect(err.code).toBe(code);
    expect(err.message).toContain('[placement/evacuate]');
    expect(err.message).toMatch(message);
  });
});
