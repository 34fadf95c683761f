import { decodeCursor, parseLimit } from '../command-input';

export class ListDocumentsQuery {
  private constructor(
    readonly after: string | null,
    readonly limit: number,
  ) {}

  static create(input: { cursor?: unknown; limit?: unknown }): ListDocumentsQuery {
    return new ListDocumentsQuery(decodeCursor(input.cursor), parseLimit(input.limit));
  }
}
