import { describe, expect, it } from 'vitest';
import { ambiguityOf, renderValue } from './text';

describe('ambiguityOf', () => {
  it.each(['researcher', 'Forschung & Entwicklung', '研究员', 'café', 'a b'])('accepts %j', (value) => {
    expect(ambiguityOf(value, 100)).toBeNull();
  });

  it.each([
    ['', 'empty'],
    ['x'.repeat(11), 'at most 10 characters, got 11'],
    ['\u180e', 'invisible'],
    ['a\u{e0100}', 'invisible'],
    ['a\u3000b', 'non-ASCII spaces (U+3000'],
    ['研究员 ', 'leading or trailing'],
    ['cafe\u0301', 'NFC'],
  ])('rejects %j (%s)', (value, problem) => {
    expect(ambiguityOf(value, 10)).toContain(problem);
  });
});

describe('renderValue', () => {
  it.each([
    ['100/minute', '"100/minute"'],
    ['a"b\\c', '"a\\"b\\\\c"'],
    ['zero\u200bwidth', '"zero\\u200bwidth"'],
    [5, '5'],
    [true, 'true'],
    [null, 'null'],
    [undefined, 'nothing'],
    [[], 'an array'],
    [{}, 'an object'],
    [10n, '10'],
    [Symbol('s'), 'a symbol'],
    [() => 1, 'a function'],
  ])('renders value %# as %s', (value, rendered) => {
    expect(renderValue(value)).toBe(rendered);
  });

  it('cuts long strings and says how long they were', () => {
    expect(renderValue('x'.repeat(1000))).toBe(`"${'x'.repeat(60)}"… (1000 characters)`);
  });
});
