import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  Post,
  Query,
  UseFilters,
  UseGuards,
} from '@nestjs/common';
import type { Principal } from '@modelgate/auth';
import { CurrentPrincipal, PrincipalGuard } from '../auth/principal.guard';
import { IdentityExceptionFilter } from '../errors/identity-exception.filter';
import { IdentityException } from '../errors/identity.exception';
import { parseBody } from '../errors/parse-body';
import { apiKeyJson, ApiKeysService } from './api-keys.service';
import { createKeyDto, keyIdParam, keyListQueryDto } from './keys.dto';

@Controller('v1/keys')
@UseGuards(PrincipalGuard)
@UseFilters(IdentityExceptionFilter)
export class KeysController {
  constructor(private readonly keys: ApiKeysService) {}

  /** The only answer that ever shows the secret. */
  @Post()
  @HttpCode(201)
  async create(
    @CurrentPrincipal() actor: Principal,
    @Body() body: unknown,
  ): Promise<Record<string, unknown>> {
    const dto = parseBody(createKeyDto, body);
    const { key, secret } = await this.keys.create(actor, {
      name: dto.name,
      expiresAt: dto.expires_at ? new Date(dto.expires_at) : null,
      models: dto.models ?? null,
      operations: dto.operations ?? null,
      serviceAccountId: dto.service_account,
    });
    return { ...apiKeyJson(key), secret };
  }

  /** `?limit=&cursor=&owner=`: one page of keys, oldest first; `next_cursor` null on the last page. */
  @Get()
  async list(
    @CurrentPrincipal() actor: Principal,
    @Query() query: unknown,
  ): Promise<{ items: Record<string, unknown>[]; next_cursor: string | null }> {
    const page = await this.keys.list(actor, parseBody(keyListQueryDto, query, 'query'));
    return { items: page.items.map(apiKeyJson), next_cursor: page.nextCursor };
  }

  @Delete(':id')
  async revoke(
    @CurrentPrincipal() actor: Principal,
    @Param('id') id: string,
  ): Promise<Record<string, unknown>> {
    if (!keyIdParam.safeParse(id).success) throw new IdentityException('not_found', 'no such key');
    return apiKeyJson(await this.keys.revoke(actor, id));
  }
}
