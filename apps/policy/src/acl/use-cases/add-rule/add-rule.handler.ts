import { Injectable } from '@nestjs/common';
import { AclStreamRepository, type WriteResult } from '../../acl-stream.repository';
import { addRule } from '../../domain/acl-decisions';
import type { AddRuleCommand } from './add-rule.command';

@Injectable()
export class AddRuleHandler {
  constructor(private readonly streams: AclStreamRepository) {}

  execute(command: AddRuleCommand): Promise<WriteResult> {
    return this.streams.write(
      command.pattern,
      command.ifMatch,
      (state) => addRule(state, command.slot, command.rule),
      command.context,
    );
  }
}
