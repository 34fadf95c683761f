import type { WriteContext } from '../../acl-stream.repository';
import { AclError } from '../../domain/acl-error';
import { isObject, parseIfMatch, parsePattern } from '../command-input';

/** `{"version": N}`: restore the pattern's documents as they were at version N, as a new event. */
export class RollbackDocumentCommand {
  private constructor(
    readonly pattern: string,
    readonly toVersion: number,
    readonly ifMatch: number | undefined,
    readonly context: WriteContext,
  ) {}

  static create(input: {
    model: string;
    body: unknown;
    ifMatch?: string;
    context: WriteContext;
  }): RollbackDocumentCommand {
    const version = isObject(input.body) ? input.body['version'] : undefined;
    if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) {
      throw new AclError('invalid_request', 'body must be {"version": N} with N a version from the history');
    }
    return new RollbackDocumentCommand(
      parsePattern(input.model),
      version,
      parseIfMatch(input.ifMatch),
      input.context,
    );
  }
}
