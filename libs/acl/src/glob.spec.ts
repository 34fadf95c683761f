import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileGlob, globMatches } from './glob';

function reference(pattern: string, name: string): boolean {
  const source = pattern
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${source}$`, 's').test(name);
}

describe('globs', () => {
  it('an exact name compiles to no glob', () => {
    expect(compileGlob('qwen3-7b-chat')).toBeNull();
  });

  it('buckets by the literal prefix', () => {
    expect(compileGlob('qwen3-*-chat')?.prefix).toBe('qwen3-');
    expect(compileGlob('*-chat')?.prefix).toBe('');
  });

  it.each([
    ['qwen3-*', 'qwen3-7b', true],
    ['qwen3-*', 'qwen3-', true],
    ['qwen3-*', 'qwen2-7b', false],
    ['*', '', true],
    ['*-chat', 'x-chat', true],
    ['*-chat', 'x-chat2', false],
    ['a*a', 'a', false],
    ['a*a', 'aa', true],
    ['a*b*b', 'abb', true],
    ['a*bb*b', 'abbb', true],
    ['a*bb*b', 'abb', false],
  ])('%s against %s is %s', (pattern, name, expected) => {
    expect(globMatches(compileGlob(pattern)!, name)).toBe(expected);
  });

  it('matches exactly what the equivalent regular expression matches', () => {
    const text = (unit: string[]) => fc.string({ unit: fc.constantFrom(...unit), maxLength: 8 });
    fc.assert(
      fc.property(
        text(['a', 'b', '*']).filter((p) => p.includes('*')),
        text(['a', 'b']),
        (pattern, name) => {
          expect(globMatches(compileGlob(pattern)!, name)).toBe(reference(pattern, name));
        },
      ),
      { numRuns: 3000 },
    );
  });
});
