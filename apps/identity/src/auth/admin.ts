import type { Principal } from '@modelgate/auth';
import type { IdentityConfig } from '../config';
import { IdentityException } from '../errors/identity.exception';

/** Admin actions need an admin role carried by a token: an API key never administers. */
export function isAdmin(principal: Principal, config: IdentityConfig): boolean {
  return (
    principal.credential.kind !== 'api_key' &&
    principal.roles.some((r) => config.IDENTITY_ADMIN_ROLES.includes(r))
  );
}

export function requireAdmin(principal: Principal, config: IdentityConfig): void {
  if (!isAdmin(principal, config))
    throw new IdentityException('forbidden', 'this action needs an administrator token');
}
