import type { ModelCard, ModelCatalog } from '../catalog/model-catalog';
import { modelNotFound } from '../openai/openai-error';
import type { RequestLog } from '../request-log/request-log';

/** What the routes share: the models, the request log, and the clock for `created`. */
export interface EngineDeps {
  readonly catalog: ModelCatalog;
  readonly requests: RequestLog;
  /** Seconds since the epoch: the only clock-derived value in any answer (`created`). */
  readonly nowSeconds: () => number;
}

export function requireModel(catalog: ModelCatalog, id: string): ModelCard {
  const card = catalog.find(id);
  if (!card) throw modelNotFound(id);
  return card;
}
