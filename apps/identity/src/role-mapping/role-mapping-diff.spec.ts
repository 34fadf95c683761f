import { describe, expect, it } from 'vitest';
import { canonicalRoleMap, changedGroups } from './role-mapping-diff';

describe('role mapping diff', () => {
  it('sees no change when only the order differs', () => {
    expect(changedGroups({ a: ['x', 'y'], b: ['z'] }, { b: ['z'], a: ['y', 'x', 'x'] })).toEqual([]);
  });

  it('names added, removed and changed groups', () => {
    expect(changedGroups({ a: ['x'], b: ['y'], c: ['z'] }, { a: ['x'], b: ['y', 'w'], d: ['v'] })).toEqual([
      'b',
      'c',
      'd',
    ]);
  });

  it('treats no previous mapping as every group added', () => {
    expect(changedGroups(null, { researchers: ['researcher'] })).toEqual(['researchers']);
  });

  it('tells an empty role list from an absent group', () => {
    expect(changedGroups({ a: [] }, {})).toEqual(['a']);
    expect(canonicalRoleMap({ b: ['2', '1'], a: [] })).toEqual({ a: [], b: ['1', '2'] });
  });
});
