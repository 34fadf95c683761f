import type { WriteContext } from '../../acl-stream.repository';
import { parseIfMatch, parsePattern } from '../command-input';

/** Remove both documents of a pattern (the stream stays: a later PUT continues its versions). */
export class DeleteDocumentCommand {
  private constructor(
    readonly pattern: string,
    readonly ifMatch: number | undefined,
    readonly context: WriteContext,
  ) {}

  static create(input: { model: string; ifMatch?: string; context: WriteContext }): DeleteDocumentCommand {
    return new DeleteDocumentCommand(parsePattern(input.model), parseIfMatch(input.ifMatch), input.context);
  }
}
