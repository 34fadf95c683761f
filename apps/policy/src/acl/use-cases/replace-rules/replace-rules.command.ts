import type { WriteContext } from '../../acl-stream.repository';
import { AclError } from '../../domain/acl-error';
import type { StoredDocument } from '../../domain/acl-state';
import { normaliseDocument } from '../../domain/policy-document';
import { isObject, parseFlag, parseIfMatch, parsePattern } from '../command-input';

/** Replace the document of one slot (the body's `mode`) of a model pattern. */
export class ReplaceRulesCommand {
  private constructor(
    readonly pattern: string,
    readonly document: StoredDocument,
    readonly ifMatch: number | undefined,
    readonly confirmEmpty: boolean,
    readonly context: WriteContext,
  ) {}

  /**
   * `pathModel` is the `{model}` of `PUT /v1/acl/models/{model}` (the body's `model` may be
   * left out there, and must agree when given); absent for the seed's `PUT /v1/acl/model`.
   */
  static create(input: {
    pathModel?: string;
    body: unknown;
    ifMatch?: string;
    confirmEmpty?: unknown;
    context: WriteContext;
  }): ReplaceRulesCommand {
    if (!isObject(input.body))
      throw new AclError('invalid_policy', '$: expected a JSON object', [
        { path: '$', message: 'expected a JSON object' },
      ]);
    let body = input.body;
    if (input.pathModel !== undefined) {
      const pattern = parsePattern(input.pathModel);
      if (body['model'] === undefined) body = { ...body, model: pattern };
      else if (body['model'] !== pattern) {
        throw new AclError(
          'model_mismatch',
          `the body is for model ${JSON.stringify(body['model'])}, the URL for "${pattern}"`,
        );
      }
    }
    const document = normaliseDocument(body);
    return new ReplaceRulesCommand(
      document.model,
      document,
      parseIfMatch(input.ifMatch),
      parseFlag(input.confirmEmpty, 'confirm_empty'),
      input.context,
    );
  }
}
