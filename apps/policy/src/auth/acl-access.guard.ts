import {
  type CanActivate,
  createParamDecorator,
  type ExecutionContext,
  Inject,
  Injectable,
  SetMetadata,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import type { Principal } from '@modelgate/auth';
import { AclError } from '../acl/domain/acl-error';
import {
  ACL_ROLES,
  PRINCIPAL_AUTHENTICATOR,
  type AclRoles,
  type PrincipalAuthenticator,
} from './principal-authenticator.port';

export type AclAccess = 'read' | 'write';
const ACL_ACCESS = 'modelgate:acl-access';

/** What a route needs: `read` (acl-viewer or acl-admin) or `write` (acl-admin). */
export const RequireAcl = (access: AclAccess) => SetMetadata(ACL_ACCESS, access);

type AuthenticatedRequest = FastifyRequest & { principal?: Principal };

/** Checks the caller's roles for the route's access; an API key never writes. */
export function mayAccess(principal: Principal, access: AclAccess, roles: AclRoles): boolean {
  const has = (list: readonly string[]) => principal.roles.some((r) => list.includes(r));
  if (access === 'write') return principal.credential.kind !== 'api_key' && has(roles.admin);
  return has(roles.admin) || has(roles.viewer);
}

@Injectable()
export class AclAccessGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(PRINCIPAL_AUTHENTICATOR) private readonly authenticator: PrincipalAuthenticator,
    @Inject(ACL_ROLES) private readonly roles: AclRoles,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const access = this.reflector.getAllAndOverride<AclAccess | undefined>(ACL_ACCESS, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (access === undefined) return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const principal = await this.authenticator.authenticate(request.headers.authorization);
    if (!mayAccess(principal, access, this.roles)) {
      throw new AclError(
        'forbidden',
        access === 'write'
          ? 'changing ACLs needs the acl-admin role'
          : 'reading ACLs needs the acl-viewer or acl-admin role',
      );
    }
    request.principal = principal;
    return true;
  }
}

export const CurrentPrincipal = createParamDecorator(
  (_data: unknown, context: ExecutionContext): Principal => {
    const principal = context.switchToHttp().getRequest<AuthenticatedRequest>().principal;
    if (!principal) throw new Error('CurrentPrincipal used on a route without RequireAcl');
    return principal;
  },
);
