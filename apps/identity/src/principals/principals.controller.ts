import { Body, Controller, HttpCode, Inject, Param, Post, UseFilters, UseGuards } from '@nestjs/common';
import { z } from 'zod';
import { normalisePrincipalId, type Principal } from '@modelgate/auth';
import { CONFIG } from '@modelgate/service-kit';
import type { IdentityConfig } from '../config';
import { requireAdmin } from '../auth/admin';
import { CurrentPrincipal, PrincipalGuard } from '../auth/principal.guard';
import { IdentityExceptionFilter } from '../errors/identity-exception.filter';
import { parseBody } from '../errors/parse-body';
import { actorOf } from '../service-accounts/service-accounts.service';
import { disabledPrincipalJson, PrincipalsService } from './principals.service';

/** A user principal id as identity issues them: a mail address or a login name, printable, bounded. */
const userIdParam = z
  .string()
  .min(1)
  .max(320)
  .regex(/^[^\s\p{Cc}]+$/u, 'expected a user id such as alice@company.com');

const disableDto = z.strictObject({ reason: z.string().trim().min(1).max(500).optional() });

/** Admin-only: disable a user principal (service accounts: DELETE /v1/service-accounts/{id}). */
@Controller('v1/principals')
@UseGuards(PrincipalGuard)
@UseFilters(IdentityExceptionFilter)
export class PrincipalsController {
  constructor(
    private readonly principals: PrincipalsService,
    @Inject(CONFIG) private readonly config: IdentityConfig,
  ) {}

  @Post('users/:id/disable')
  @HttpCode(200)
  async disableUser(
    @CurrentPrincipal() actor: Principal,
    @Param('id') id: string,
    @Body() body: unknown,
  ): Promise<Record<string, unknown>> {
    requireAdmin(actor, this.config);
    const userId = normalisePrincipalId(parseBody(userIdParam, id, 'id'));
    const { reason } = parseBody(disableDto, body);
    const { principal, changed } = await this.principals.disableUser(
      userId,
      reason ?? 'disabled by an administrator',
      actorOf(actor),
    );
    return { ...disabledPrincipalJson(principal), changed };
  }
}
