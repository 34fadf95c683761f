// Validation problems name where (a JSON path as the document author sees it) and what was
// expected; all of a document's problems are collected, never just the first.
import { renderValue } from '../text';

export interface ValidationIssue {
  /** e.g. `rules[1].conditions.rate_limit`; `$` for the document itself. */
  readonly path: string;
  /** e.g. `expected "<N> req/<s|min|hour|day>", got "100/minute"`. */
  readonly message: string;
}

export type ParseResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly issues: readonly ValidationIssue[] };

/** `path: message`, one line, as an admin API or the CLI shows it. */
export function formatIssue(issue: ValidationIssue): string {
  return `${issue.path}: ${issue.message}`;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The path of a field the schema names (an identifier) or of an array item. */
export function childPath(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  return parent === '$' ? key : `${parent}.${key}`;
}

/** The path of a key found in the input, which may be anything: quoted when not an identifier. */
export function inputKeyPath(parent: string, key: string): string {
  if (IDENTIFIER.test(key)) return childPath(parent, key);
  return `${parent}[${renderValue(key)}]`;
}

export class IssueCollector {
  readonly issues: ValidationIssue[] = [];

  add(path: string, message: string): void {
    this.issues.push({ path, message });
  }

  expected(path: string, expected: string, got: unknown): void {
    this.add(path, `expected ${expected}, got ${renderValue(got)}`);
  }
}
