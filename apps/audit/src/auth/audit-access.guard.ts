import {
  type CanActivate,
  createParamDecorator,
  type ExecutionContext,
  Inject,
  Injectable,
} from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { Principal } from '@modelgate/auth';
import type { AuditFilter } from '../storage/audit-log.repository';
import { AuditError } from '../query/audit-error';
import { PRINCIPAL_AUTHENTICATOR, type PrincipalAuthenticator } from './audit-authenticator';

export const AUDIT_READ_ALL_ROLES = Symbol('AUDIT_READ_ALL_ROLES');

/** What the caller may see: everything (auditors, ACL admins) or only records of their own principal id. */
export interface AuditViewer {
  readonly principal: Principal;
  readonly seesAll: boolean;
}

type AuditRequest = FastifyRequest & { auditViewer?: AuditViewer };

/** Every audit route needs an authenticated caller; what it sees depends on its roles. */
@Injectable()
export class AuditAccessGuard implements CanActivate {
  constructor(
    @Inject(PRINCIPAL_AUTHENTICATOR) private readonly authenticator: PrincipalAuthenticator,
    @Inject(AUDIT_READ_ALL_ROLES) private readonly readAllRoles: readonly string[],
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuditRequest>();
    const principal = await this.authenticator.authenticate(request.headers.authorization);
    request.auditViewer = { principal, seesAll: principal.roles.some((r) => this.readAllRoles.includes(r)) };
    return true;
  }
}

export const Viewer = createParamDecorator((_data: unknown, context: ExecutionContext): AuditViewer => {
  const viewer = context.switchToHttp().getRequest<AuditRequest>().auditViewer;
  if (!viewer) throw new Error('Viewer used on a route without AuditAccessGuard');
  return viewer;
});

/** The filter narrowed to what the viewer may see; asking for someone else's records is refused. */
export function visibleFilter(viewer: AuditViewer, filter: AuditFilter): AuditFilter {
  if (viewer.seesAll) return filter;
  if (filter.principal !== undefined && filter.principal !== viewer.principal.id)
    throw new AuditError('forbidden', "reading other principals' audit records needs the auditor role");
  return { ...filter, principal: viewer.principal.id };
}
