import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isModelName, modelNameProblem } from './model-name';

describe('model names', () => {
  it.each([
    'qwen3-7b-chat',
    'Qwen3-7B-Instruct',
    'llama3.1:8b',
    'deepseek-r1@q4',
    'a',
    'gpt-4o+tools',
    'x_y',
  ])('accepts %s', (name) => {
    expect(modelNameProblem(name, false)).toBeNull();
    expect(isModelName(name)).toBe(true);
  });

  it.each([
    ['', 'must not be empty'],
    [' qwen3', 'leading or trailing spaces'],
    ['qwen3 ', 'leading or trailing spaces'],
    ['qwen3\u0000', 'control characters (U+0000 at index 5)'],
    ['qwen3\t7b', 'control characters (U+0009'],
    ['qwen3\u0085', 'control characters (U+0085'],
    ['qwen\u200b3', 'invisible or zero-width characters (U+200B at index 4)'],
    ['qwen\u202e3', 'invisible or zero-width characters (U+202E'],
    ['\ufeffqwen3', 'invisible or zero-width characters (U+FEFF'],
    ['qwen\ud8003', 'invisible or zero-width characters (U+D800'],
    ['qwen\u00a03', 'non-ASCII spaces (U+00A0'],
    ['qwe\u0301n', 'NFC'],
    ['Qwen/Qwen3-7B', 'path separators'],
    ['..\\models', 'path separators'],
    ['qwen 3', 'only ASCII letters, digits'],
    ['qwen*', 'only ASCII letters, digits'],
    ['модель', 'only ASCII letters, digits'],
    ['qwen３', 'only ASCII letters, digits'],
    ['.hidden', 'must start with a letter or a digit'],
    ['-x', 'must start with a letter or a digit'],
    ['a'.repeat(257), 'at most 256 characters'],
  ])('rejects %j: %s', (name, problem) => {
    expect(modelNameProblem(name, false)).toContain(problem);
    expect(isModelName(name)).toBe(false);
  });

  it.each(['qwen3-*', '*', '*-chat', 'a*b*c', '*x*'])('accepts the pattern %s', (pattern) => {
    expect(modelNameProblem(pattern, true)).toBeNull();
  });

  it.each([
    ['qwen3-**', '"**"'],
    ['*/x', 'path separators'],
    ['.*', 'must start with a letter, a digit or *'],
    ['qwen?', 'only ASCII letters, digits, . _ : @ + - and *'],
  ])('rejects the pattern %j: %s', (pattern, problem) => {
    expect(modelNameProblem(pattern, true)).toContain(problem);
  });

  it('the fast check agrees with the explaining one on any string', () => {
    const alphabet = fc.constantFrom(...'aZ09._:@+-*/\\ \u200b\u00a0\u0000é'.split(''));
    const text = fc.oneof(
      fc.string({ unit: alphabet, maxLength: 12 }),
      fc.string({ unit: 'binary', maxLength: 12 }),
    );
    fc.assert(
      fc.property(text, (name) => isModelName(name) === (modelNameProblem(name, false) === null)),
      { numRuns: 2000 },
    );
  });
});
