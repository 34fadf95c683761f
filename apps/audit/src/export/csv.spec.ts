import { describe, expect, it } from 'vitest';
import { csvCell } from './csv';
import { parseCsv } from './csv-reader';

describe('csvCell', () => {
  it('neutralises formula starts with a leading quote', () => {
    for (const v of ['=1+1', '+1', '-1', '@SUM(A1)', '\tx', '\rx', '=HYPERLINK("http://x")'])
      expect(parseCsv(csvCell(v))[0]![0]).toBe(`'${v}`);
    expect(csvCell('a=b')).toBe('a=b');
  });

  it('quotes commas, quotes, CR and LF, and round-trips', () => {
    for (const v of ['a,b', 'say "hi"', 'line\r\nbreak', 'x\ny', '\\', '|', 'é😀']) {
      const line = `${csvCell(v)},${csvCell('next')}\r\n`;
      expect(parseCsv(line)).toEqual([[v, 'next']]);
    }
    expect(csvCell(null)).toBe('');
    expect(csvCell(-3)).toBe('-3');
  });
});
