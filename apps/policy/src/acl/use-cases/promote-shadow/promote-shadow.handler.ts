import { Injectable } from '@nestjs/common';
import { AclStreamRepository, type WriteResult } from '../../acl-stream.repository';
import { promote } from '../../domain/acl-decisions';
import type { PatternCommand } from '../pattern-command';

@Injectable()
export class PromoteShadowHandler {
  constructor(private readonly streams: AclStreamRepository) {}

  execute(command: PatternCommand): Promise<WriteResult> {
    return this.streams.write(command.pattern, command.ifMatch, promote, command.context);
  }
}
