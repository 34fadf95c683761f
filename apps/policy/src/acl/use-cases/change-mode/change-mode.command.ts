import type { WriteContext } from '../../acl-stream.repository';
import { AclError } from '../../domain/acl-error';
import { isObject, parseIfMatch, parsePattern } from '../command-input';

/**
 * `{"mode":"shadow"}`: the enforced document becomes the shadow candidate. The way back is
 * `promote` (its own event), so `enforce` is refused here with that hint.
 */
export class ChangeModeCommand {
  private constructor(
    readonly pattern: string,
    readonly ifMatch: number | undefined,
    readonly context: WriteContext,
  ) {}

  static create(input: {
    model: string;
    body: unknown;
    ifMatch?: string;
    context: WriteContext;
  }): ChangeModeCommand {
    const mode = isObject(input.body) ? input.body['mode'] : undefined;
    if (mode === 'enforce')
      throw new AclError('invalid_request', 'to enforce a shadow document, POST .../promote');
    if (mode !== 'shadow') throw new AclError('invalid_request', 'body must be {"mode":"shadow"}');
    return new ChangeModeCommand(parsePattern(input.model), parseIfMatch(input.ifMatch), input.context);
  }
}
