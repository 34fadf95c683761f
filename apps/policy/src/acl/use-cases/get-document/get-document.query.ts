import { parsePattern } from '../command-input';

export class GetDocumentQuery {
  private constructor(readonly pattern: string) {}

  static create(input: { model: string }): GetDocumentQuery {
    return new GetDocumentQuery(parsePattern(input.model));
  }
}
