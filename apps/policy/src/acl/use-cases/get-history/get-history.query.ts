import { AclError } from '../../domain/acl-error';
import { decodeCursor, parseLimit, parsePattern } from '../command-input';

/** A pattern's changes, newest first, `limit` per page. */
export class GetHistoryQuery {
  private constructor(
    readonly pattern: string,
    /** Only versions below this one (the cursor). */
    readonly before: number | null,
    readonly limit: number,
  ) {}

  static create(input: { model: string; cursor?: unknown; limit?: unknown }): GetHistoryQuery {
    const cursor = decodeCursor(input.cursor);
    const before = cursor === null ? null : Number(cursor);
    if (before !== null && (!Number.isInteger(before) || before < 1)) {
      throw new AclError('invalid_request', 'cursor must be a next_cursor this API returned');
    }
    return new GetHistoryQuery(parsePattern(input.model), before, parseLimit(input.limit));
  }
}
