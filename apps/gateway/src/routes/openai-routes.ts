// The OpenAI-compatible routes the gateway serves, and only these: each names its operation
// and the path it takes on the engine. Nothing else reaches an engine, so an engine's own
// admin routes (vLLM's /v1/load_lora_adapter, /sleep, ...) are unreachable through the gateway.
import { parse as parseQuery, type ParsedUrlQuery } from 'node:querystring';
import { isModelName, modelNameProblem, type Operation } from '@modelgate/acl';

export interface ProxyRoute {
  readonly method: 'GET' | 'POST';
  /** The path, exactly; `:model` stands for one path segment naming the model. */
  readonly path: string;
  readonly operation: Operation;
  /** The path on the engine, appended to the backend's base URL (which ends in /v1). */
  readonly upstreamPath: (model: string) => string;
  /** Routes naming the model in their path send the engine a body with that model set. */
  readonly modelInPath: boolean;
}

export const PROXY_ROUTES: readonly ProxyRoute[] = [
  {
    method: 'POST',
    path: '/v1/chat/completions',
    operation: 'infer',
    upstreamPath: () => '/chat/completions',
    modelInPath: false,
  },
  {
    method: 'POST',
    path: '/v1/completions',
    operation: 'infer',
    upstreamPath: () => '/completions',
    modelInPath: false,
  },
  {
    method: 'POST',
    path: '/v1/embeddings',
    operation: 'infer',
    upstreamPath: () => '/embeddings',
    modelInPath: false,
  },
  // The seed's path: a chat body for the model named in the path.
  {
    method: 'POST',
    path: '/v1/models/:model/infer',
    operation: 'infer',
    upstreamPath: () => '/chat/completions',
    modelInPath: true,
  },
  {
    method: 'POST',
    path: '/v1/fine_tuning/jobs',
    operation: 'train',
    upstreamPath: () => '/fine_tuning/jobs',
    modelInPath: false,
  },
  {
    method: 'GET',
    path: '/v1/models/:model/download',
    operation: 'download',
    upstreamPath: (model) => `/models/${encodeURIComponent(model)}/download`,
    modelInPath: true,
  },
];

/** A request for one of PROXY_ROUTES: the route, the model its path names (decoded), its query. */
export interface ProxyMatch {
  readonly route: ProxyRoute;
  /** The `:model` segment, percent-decoded; null when it is not valid percent-encoding. */
  readonly pathModel: string | null | undefined;
  readonly query: ParsedUrlQuery;
}

const MODEL_SEGMENT = '/:model/';

/** Each route's path as literal text before and after its `:model` segment (none: all before). */
const MATCHERS = PROXY_ROUTES.map((route) => {
  const at = route.path.indexOf(MODEL_SEGMENT);
  return at < 0
    ? { route, before: route.path, after: null }
    : { route, before: route.path.slice(0, at + 1), after: route.path.slice(at + MODEL_SEGMENT.length - 1) };
});

/**
 * The route `method` and `url` (path and query, as on the request line) ask for, or null.
 * Literal parts match byte for byte (no decoding, no dot segments, no doubled or trailing
 * slashes), and the model segment holds no `/`, so a path that is not exactly one of the
 * routes is never taken for one; it goes to the router of the rest, which answers 404.
 */
export function matchProxyRoute(method: string | undefined, url: string): ProxyMatch | null {
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  for (const { route, before, after } of MATCHERS) {
    if (route.method !== method) continue;
    let pathModel: string | null | undefined;
    if (after === null) {
      if (path !== before) continue;
    } else {
      if (path.length <= before.length + after.length || !path.startsWith(before) || !path.endsWith(after))
        continue;
      const segment = path.slice(before.length, path.length - after.length);
      if (segment.includes('/')) continue;
      pathModel = decodeSegment(segment);
    }
    return { route, pathModel, query: q < 0 ? {} : parseQuery(url.slice(q + 1)) };
  }
  return null;
}

function decodeSegment(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}

export type ModelResolution =
  | { readonly ok: true; readonly model: string }
  | { readonly ok: false; readonly field: string; readonly problem: string; readonly model: string | null };

/**
 * The model a request names — in the path, the body's `model`, or the `model` query
 * parameter. All forms give the same decision: where a request names it more than once, the
 * names must be identical, byte for byte (no trimming, no case folding), or the request is
 * refused, so that the name that is checked is the name the engine receives.
 */
export function resolveModel(sources: {
  readonly path?: string | undefined;
  readonly body?: unknown;
  readonly query?: unknown;
}): ModelResolution {
  const named: { field: string; value: unknown }[] = [];
  if (sources.path !== undefined) named.push({ field: 'path', value: sources.path });
  if (isRecord(sources.body) && 'model' in sources.body)
    named.push({ field: 'model', value: sources.body['model'] });
  if (isRecord(sources.query) && 'model' in sources.query)
    named.push({ field: 'query.model', value: sources.query['model'] });
  if (named.length === 0)
    return { ok: false, field: 'model', problem: 'required: name the model', model: null };
  for (const { field, value } of named) {
    if (typeof value !== 'string') return { ok: false, field, problem: 'expected a string', model: null };
  }
  const first = named[0]!;
  const model = first.value as string;
  const other = named.find((n) => n.value !== model);
  if (other !== undefined) {
    return {
      ok: false,
      field: other.field,
      problem: `names the model ${JSON.stringify(other.value)}, but ${first.field} names ${JSON.stringify(model)}`,
      model: null,
    };
  }
  if (!isModelName(model)) {
    return {
      ok: false,
      field: first.field,
      problem: `model name ${modelNameProblem(model, false) ?? 'is invalid'}`,
      model,
    };
  }
  return { ok: true, model };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
