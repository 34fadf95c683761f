import type { PolicySlot } from '@modelgate/contracts';
import type { WriteContext } from '../../acl-stream.repository';
import { AclError } from '../../domain/acl-error';
import { parseIfMatch, parsePattern, parseSlot } from '../command-input';

export class RemoveRuleCommand {
  private constructor(
    readonly pattern: string,
    readonly slot: PolicySlot,
    readonly ruleId: string,
    readonly ifMatch: number | undefined,
    readonly context: WriteContext,
  ) {}

  static create(input: {
    model: string;
    ruleId: string;
    mode?: unknown;
    ifMatch?: string;
    context: WriteContext;
  }): RemoveRuleCommand {
    if (input.ruleId.length === 0 || input.ruleId.length > 128)
      throw new AclError('invalid_request', 'rule id must have 1 to 128 characters');
    return new RemoveRuleCommand(
      parsePattern(input.model),
      parseSlot(input.mode),
      input.ruleId,
      parseIfMatch(input.ifMatch),
      input.context,
    );
  }
}
