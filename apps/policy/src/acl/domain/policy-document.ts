import { formatPolicyDocument, parsePolicyDocument } from '@modelgate/acl';
import { AclError } from './acl-error';
import type { StoredDocument } from './acl-state';

/**
 * Validates a document with the policy language's parser and returns it normalised
 * (the form stored in events). Every problem is reported with its JSON path.
 */
export function normaliseDocument(input: unknown): StoredDocument {
  const parsed = parsePolicyDocument(input);
  if (!parsed.ok) {
    const issues = parsed.issues.map((i) => ({ path: i.path, message: i.message }));
    throw new AclError('invalid_policy', issues.map((i) => `${i.path}: ${i.message}`).join('; '), issues);
  }
  const json = formatPolicyDocument(parsed.value);
  return { model: json.model, mode: json.mode, rules: json.rules as unknown as Record<string, unknown>[] };
}
