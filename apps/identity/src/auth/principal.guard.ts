import { type CanActivate, createParamDecorator, type ExecutionContext, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { AuthenticationError, bearerCredential, PrincipalResolver, type Principal } from '@modelgate/auth';
import { DisabledPrincipals } from '../principals/disabled-principals';

type AuthenticatedRequest = FastifyRequest & { principal?: Principal };

/**
 * Requires a valid bearer credential (identity token, OIDC token or API key) and attaches
 * the principal. A disabled principal is refused even with a token signed before it was
 * disabled (API keys already answer "owner disabled" from their record).
 */
@Injectable()
export class PrincipalGuard implements CanActivate {
  constructor(
    private readonly resolver: PrincipalResolver,
    private readonly disabled: DisabledPrincipals,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const principal = await this.resolver.resolve(bearerCredential(request.headers.authorization));
    if (this.disabled.has(principal.type, principal.id)) {
      throw new AuthenticationError('disabled', 'principal disabled');
    }
    request.principal = principal;
    return true;
  }
}

export const CurrentPrincipal = createParamDecorator(
  (_data: unknown, context: ExecutionContext): Principal => {
    const principal = context.switchToHttp().getRequest<AuthenticatedRequest>().principal;
    if (!principal) throw new Error('CurrentPrincipal used without PrincipalGuard');
    return principal;
  },
);

export function principalJson(p: Principal): Record<string, unknown> {
  return {
    id: p.id,
    type: p.type,
    roles: p.roles,
    groups: p.groups,
    credential: {
      kind: p.credential.kind,
      issuer: p.credential.issuer,
      key_id: p.credential.keyId ?? null,
      models: p.credential.models ?? null,
      operations: p.credential.operations ?? null,
      expires_at: p.credential.expiresAt ? new Date(p.credential.expiresAt * 1000).toISOString() : null,
    },
  };
}
