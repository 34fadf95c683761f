// All documents, compiled. Each upsert compiles and swaps in one document only; a check finds
// the documents whose pattern matches the model (cached per model name), then probes only
// their rules for the caller's principals and the operation.
import type { PolicyDocument, PolicyMode } from '../policy';
import { CompiledDocument } from './compiled-document';
import { DocumentSet } from './document-set';
import { PrincipalTable, ownNameBit } from './principal-table';

export interface IndexedDocument {
  readonly document: PolicyDocument;
  /** The version given at upsert: the policy service's stream sequence. */
  readonly version: number;
}

/** The caller as the index's tables know it. */
export interface PrincipalSubject {
  readonly principalType: 'user' | 'api_key' | 'service_account';
  readonly principalId: string;
  readonly roles: readonly string[];
  readonly groups: readonly string[];
}

// Enough for every model of a large catalog; past it a cache starts over, so that requests for
// made-up model names cannot make it grow without bound.
const MAX_CACHED_MODELS = 100_000;

function remember<T>(cache: Map<string, T>, model: string, value: T): T {
  if (cache.size >= MAX_CACHED_MODELS) cache.clear();
  cache.set(model, value);
  return value;
}

/** Whether a document of `documents` or `shadow` may name the caller whose `ownNameBit` is `bit`. */
function mayName(
  documents: readonly CompiledDocument[],
  bit: number,
  shadow: readonly CompiledDocument[] | null,
): boolean {
  for (let i = 0; i < documents.length; i++) if ((documents[i]!.ownFilter & bit) !== 0) return true;
  if (shadow !== null)
    for (let i = 0; i < shadow.length; i++) if ((shadow[i]!.ownFilter & bit) !== 0) return true;
  return false;
}

export class PolicyIndex {
  private readonly enforced = new DocumentSet();
  private readonly shadows = new DocumentSet();
  private readonly principals = new PrincipalTable();
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
    const compiled = new CompiledDocument(document, version, this.principals);
    this.set(document.mode).set(compiled)?.release(this.principals);
    this.forget(document.model);
  }

  /** Removes the document for `model` (the pattern as written) in `mode`; false when none. */
  remove(model: string, mode: PolicyMode = 'enforce'): boolean {
    const removed = this.set(mode).delete(model);
    if (removed === undefined) return false;
    removed.release(this.principals);
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
    return (
      this.enforcedByModel.get(model) ??
      remember(this.enforcedByModel, model, this.enforced.applicable(model))
    );
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

  /**
   * @internal The numbers of the caller's principals (id, roles, groups) that some rule names:
   * only these can have rules, so only these are probed. With `documents` (and `shadow`), the
   * sets the numbers will be probed in, the id is looked up only when one of them may name it
   * (its `ownFilter`): the map of ids is the index's largest, and most of its reads miss the cache.
   * In `into` (emptied first) when given: `check` reuses one array.
   */
  principalNumbers(
    subject: PrincipalSubject,
    documents?: readonly CompiledDocument[],
    shadow?: readonly CompiledDocument[] | null,
    into?: number[],
  ): number[] {
    const table = this.principals;
    let numbers: number[];
    if (into === undefined) numbers = [];
    else {
      numbers = into;
      numbers.length = 0;
    }
    if (
      documents === undefined ||
      mayName(documents, ownNameBit(subject.principalType, subject.principalId), shadow ?? null)
    ) {
      const own = (
        subject.principalType === 'user'
          ? table.users
          : subject.principalType === 'api_key'
            ? table.apiKeys
            : table.serviceAccounts
      ).get(subject.principalId);
      if (own !== undefined) numbers.push(own);
    }
    // A role or group named twice by identity would be probed twice: harmless, and rarer than
    // the cost of looking for repeats in every check.
    const { roles, groups } = subject;
    for (let i = 0; i < roles.length; i++) {
      const number = table.roles.get(roles[i]!);
      if (number !== undefined) numbers.push(number);
    }
    for (let i = 0; i < groups.length; i++) {
      const number = table.groups.get(groups[i]!);
      if (number !== undefined) numbers.push(number);
    }
    return numbers;
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
