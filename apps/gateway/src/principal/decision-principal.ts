import { compileGlob, globMatches } from '@modelgate/acl';
import type { Principal } from '@modelgate/auth';
import type { DecisionPrincipal } from '../decision/decision-client';

/**
 * The principal the decision service checks. A caller using an API key is the key
 * (`api_key` rules name its id) with its owner's roles and groups, so that a rule for a
 * role covers its members' keys, while a rule for a user covers only that user's own logins.
 */
export function decisionPrincipalOf(principal: Principal): DecisionPrincipal {
  const { credential } = principal;
  if (credential.kind === 'api_key' && credential.keyId !== undefined) {
    return { id: credential.keyId, type: 'api_key', roles: principal.roles, groups: principal.groups };
  }
  return { id: principal.id, type: principal.type, roles: principal.roles, groups: principal.groups };
}

/**
 * What an API key's own scope (set when it was created) leaves out of this request:
 * the model (the key cannot see it: 404), the operation (403), or nothing. A key can only
 * narrow what its owner may do; the ACL still decides within the scope.
 */
export function keyScopeExcludes(
  principal: Principal,
  model: string,
  operation: string,
): 'model' | 'operation' | null {
  const { models, operations } = principal.credential;
  if (models !== undefined && !models.some((pattern) => patternMatches(pattern, model))) return 'model';
  if (operations !== undefined && !operations.includes(operation)) return 'operation';
  return null;
}

function patternMatches(pattern: string, model: string): boolean {
  const glob = compileGlob(pattern);
  return glob === null ? pattern === model : globMatches(glob, model);
}
