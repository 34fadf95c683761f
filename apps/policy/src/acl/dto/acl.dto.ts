// Shapes of the ACL API for the OpenAPI document. The handlers validate inputs with the
// policy language's parser; these classes describe, they do not validate.
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { AclState } from '../domain/acl-state';
import type { HistoryEntry } from '../use-cases/get-history/get-history.handler';

export const EXAMPLE_DOCUMENT = {
  model: 'qwen3-7b-chat',
  mode: 'enforce',
  rules: [
    {
      id: 'researchers',
      effect: 'allow',
      principal: { type: 'role', value: 'researcher' },
      operations: ['infer', 'view'],
      conditions: { ip_range: ['10.0.0.0/8', '192.168.1.0/24'], rate_limit: '100req/min' },
    },
    {
      principal: { type: 'user', value: 'alice@company.com' },
      operations: ['infer', 'train', 'download'],
      conditions: { valid_until: '2025-12-31T23:59:59Z' },
    },
  ],
};

export class PolicyDocumentDto {
  @ApiProperty({ description: 'Exact model name or glob (`qwen3-*`, `*`)', example: 'qwen3-7b-chat' })
  model!: string;
  @ApiProperty({ enum: ['enforce', 'shadow'], default: 'enforce' })
  mode!: 'enforce' | 'shadow';
  @ApiProperty({ type: 'array', items: { type: 'object' }, example: EXAMPLE_DOCUMENT.rules })
  rules!: Record<string, unknown>[];
}

export class ActorDto {
  @ApiProperty() id!: string;
  @ApiProperty({ enum: ['user', 'service_account'] }) type!: string;
  @ApiPropertyOptional({ nullable: true, type: String }) ip?: string | null;
}

export class AclDocumentDto {
  @ApiProperty({ description: 'The model pattern' }) model!: string;
  @ApiProperty({ description: 'Stream version; also the ETag' }) version!: number;
  @ApiProperty({ type: PolicyDocumentDto, nullable: true, description: 'The enforced document' })
  enforce!: PolicyDocumentDto | null;
  @ApiProperty({ type: PolicyDocumentDto, nullable: true, description: 'The shadow candidate' })
  shadow!: PolicyDocumentDto | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) updated_at!: string | null;
  @ApiProperty({ type: ActorDto, nullable: true }) updated_by!: ActorDto | null;
}

export class AclWriteResultDto extends AclDocumentDto {
  @ApiProperty({ description: 'False when the request changed nothing (no new version)' }) changed!: boolean;
}

export class AclDocumentPageDto {
  @ApiProperty({ type: [AclDocumentDto] }) items!: AclDocumentDto[];
  @ApiProperty({ type: String, nullable: true }) next_cursor!: string | null;
}

export class HistoryEntryDto {
  @ApiProperty() version!: number;
  @ApiProperty() event_id!: string;
  @ApiProperty({ example: 'acl.rules_replaced' }) type!: string;
  @ApiProperty() schema!: number;
  @ApiProperty({ format: 'date-time' }) occurred_at!: string;
  @ApiProperty({ type: ActorDto, nullable: true }) actor!: ActorDto | null;
  @ApiProperty({ type: String, nullable: true }) user_agent!: string | null;
  @ApiProperty({ type: String, nullable: true }) request_id!: string | null;
  @ApiProperty({ type: Number, nullable: true }) rolled_back_to!: number | null;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description:
      'Per changed slot (`enforce`, `shadow`): `change` (created|deleted|changed), `added`, `removed`, `changed` [{id, before, after}] rules',
  })
  diff!: Record<string, unknown>;
}

export class HistoryPageDto {
  @ApiProperty({ type: [HistoryEntryDto] }) items!: HistoryEntryDto[];
  @ApiProperty({ type: String, nullable: true }) next_cursor!: string | null;
}

export class RollbackDto {
  @ApiProperty({ description: 'The version to restore (from the history)', example: 3 }) version!: number;
}

export class ModeDto {
  @ApiProperty({ enum: ['shadow'] }) mode!: 'shadow';
}

export class ValidationIssueDto {
  @ApiProperty({ example: 'rules[1].conditions.rate_limit' }) path!: string;
  @ApiProperty() message!: string;
}

export class ValidationResultDto {
  @ApiProperty() valid!: boolean;
  @ApiPropertyOptional({ type: PolicyDocumentDto }) document?: PolicyDocumentDto;
  @ApiPropertyOptional({ type: [ValidationIssueDto] }) issues?: ValidationIssueDto[];
}

export class ErrorBodyDto {
  @ApiProperty({
    type: 'object',
    properties: {
      message: { type: 'string' },
      type: { type: 'string' },
      code: { type: 'string' },
      request_id: { type: 'string' },
      issues: {
        type: 'array',
        items: { type: 'object', properties: { path: { type: 'string' }, message: { type: 'string' } } },
      },
    },
  })
  error!: Record<string, unknown>;
}

export function documentJson(state: AclState): AclDocumentDto {
  return {
    model: state.pattern,
    version: state.version,
    enforce: state.enforce,
    shadow: state.shadow,
    updated_at: state.updatedAt,
    updated_by: state.updatedBy,
  };
}

export type { HistoryEntry };
