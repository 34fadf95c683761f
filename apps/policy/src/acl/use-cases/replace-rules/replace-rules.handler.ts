import { Injectable } from '@nestjs/common';
import { AclStreamRepository, type WriteResult } from '../../acl-stream.repository';
import { replaceRules } from '../../domain/acl-decisions';
import type { ReplaceRulesCommand } from './replace-rules.command';

@Injectable()
export class ReplaceRulesHandler {
  constructor(private readonly streams: AclStreamRepository) {}

  execute(command: ReplaceRulesCommand): Promise<WriteResult> {
    return this.streams.write(
      command.pattern,
      command.ifMatch,
      (state) => replaceRules(state, command.document, command.confirmEmpty),
      command.context,
    );
  }
}
