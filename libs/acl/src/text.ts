// Policies compare strings exactly, so a value that renders like another but compares
// differently (or hides in a log line) is rejected instead of being folded silently.

const FORMAT_OR_SURROGATE = /^[\p{Cf}\p{Cs}]$/u;
const WHITE_SPACE = /^\p{White_Space}$/u;

function isControl(cp: number): boolean {
  return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f);
}

/** Invisible or zero-width: format characters (ZWSP, ZWJ, bidi overrides, BOM, soft hyphen…),
 * lone surrogates, and the invisible letters, fillers and variation selectors outside Cf. */
function isInvisible(cp: number): boolean {
  return (
    FORMAT_OR_SURROGATE.test(String.fromCodePoint(cp)) ||
    cp === 0x034f ||
    cp === 0x115f ||
    cp === 0x1160 ||
    cp === 0x17b4 ||
    cp === 0x17b5 ||
    cp === 0x3164 ||
    cp === 0xffa0 ||
    (cp >= 0x180b && cp <= 0x180f) ||
    (cp >= 0xfe00 && cp <= 0xfe0f) ||
    (cp >= 0xe0100 && cp <= 0xe01ef)
  );
}

/**
 * Why `value` is not an unambiguous identifier, or null when it is one: it must be non-empty
 * and short enough, and hold no control characters, no invisible characters, no spaces but
 * the ASCII one and none of those at either end, and be in Unicode NFC.
 */
export function ambiguityOf(value: string, maxLength: number): string | null {
  if (value.length === 0) return 'must not be empty';
  if (value.length > maxLength) return `must be at most ${maxLength} characters, got ${value.length}`;
  if (isPrintableAscii(value))
    return value.startsWith(' ') || value.endsWith(' ') ? 'must not have leading or trailing spaces' : null;
  for (let i = 0; i < value.length;) {
    const cp = value.codePointAt(i)!;
    if (isControl(cp)) return `must not contain control characters (${codePointName(cp)} at index ${i})`;
    if (isInvisible(cp))
      return `must not contain invisible or zero-width characters (${codePointName(cp)} at index ${i})`;
    if (cp !== 0x20 && WHITE_SPACE.test(String.fromCodePoint(cp)))
      return `must not contain non-ASCII spaces (${codePointName(cp)} at index ${i})`;
    i += cp > 0xffff ? 2 : 1;
  }
  if (value.startsWith(' ') || value.endsWith(' ')) return 'must not have leading or trailing spaces';
  if (value.normalize('NFC') !== value) return 'must be in Unicode NFC form';
  return null;
}

/** The common case, checked first: nothing but printable ASCII (which is NFC, too). */
function isPrintableAscii(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

function codePointName(cp: number): string {
  return `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
}

const MAX_RENDERED = 60;

/**
 * A value as an error message shows it: strings quoted with everything outside printable
 * ASCII escaped (so a zero-width character is visible) and cut short; other values by kind.
 */
export function renderValue(value: unknown): string {
  if (typeof value === 'string') return renderString(value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return String(value);
  if (value === null) return 'null';
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

function renderString(value: string): string {
  const shown = value.length > MAX_RENDERED ? value.slice(0, MAX_RENDERED) : value;
  let out = '"';
  for (let i = 0; i < shown.length; i++) {
    const code = shown.charCodeAt(i);
    if (code === 0x22 || code === 0x5c) out += `\\${shown[i]}`;
    else if (code >= 0x20 && code < 0x7f) out += shown[i];
    else out += `\\u${code.toString(16).padStart(4, '0')}`;
  }
  out += '"';
  return value.length > MAX_RENDERED ? `${out}… (${value.length} characters)` : out;
}
