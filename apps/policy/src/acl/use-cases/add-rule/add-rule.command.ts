import type { PolicySlot } from '@modelgate/contracts';
import type { WriteContext } from '../../acl-stream.repository';
import { AclError } from '../../domain/acl-error';
import { isObject, parseIfMatch, parsePattern, parseSlot } from '../command-input';

/** Add one rule (with an `id`) to a slot's document. The rule is validated with the whole document. */
export class AddRuleCommand {
  private constructor(
    readonly pattern: string,
    readonly slot: PolicySlot,
    readonly rule: Record<string, unknown>,
    readonly ifMatch: number | undefined,
    readonly context: WriteContext,
  ) {}

  static create(input: {
    model: string;
    mode?: unknown;
    body: unknown;
    ifMatch?: string;
    context: WriteContext;
  }): AddRuleCommand {
    if (!isObject(input.body))
      throw new AclError('invalid_request', 'the body must be one rule (a JSON object)');
    return new AddRuleCommand(
      parsePattern(input.model),
      parseSlot(input.mode),
      input.body,
      parseIfMatch(input.ifMatch),
      input.context,
    );
  }
}
