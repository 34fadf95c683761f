// A served model's ACL status: which documents apply to it (exact name or glob) and
// whether any is enforced or only a shadow candidate.
import { compileGlob, globMatches } from '@modelgate/acl';
import type { AclDocument } from '../api/acl-api';

export type AclStatus = 'enforced' | 'shadow' | 'none';

export interface ModelRow {
  readonly model: string;
  readonly engine: string | null;
  readonly status: AclStatus;
  /** True when some document applying to it also has a shadow candidate. */
  readonly hasShadow: boolean;
  /** Patterns of the documents that apply, exact name first. */
  readonly patterns: readonly string[];
}

export function patternMatches(pattern: string, model: string): boolean {
  const glob = compileGlob(pattern);
  return glob === null ? pattern === model : globMatches(glob, model);
}

export function modelRows(
  models: readonly { model: string; engine: string | null }[],
  documents: readonly AclDocument[],
): ModelRow[] {
  return models.map(({ model, engine }) => {
    const applying = documents
      .filter((d) => patternMatches(d.model, model))
      .sort(
        (a, b) => Number(b.model === model) - Number(a.model === model) || a.model.localeCompare(b.model),
      );
    const enforced = applying.some((d) => d.enforce !== null);
    const hasShadow = applying.some((d) => d.shadow !== null);
    return {
      model,
      engine,
      status: enforced ? 'enforced' : hasShadow ? 'shadow' : 'none',
      hasShadow,
      patterns: applying.map((d) => d.model),
    };
  });
}
