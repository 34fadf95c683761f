import type { WriteContext } from '../acl-stream.repository';
import { parseIfMatch, parsePattern } from './command-input';

/**
 * A write that names nothing but the pattern (and the version it expects): delete both
 * documents, promote the shadow candidate, discard it. What it does is the handler's.
 */
export class PatternCommand {
  private constructor(
    readonly pattern: string,
    readonly ifMatch: number | undefined,
    readonly context: WriteContext,
  ) {}

  static create(input: { model: string; ifMatch?: string; context: WriteContext }): PatternCommand {
    return new PatternCommand(parsePattern(input.model), parseIfMatch(input.ifMatch), input.context);
  }
}
