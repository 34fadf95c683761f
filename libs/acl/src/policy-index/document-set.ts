// The documents of one mode, found by model name: exact names in a map, globs bucketed by
// their literal prefix so that a name only meets the globs that can match it.
import { globMatches } from '../glob';
import type { CompiledDocument } from './compiled-document';

const NONE: readonly CompiledDocument[] = [];

export class DocumentSet {
  private readonly exact = new Map<string, CompiledDocument>();
  private readonly globsByPrefix = new Map<string, CompiledDocument[]>();
  /** The distinct lengths of glob prefixes, ascending: one map lookup each per check. */
  private prefixLengths: number[] = [];
  private documentCount = 0;
  private rules = 0;

  get size(): number {
    return this.documentCount;
  }

  get ruleCount(): number {
    return this.rules;
  }

  get(pattern: string): CompiledDocument | undefined {
    return (
      this.exact.get(pattern) ??
      this.globsByPrefix.get(this.prefixOf(pattern))?.find((doc) => doc.pattern === pattern)
    );
  }

  /** Adds `document` in place of the one with the same pattern, and returns that one. */
  set(document: CompiledDocument): CompiledDocument | undefined {
    const replaced = this.delete(document.pattern);
    this.documentCount++;
    this.rules += document.rules.length;
    if (document.glob === null) {
      this.exact.set(document.pattern, document);
      return replaced;
    }
    const prefix = document.glob.prefix;
    const bucket = this.globsByPrefix.get(prefix);
    if (bucket) {
      bucket.push(document);
    } else {
      this.globsByPrefix.set(prefix, [document]);
      this.updatePrefixLengths();
    }
    return replaced;
  }

  /** Removes the document for `pattern` and returns it. */
  delete(pattern: string): CompiledDocument | undefined {
    const existing = this.get(pattern);
    if (existing === undefined) return undefined;
    this.documentCount--;
    this.rules -= existing.rules.length;
    if (existing.glob === null) {
      this.exact.delete(pattern);
      return existing;
    }
    const prefix = existing.glob.prefix;
    const bucket = this.globsByPrefix.get(prefix)!.filter((doc) => doc !== existing);
    if (bucket.length > 0) {
      this.globsByPrefix.set(prefix, bucket);
    } else {
      this.globsByPrefix.delete(prefix);
      this.updatePrefixLengths();
    }
    return existing;
  }

  *[Symbol.iterator](): IterableIterator<CompiledDocument> {
    yield* this.exact.values();
    for (const bucket of this.globsByPrefix.values()) yield* bucket;
  }

  /** Every document whose pattern matches `model` (exact first, then globs, unordered). */
  applicable(model: string): readonly CompiledDocument[] {
    const exact = this.exact.get(model);
    let found: CompiledDocument[] | null = null;
    for (const length of this.prefixLengths) {
      if (length > model.length) break;
      const bucket = this.globsByPrefix.get(length === 0 ? '' : model.slice(0, length));
      if (bucket === undefined) continue;
      for (const doc of bucket) {
        if (globMatches(doc.glob!, model)) (found ??= exact ? [exact] : []).push(doc);
      }
    }
    return found ?? exact?.alone ?? NONE;
  }

  private prefixOf(pattern: string): string {
    const star = pattern.indexOf('*');
    return star < 0 ? pattern : pattern.slice(0, star);
  }

  private updatePrefixLengths(): void {
    this.prefixLengths = [...new Set([...this.globsByPrefix.keys()].map((prefix) => prefix.length))].sort(
      (a, b) => a - b,
    );
  }
}
