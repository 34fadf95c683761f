// Model patterns: `*` matches any run of characters (also none); everything else is literal.
// Compiled once into literal segments so that a match is a few startsWith/indexOf calls.

export interface Glob {
  readonly pattern: string;
  /** The literal text before the first `*`: the index buckets globs by it. */
  readonly prefix: string;
  readonly suffix: string;
  readonly middle: readonly string[];
  /** The least length a matching name has. */
  readonly minLength: number;
}

/** The compiled glob, or null when `pattern` has no `*` (an exact name). */
export function compileGlob(pattern: string): Glob | null {
  const parts = pattern.split('*');
  if (parts.length === 1) return null;
  const prefix = parts[0]!;
  const suffix = parts[parts.length - 1]!;
  const middle = parts.slice(1, -1).filter((part) => part.length > 0);
  const minLength = parts.reduce((sum, part) => sum + part.length, 0);
  return { pattern, prefix, suffix, middle, minLength };
}

export function globMatches(glob: Glob, name: string): boolean {
  if (name.length < glob.minLength || !name.startsWith(glob.prefix) || !name.endsWith(glob.suffix))
    return false;
  // Leftmost placement of each middle segment is optimal: it leaves the most room after it.
  let from = glob.prefix.length;
  const end = name.length - glob.suffix.length;
  for (const segment of glob.middle) {
    const at = name.indexOf(segment, from);
    if (at < 0 || at + segment.length > end) return false;
    from = at + segment.length;
  }
  return true;
}
