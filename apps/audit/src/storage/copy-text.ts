// One field of COPY's text format: NULL is `\N`; backslash, newline, carriage return and tab
// (the column delimiter) are backslash-escaped. Nothing else is special, so a line holding
// only `\.` (end of data) cannot be produced from a value: its backslash is doubled.
const SPECIAL = /[\\\n\r\t]/;
const SPECIAL_ALL = /[\\\n\r\t]/g;
const ESCAPES: Readonly<Record<string, string>> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

export function copyTextField(value: string | null): string {
  if (value === null) return '\\N';
  return SPECIAL.test(value) ? value.replace(SPECIAL_ALL, (c) => ESCAPES[c]!) : value;
}
