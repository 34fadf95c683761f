import type { WriteContext } from '../../acl-stream.repository';
import { parseIfMatch, parsePattern } from '../command-input';

/** Make the shadow candidate the enforced document. */
export class PromoteShadowCommand {
  private constructor(
    readonly pattern: string,
    readonly ifMatch: number | undefined,
    readonly context: WriteContext,
  ) {}

  static create(input: { model: string; ifMatch?: string; context: WriteContext }): PromoteShadowCommand {
    return new PromoteShadowCommand(parsePattern(input.model), parseIfMatch(input.ifMatch), input.context);
  }
}
