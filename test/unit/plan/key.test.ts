import { declarationSlug, entryKey, keysOfDeclarations } from '../../../lib/plan/key';

describe('keysOfDeclarations (what apply --declaration runs)', () => {
  const entries = [
    { key: entryKey('stack/a', 'S1'), declaration: 'stack/a' },
    { key: entryKey('stack/a', 'S2'), declaration: 'stack/a' },
    { key: entryKey('stack/b', 'S3'), declaration: 'stack/b' },
  ];

  it('GIVEN a declaration by its construct path or by its slug WHEN selecting THEN the keys of its entries, and no other', () => {
    expect(keysOfDeclarations(entries, ['stack/a'])).toEqual(['stack_a--S1', 'stack_a--S2']);
    expect(keysOfDeclarations(entries, [declarationSlug('stack/b')])).toEqual(['stack_b--S3']);
  });

  it('GIVEN a declaration with no entry (an empty host, a balanced rebalance) WHEN selecting THEN none', () => {
    expect(keysOfDeclarations(entries, ['stack/c'])).toEqual([]);
  });
});
