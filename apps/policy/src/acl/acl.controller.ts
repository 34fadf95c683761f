import {
  applyDecorators,
  Body,
  Controller,
  Delete,
  Get,
  Headers,
  HttpCode,
  Param,
  Post,
  Put,
  Query,
  Req,
  Res,
  UseFilters,
  UseGuards,
} from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiQuery,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Principal } from '@modelgate/auth';
import { newTraceparent } from '@modelgate/telemetry';
import { AclAccessGuard, CurrentPrincipal, RequireAcl } from '../auth/acl-access.guard';
import type { WriteContext, WriteResult } from './acl-stream.repository';
import { AclExceptionFilter } from './acl-exception.filter';
import { AclError } from './domain/acl-error';
import { normaliseDocument } from './domain/policy-document';
import {
  AclDocumentDto,
  AclDocumentPageDto,
  AclWriteResultDto,
  documentJson,
  ErrorBodyDto,
  EXAMPLE_DOCUMENT,
  HistoryPageDto,
  ModeDto,
  PolicyDocumentDto,
  RollbackDto,
  ValidationResultDto,
} from './dto/acl.dto';
import { AddRuleCommand } from './use-cases/add-rule/add-rule.command';
import { AddRuleHandler } from './use-cases/add-rule/add-rule.handler';
import { ChangeModeCommand } from './use-cases/change-mode/change-mode.command';
import { ChangeModeHandler } from './use-cases/change-mode/change-mode.handler';
import { DeleteDocumentHandler } from './use-cases/delete-document/delete-document.handler';
import { GetDocumentHandler } from './use-cases/get-document/get-document.handler';
import { GetDocumentQuery } from './use-cases/get-document/get-document.query';
import { GetHistoryHandler } from './use-cases/get-history/get-history.handler';
import { GetHistoryQuery } from './use-cases/get-history/get-history.query';
import { ListDocumentsHandler } from './use-cases/list-documents/list-documents.handler';
import { ListDocumentsQuery } from './use-cases/list-documents/list-documents.query';
import { PatternCommand } from './use-cases/pattern-command';
import { PromoteShadowHandler } from './use-cases/promote-shadow/promote-shadow.handler';
import { DiscardShadowHandler } from './use-cases/discard-shadow/discard-shadow.handler';
import { RemoveRuleCommand } from './use-cases/remove-rule/remove-rule.command';
import { RemoveRuleHandler } from './use-cases/remove-rule/remove-rule.handler';
import { ReplaceRulesCommand } from './use-cases/replace-rules/replace-rules.command';
import { ReplaceRulesHandler } from './use-cases/replace-rules/replace-rules.handler';
import { RollbackDocumentCommand } from './use-cases/rollback-document/rollback-document.command';
import { RollbackDocumentHandler } from './use-cases/rollback-document/rollback-document.handler';

const TRACEPARENT = /^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;
const IF_MATCH = {
  name: 'If-Match',
  required: false,
  description: 'The ETag of the version this change is based on; 412 when stale',
};
const ERRORS = [400, 401, 403, 404, 409, 412].map((status) => ApiResponse({ status, type: ErrorBodyDto }));
const WRITE_ERRORS = (target: object, key: string | symbol, descriptor: PropertyDescriptor) => {
  for (const decorate of ERRORS) decorate(target, key, descriptor);
};

/** What every versioned write route shares: the acl-admin guard, If-Match, and its answers. */
function WriteRoute(summary: string): MethodDecorator {
  return applyDecorators(
    RequireAcl('write'),
    ApiOperation({ summary }),
    ApiHeader(IF_MATCH),
    ApiOkResponse({ type: AclWriteResultDto }),
    WRITE_ERRORS,
  );
}

function etag(version: number): string {
  return `"${version}"`;
}

/** The admin REST API of ARCHITECTURE.md ("Policy"). Thin: commands and queries do the work. */
@ApiTags('acl')
@ApiBearerAuth()
@Controller('v1/acl')
@UseGuards(AclAccessGuard)
@UseFilters(AclExceptionFilter)
export class AclController {
  constructor(
    private readonly replaceRules: ReplaceRulesHandler,
    private readonly addRule: AddRuleHandler,
    private readonly removeRule: RemoveRuleHandler,
    private readonly changeMode: ChangeModeHandler,
    private readonly promoteShadow: PromoteShadowHandler,
    private readonly discardShadow: DiscardShadowHandler,
    private readonly rollbackDocument: RollbackDocumentHandler,
    private readonly deleteDocument: DeleteDocumentHandler,
    private readonly getDocument: GetDocumentHandler,
    private readonly listDocuments: ListDocumentsHandler,
    private readonly getHistory: GetHistoryHandler,
  ) {}

  @Put('model')
  @RequireAcl('write')
  @ApiOperation({
    summary: 'Replace the document of its model (seed-compatible); `mode: shadow` sets the candidate',
  })
  @ApiBody({ type: PolicyDocumentDto, examples: { seed: { value: EXAMPLE_DOCUMENT } } })
  @ApiQuery({
    name: 'confirm_empty',
    required: false,
    description: 'Required (true) to replace with an empty rule set',
  })
  @ApiOkResponse({ type: AclWriteResultDto })
  @WRITE_ERRORS
  async putSeed(
    @Body() body: unknown,
    @Query('confirm_empty') confirmEmpty: string | undefined,
    @CurrentPrincipal() principal: Principal,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<AclWriteResultDto> {
    const command = ReplaceRulesCommand.create({
      body,
      confirmEmpty,
      context: writeContext(principal, request),
    });
    return written(reply, await this.replaceRules.execute(command));
  }

  @Get('models')
  @RequireAcl('read')
  @ApiOperation({ summary: 'List the model patterns with documents, in pattern order' })
  @ApiQuery({ name: 'limit', required: false, description: '1 to 200, default 50' })
  @ApiQuery({ name: 'cursor', required: false, description: 'next_cursor of the previous page' })
  @ApiOkResponse({ type: AclDocumentPageDto })
  async list(@Query('limit') limit?: string, @Query('cursor') cursor?: string): Promise<AclDocumentPageDto> {
    const page = await this.listDocuments.execute(ListDocumentsQuery.create({ limit, cursor }));
    return { items: page.items.map(documentJson), next_cursor: page.nextCursor };
  }

  @Get('models/:model')
  @RequireAcl('read')
  @ApiOperation({ summary: "A pattern's enforced and shadow documents; ETag = version" })
  @ApiOkResponse({ type: AclDocumentDto })
  async get(
    @Param('model') model: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<AclDocumentDto> {
    const state = await this.getDocument.execute(GetDocumentQuery.create({ model }));
    void reply.header('etag', etag(state.version));
    return documentJson(state);
  }

  @Put('models/:model')
  @WriteRoute("Replace the document of the body's mode for this pattern")
  @ApiBody({ type: PolicyDocumentDto })
  @ApiQuery({ name: 'confirm_empty', required: false })
  async put(
    @Param('model') model: string,
    @Body() body: unknown,
    @Headers('if-match') ifMatch: string | undefined,
    @Query('confirm_empty') confirmEmpty: string | undefined,
    @CurrentPrincipal() principal: Principal,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<AclWriteResultDto> {
    const command = ReplaceRulesCommand.create({
      pathModel: model,
      body,
      ifMatch,
      confirmEmpty,
      context: writeContext(principal, request),
    });
    return written(reply, await this.replaceRules.execute(command));
  }

  @Delete('models/:model')
  @WriteRoute('Delete both documents of the pattern (a tombstone on the state topic)')
  async remove(
    @Param('model') model: string,
    @Headers('if-match') ifMatch: string | undefined,
    @CurrentPrincipal() principal: Principal,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<AclWriteResultDto> {
    return patternWrite(this.deleteDocument, { model, ifMatch, principal, request, reply });
  }

  @Get('models/:model/history')
  @RequireAcl('read')
  @ApiOperation({ summary: 'Every change, newest first: who, when, from where, and the diff' })
  @ApiQuery({ name: 'limit', required: false })
  @ApiQuery({ name: 'cursor', required: false })
  @ApiOkResponse({ type: HistoryPageDto })
  async history(
    @Param('model') model: string,
    @Query('limit') limit?: string,
    @Query('cursor') cursor?: string,
  ): Promise<HistoryPageDto> {
    const page = await this.getHistory.execute(GetHistoryQuery.create({ model, limit, cursor }));
    return { items: [...page.items], next_cursor: page.nextCursor };
  }

  @Post('models/:model/rollback')
  @HttpCode(200)
  @WriteRoute('Restore the documents of an earlier version, as a new version')
  @ApiBody({ type: RollbackDto })
  async rollback(
    @Param('model') model: string,
    @Body() body: unknown,
    @Headers('if-match') ifMatch: string | undefined,
    @CurrentPrincipal() principal: Principal,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<AclWriteResultDto> {
    const command = RollbackDocumentCommand.create({
      model,
      body,
      ifMatch,
      context: writeContext(principal, request),
    });
    return written(reply, await this.rollbackDocument.execute(command));
  }

  @Post('models/:model/promote')
  @HttpCode(200)
  @WriteRoute('Make the shadow candidate the enforced document')
  async promote(
    @Param('model') model: string,
    @Headers('if-match') ifMatch: string | undefined,
    @CurrentPrincipal() principal: Principal,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<AclWriteResultDto> {
    return patternWrite(this.promoteShadow, { model, ifMatch, principal, request, reply });
  }

  @Delete('models/:model/shadow')
  @WriteRoute('Drop the shadow candidate without promoting it (the enforced document stays)')
  async discard(
    @Param('model') model: string,
    @Headers('if-match') ifMatch: string | undefined,
    @CurrentPrincipal() principal: Principal,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<AclWriteResultDto> {
    return patternWrite(this.discardShadow, { model, ifMatch, principal, request, reply });
  }

  @Put('models/:model/mode')
  @WriteRoute('`{"mode":"shadow"}`: the enforced document becomes the shadow candidate')
  @ApiBody({ type: ModeDto })
  async mode(
    @Param('model') model: string,
    @Body() body: unknown,
    @Headers('if-match') ifMatch: string | undefined,
    @CurrentPrincipal() principal: Principal,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<AclWriteResultDto> {
    const command = ChangeModeCommand.create({
      model,
      body,
      ifMatch,
      context: writeContext(principal, request),
    });
    return written(reply, await this.changeMode.execute(command));
  }

  @Post('models/:model/rules')
  @HttpCode(200)
  @WriteRoute('Add one rule (with an id) to the document of `mode` (default enforce)')
  @ApiQuery({ name: 'mode', required: false, enum: ['enforce', 'shadow'] })
  @ApiBody({ schema: { type: 'object', example: EXAMPLE_DOCUMENT.rules[0] } })
  async addRuleRoute(
    @Param('model') model: string,
    @Body() body: unknown,
    @Query('mode') mode: string | undefined,
    @Headers('if-match') ifMatch: string | undefined,
    @CurrentPrincipal() principal: Principal,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<AclWriteResultDto> {
    const command = AddRuleCommand.create({
      model,
      mode,
      body,
      ifMatch,
      context: writeContext(principal, request),
    });
    return written(reply, await this.addRule.execute(command));
  }

  @Delete('models/:model/rules/:ruleId')
  @WriteRoute('Remove one rule by id from the document of `mode` (default enforce)')
  @ApiQuery({ name: 'mode', required: false, enum: ['enforce', 'shadow'] })
  async removeRuleRoute(
    @Param('model') model: string,
    @Param('ruleId') ruleId: string,
    @Query('mode') mode: string | undefined,
    @Headers('if-match') ifMatch: string | undefined,
    @CurrentPrincipal() principal: Principal,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<AclWriteResultDto> {
    const command = RemoveRuleCommand.create({
      model,
      ruleId,
      mode,
      ifMatch,
      context: writeContext(principal, request),
    });
    return written(reply, await this.removeRule.execute(command));
  }

  @Post('validate')
  @HttpCode(200)
  @RequireAcl('read')
  @ApiOperation({
    summary: 'Check a document without storing it: the normalised document, or every problem by JSON path',
  })
  @ApiBody({ type: PolicyDocumentDto })
  @ApiOkResponse({ type: ValidationResultDto })
  validate(@Body() body: unknown): ValidationResultDto {
    try {
      return { valid: true, document: normaliseDocument(body) };
    } catch (error) {
      if (error instanceof AclError && error.code === 'invalid_policy')
        return { valid: false, issues: [...(error.issues ?? [])] };
      throw error;
    }
  }
}

function writeContext(principal: Principal, request: FastifyRequest): WriteContext {
  const traceparent = request.headers['traceparent'];
  const userAgent = request.headers['user-agent'];
  return {
    actor: { id: principal.id, type: principal.type, ip: request.ip },
    requestId: String(request.id),
    traceparent:
      typeof traceparent === 'string' && TRACEPARENT.test(traceparent) ? traceparent : newTraceparent(),
    userAgent: typeof userAgent === 'string' ? userAgent.slice(0, 256) : null,
  };
}

/** A write that names only the pattern (delete, promote, discard the shadow), answered. */
async function patternWrite(
  handler: { execute(command: PatternCommand): Promise<WriteResult> },
  input: {
    model: string;
    ifMatch: string | undefined;
    principal: Principal;
    request: FastifyRequest;
    reply: FastifyReply;
  },
): Promise<AclWriteResultDto> {
  const command = PatternCommand.create({
    model: input.model,
    ifMatch: input.ifMatch,
    context: writeContext(input.principal, input.request),
  });
  return written(input.reply, await handler.execute(command));
}

function written(reply: FastifyReply, result: WriteResult): AclWriteResultDto {
  void reply.header('etag', etag(result.state.version));
  return { ...documentJson(result.state), changed: result.changed };
}
