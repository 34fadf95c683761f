import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Inject,
  Param,
  Post,
  Query,
  UseFilters,
  UseGuards,
} from '@nestjs/common';
import { z } from 'zod';
import type { Principal } from '@modelgate/auth';
import { CONFIG } from '@modelgate/service-kit';
import type { IdentityConfig } from '../config';
import { requireAdmin } from '../auth/admin';
import { CurrentPrincipal, PrincipalGuard } from '../auth/principal.guard';
import { IdentityExceptionFilter } from '../errors/identity-exception.filter';
import { parseBody } from '../errors/parse-body';
import { pageQueryShape } from '../pagination/cursor';
import { serviceAccountJson, ServiceAccountsService } from './service-accounts.service';

const createServiceAccountDto = z.strictObject({
  id: z.string().regex(/^[a-z][a-z0-9-]{1,62}$/, 'expected a lower-case name such as ci-deployer'),
  name: z.string().trim().min(1).max(200).optional(),
  roles: z.array(z.string().min(1).max(100)).max(50).default([]),
});

const serviceAccountListQueryDto = z.strictObject(pageQueryShape);

/** Admin-only: service accounts (client credentials; they may also own API keys). */
@Controller('v1/service-accounts')
@UseGuards(PrincipalGuard)
@UseFilters(IdentityExceptionFilter)
export class ServiceAccountsController {
  constructor(
    private readonly accounts: ServiceAccountsService,
    @Inject(CONFIG) private readonly config: IdentityConfig,
  ) {}

  /** The only answer that shows the client secret. */
  @Post()
  @HttpCode(201)
  async create(
    @CurrentPrincipal() actor: Principal,
    @Body() body: unknown,
  ): Promise<Record<string, unknown>> {
    requireAdmin(actor, this.config);
    const { account, clientSecret } = await this.accounts.create(
      actor,
      parseBody(createServiceAccountDto, body),
    );
    return { ...serviceAccountJson(account), client_id: account.id, client_secret: clientSecret };
  }

  /** `?limit=&cursor=`: one page of accounts by id; `next_cursor` null on the last page. */
  @Get()
  async list(
    @CurrentPrincipal() actor: Principal,
    @Query() query: unknown,
  ): Promise<{ items: Record<string, unknown>[]; next_cursor: string | null }> {
    requireAdmin(actor, this.config);
    const page = await this.accounts.list(parseBody(serviceAccountListQueryDto, query, 'query'));
    return { items: page.items.map(serviceAccountJson), next_cursor: page.nextCursor };
  }

  /** Disables the account: its tokens are refused at their next renewal, its API keys at once. */
  @Delete(':id')
  async disable(
    @CurrentPrincipal() actor: Principal,
    @Param('id') id: string,
  ): Promise<Record<string, unknown>> {
    requireAdmin(actor, this.config);
    return serviceAccountJson(await this.accounts.disable(actor, id));
  }
}
