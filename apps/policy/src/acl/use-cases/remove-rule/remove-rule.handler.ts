import { Injectable } from '@nestjs/common';
import { AclStreamRepository, type WriteResult } from '../../acl-stream.repository';
import { removeRule } from '../../domain/acl-decisions';
import type { RemoveRuleCommand } from './remove-rule.command';

@Injectable()
export class RemoveRuleHandler {
  constructor(private readonly streams: AclStreamRepository) {}

  execute(command: RemoveRuleCommand): Promise<WriteResult> {
    return this.streams.write(
      command.pattern,
      command.ifMatch,
      (state) => removeRule(state, command.slot, command.ruleId),
      command.context,
    );
  }
}
