// Which models of a catalog a caller may act on (for `GET /v1/models`: operation `view`).
// A model is listed exactly when a check of it would allow, with one difference stated
// plainly: rate limits are not counted and not enforced here. A model the caller may use
// under a rate limit is listed even while the limit is exhausted (a use then answers 429,
// not 404), and listing never spends a token.
import { isModelName } from '../model-name';
import type { Operation } from '../policy';
import { CallerKeys } from '../policy-index/principal-key';
import type { PolicyIndex } from '../policy-index/policy-index';
import { outcomeIgnoringLimits } from './evaluate';
import { readSubject, type Principal, type RequestContext } from './request';

export interface VisibleModelsRequest {
  readonly principal: Principal;
  /** Defaults to `view`. */
  readonly operation?: Operation;
  readonly context: RequestContext;
  /** The model names to filter, e.g. the served models; invalid names are never visible. */
  readonly models: readonly string[];
}

/** The models of `request.models` the caller may act on, in catalog order, once each. */
export function visibleModels(index: PolicyIndex, request: VisibleModelsRequest): string[] {
  try {
    const subject = readSubject(request.principal, request.operation ?? 'view', request.context);
    if (typeof subject === 'string' || !Array.isArray(request.models)) return [];
    const keys = CallerKeys.of(subject);
    const visible = new Set<string>();
    for (const model of request.models) {
      if (typeof model !== 'string' || visible.has(model) || !isModelName(model)) continue;
      const documents = index.enforcedFor(model);
      if (documents.length > 0 && outcomeIgnoringLimits(documents, subject, keys, model).allow)
        visible.add(model);
    }
    return [...visible];
  } catch {
    return []; // fail closed: nothing is visible
  }
}
