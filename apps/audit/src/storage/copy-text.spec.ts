import { describe, expect, it } from 'vitest';
import { copyTextField } from './copy-text';

// COPY's text format parses the field back; a hostile value must never end the row, add a
// column, become NULL or end the data.
function parseCopyField(field: string): string | null {
  if (field === '\\N') return null;
  return field.replace(/\\(.)/g, (_, c: string) => ({ n: '\n', r: '\r', t: '\t' })[c] ?? c);
}

describe('copyTextField', () => {
  it('writes NULL as \\N and a literal "\\N" so that it stays text', () => {
    expect(copyTextField(null)).toBe('\\N');
    expect(copyTextField('\\N')).toBe('\\\\N');
    expect(parseCopyField(copyTextField('\\N'))).toBe('\\N');
  });

  it.each([
    ['tab (column delimiter)', 'a\tb'],
    ['newline (row end)', 'a\nb'],
    ['carriage return', 'a\r\nb'],
    ['end-of-data marker', '\\.'],
    ['backslashes', 'C:\\x\\\\y\\'],
    ['everything at once', '\t\\.\n\r=cmd|x'],
  ])('escapes %s so that it round-trips on one line', (_, value) => {
    const field = copyTextField(value);
    expect(field).not.toMatch(/[\t\n\r]/);
    expect(field).not.toBe('\\.');
    expect(parseCopyField(field)).toBe(value);
  });

  it('leaves ordinary text as it is', () => {
    expect(copyTextField('qwen3-7b-chat')).toBe('qwen3-7b-chat');
  });
});
