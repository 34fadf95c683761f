// All documents, compiled. Each upsert compiles and swaps in one document only; a check finds
// the documents whose pattern matches the model (cached per model name), then probes only
// their rules for the caller's principals (hashed, see principal-key.ts) and the operation.
import { isModelName } from '../model-name';
import type { PolicyDocument, PolicyMode } from '../policy';
import { CompiledDocument } from './compiled-document';
import { DocumentSet } from './document-set';

export interface IndexedDocument {
  readonly document: PolicyDocument;
  /** The version given at upsert: the policy service's stream sequence. */
  readonly version: number;
}

// Enough for every model of a large catalog; past it a cache starts over, so that requests for
// made-up model names cannot make it grow without bound.
const MAX_CACHED_MODELS = 100_000;

function remember<T>(cache: Map<string, T>, model: string, value: T): T {
  if (cache.size >= MAX_CACHED_MODELS) cache.clear();
  cache.set(model, value);
  return value;
}

export class PolicyIndex {
  private readonly enforced = new DocumentSet();
  private readonly shadows = new DocumentSet();
  // Per model name: the documents a check reads (one map read per check, not a glob search).
  private readonly enforcedByModel = new Map<string, readonly CompiledDocument[]>();
  private readonly shadowSetByModel = new Map<string, readonly CompiledDocument[] | null>();

  /** An index of `documents`; a later entry for the same model and mode replaces an earlier one. */
  static from(documents: Iterable<IndexedDocument>): PolicyIndex {
    const index = new PolicyIndex();
    for (const { document, version } of documents) index.upsert(document, version);
    return index;
  }

  /**
   * Puts `document` (as `parsePolicyDocument` returned it) in place of the document for the
   * same model pattern and mode. Only this document is compiled.
   */
  upsert(document: PolicyDocument, version: number): void {
    if (!Number.isSafeInteger(version) || version < 0)
      throw new RangeError(`version must be a non-negative integer, got ${version}`);
    this.set(document.mode).set(new CompiledDocument(document, version));
    this.forget(document.model);
  }

  /** Removes the document for `model` (the pattern as written) in `mode`; false when none. */
  remove(model: string, mode: PolicyMode = 'enforce'): boolean {
    if (this.set(mode).delete(model) === undefined) return false;
    this.forget(model);
    return true;
  }

  get(model: string, mode: PolicyMode = 'enforce'): IndexedDocument | undefined {
    const compiled = this.set(mode).get(model);
    return compiled && { document: compiled.source, version: compiled.version };
  }

  documents(): IndexedDocument[] {
    return [...this.enforced, ...this.shadows].map((compiled) => ({
      document: compiled.source,
      version: compiled.version,
    }));
  }

  get documentCount(): number {
    return this.enforced.size + this.shadows.size;
  }

  get ruleCount(): number {
    return this.enforced.ruleCount + this.shadows.ruleCount;
  }

  /** @internal The enforced documents that apply to `model`. */
  enforcedFor(model: string): readonly CompiledDocument[] {
    const known = this.enforcedByModel.get(model);
    if (known !== undefined) return known;
    const documents = this.enforced.applicable(model);
    // Only valid names are kept: `knownEnforcedFor` finding a name vouches for it.
    return isModelName(model) ? remember(this.enforcedByModel, model, documents) : documents;
  }

  /** @internal `enforcedFor(model)` when it was asked before (so `model` is a valid name), else undefined. */
  knownEnforcedFor(model: string): readonly CompiledDocument[] | undefined {
    return this.enforcedByModel.get(model);
  }

  /**
   * @internal What a shadow evaluation of `model` reads: every applicable shadow document in
   * place of the enforced document of the same pattern, the other enforced documents as they
   * are; null when no shadow document applies.
   */
  shadowSetFor(model: string): readonly CompiledDocument[] | null {
    if (this.shadows.size === 0) return null;
    const known = this.shadowSetByModel.get(model);
    if (known !== undefined) return known;
    const shadows = this.shadows.applicable(model);
    const replaced = new Set(shadows.map((doc) => doc.pattern));
    const set =
      shadows.length === 0
        ? null
        : [...shadows, ...this.enforcedFor(model).filter((doc) => !replaced.has(doc.pattern))];
    return remember(this.shadowSetByModel, model, set);
  }

  /** Drops the cached lookups that a change of the document for `pattern` can affect. */
  private forget(pattern: string): void {
    for (const cache of [this.enforcedByModel, this.shadowSetByModel]) {
      if (pattern.includes('*')) cache.clear();
      else cache.delete(pattern);
    }
  }

  private set(mode: PolicyMode): DocumentSet {
    return mode === 'shadow' ? this.shadows : this.enforced;
  }
}
