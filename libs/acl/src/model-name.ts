// Model names reach file paths, URLs and log lines of the serving stack, so they are kept to
// a small ASCII alphabet: what is outside it is either ambiguous or a path-traversal attempt.
import { ambiguityOf } from './text';

export const MAX_MODEL_NAME_LENGTH = 256;

const ALNUM = 1;
const PUNCT = 2;
/** Per ASCII code: ALNUM, PUNCT (allowed after the first character) or 0 (never allowed). */
const CHARACTER_CLASS = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const char = String.fromCharCode(c);
  if (/[A-Za-z0-9]/.test(char)) CHARACTER_CLASS[c] = ALNUM;
  else if ('._:@+-'.includes(char)) CHARACTER_CLASS[c] = PUNCT;
}

/**
 * True when `name` is a valid model name. The per-check fast path: it agrees exactly with
 * `modelNameProblem(name, false) === null`, which explains a rejection.
 */
export function isModelName(name: string): boolean {
  const length = name.length;
  if (length === 0 || length > MAX_MODEL_NAME_LENGTH) return false;
  const first = name.charCodeAt(0);
  if (first >= 128 || CHARACTER_CLASS[first] !== ALNUM) return false;
  for (let i = 1; i < length; i++) {
    const c = name.charCodeAt(i);
    if (c >= 128 || CHARACTER_CLASS[c] === 0) return false;
  }
  return true;
}

/** Why `name` is not a valid model name (or, with `allowGlob`, pattern), or null. */
export function modelNameProblem(name: string, allowGlob: boolean): string | null {
  const ambiguity = ambiguityOf(name, MAX_MODEL_NAME_LENGTH);
  if (ambiguity !== null) return ambiguity;
  if (/[/\\]/.test(name)) return 'must not contain path separators (/ or \\)';
  if (allowGlob && name.includes('**'))
    return 'must not contain "**" (one * already matches any run of characters)';
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c === 0x2a && allowGlob) continue;
    if (c >= 128 || CHARACTER_CLASS[c] === 0) {
      const allowed = allowGlob ? 'letters, digits, . _ : @ + - and *' : 'letters, digits and . _ : @ + -';
      return `must contain only ASCII ${allowed} (found ${JSON.stringify(name[i])} at index ${i})`;
    }
  }
  const first = name.charCodeAt(0);
  if (CHARACTER_CLASS[first] !== ALNUM && !(allowGlob && first === 0x2a)) {
    return allowGlob ? 'must start with a letter, a digit or *' : 'must start with a letter or a digit';
  }
  return null;
}
