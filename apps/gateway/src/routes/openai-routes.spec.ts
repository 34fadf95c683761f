import { describe, expect, it } from 'vitest';
import { matchProxyRoute, PROXY_ROUTES, resolveModel } from './openai-routes';

describe('resolveModel', () => {
  it('takes the model from the path, the body or the query, alike', () => {
    expect(resolveModel({ path: 'qwen3-7b-chat' })).toEqual({ ok: true, model: 'qwen3-7b-chat' });
    expect(resolveModel({ body: { model: 'qwen3-7b-chat' } })).toEqual({ ok: true, model: 'qwen3-7b-chat' });
    expect(resolveModel({ query: { model: 'qwen3-7b-chat' } })).toEqual({ ok: true, model: 'qwen3-7b-chat' });
    expect(resolveModel({ path: 'm1', body: { model: 'm1' }, query: { model: 'm1' } })).toEqual({
      ok: true,
      model: 'm1',
    });
  });

  it('refuses a request that names two models', () => {
    const r = resolveModel({ path: 'qwen3-vl-demo', body: { model: 'qwen3-medical' } });
    expect(r).toMatchObject({ ok: false, field: 'model' });
    expect(resolveModel({ body: { model: 'a' }, query: { model: 'b' } })).toMatchObject({
      ok: false,
      field: 'query.model',
    });
    // Case is not folded: a variant is a different name, hence a conflict.
    expect(resolveModel({ path: 'qwen3-7b-chat', body: { model: 'QWEN3-7B-CHAT' } })).toMatchObject({
      ok: false,
    });
  });

  it('refuses look-alikes, spaces, slashes and non-strings, naming the field', () => {
    const hostile: unknown[] = [
      'qwen3-7b-chat ',
      ' qwen3-7b-chat',
      'qwen3\u20117b-chat', // non-breaking hyphen
      'qwеn3-7b-chat', // Cyrillic e
      'qwen3-7b-chat\u200b',
      '../qwen3-7b-chat',
      'qwen3/7b',
      'qwen3%2F7b',
      'a\u0000b',
      '',
      'x'.repeat(300),
    ];
    for (const model of hostile) {
      const r = resolveModel({ body: { model } });
      expect(r.ok, JSON.stringify(model)).toBe(false);
    }
    expect(resolveModel({ body: { model: 7 } })).toMatchObject({
      ok: false,
      field: 'model',
      problem: 'expected a string',
    });
    expect(resolveModel({ query: { model: ['a', 'b'] } })).toMatchObject({ ok: false, field: 'query.model' });
    expect(resolveModel({ body: {} })).toMatchObject({ ok: false, field: 'model', problem: /required/ });
    expect(resolveModel({ body: ['model'] })).toMatchObject({ ok: false, problem: /required/ });
  });
});

describe('PROXY_ROUTES', () => {
  it('maps every operation of the architecture to an engine path, and nothing else', () => {
    expect(PROXY_ROUTES.map((r) => `${r.method} ${r.path} ${r.operation} ${r.upstreamPath('m')}`)).toEqual([
      'POST /v1/chat/completions infer /chat/completions',
      'POST /v1/completions infer /completions',
      'POST /v1/embeddings infer /embeddings',
      'POST /v1/models/:model/infer infer /chat/completions',
      'POST /v1/fine_tuning/jobs train /fine_tuning/jobs',
      'GET /v1/models/:model/download download /models/m/download',
    ]);
  });
});

describe('matchProxyRoute', () => {
  const path = (method: string, url: string) => matchProxyRoute(method, url)?.route.path ?? null;

  it('matches each route by method and exact path, the query apart', () => {
    expect(path('POST', '/v1/chat/completions')).toBe('/v1/chat/completions');
    expect(path('POST', '/v1/completions?x=1')).toBe('/v1/completions');
    expect(path('POST', '/v1/embeddings')).toBe('/v1/embeddings');
    expect(path('POST', '/v1/fine_tuning/jobs')).toBe('/v1/fine_tuning/jobs');
    expect(path('POST', '/v1/models/qwen3-7b-chat/infer')).toBe('/v1/models/:model/infer');
    expect(path('GET', '/v1/models/qwen3-7b-chat/download')).toBe('/v1/models/:model/download');
    expect(matchProxyRoute('POST', '/v1/chat/completions?model=a&model=b')?.query).toEqual({
      model: ['a', 'b'],
    });
  });

  it('takes nothing that is not exactly a route: other methods, spellings, dot segments, slashes', () => {
    for (const [method, url] of [
      ['GET', '/v1/chat/completions'],
      ['PUT', '/v1/chat/completions'],
      ['HEAD', '/v1/models/m/download'],
      ['POST', '/v1/chat/completions/'],
      ['POST', '//v1/chat/completions'],
      ['POST', '/V1/chat/completions'],
      ['POST', '/v1/chat/%63ompletions'],
      ['POST', '/v1/chat/completions/../../v1/load_lora_adapter'],
      ['POST', '/v1/load_lora_adapter'],
      ['POST', '/v1/models//infer'],
      ['POST', '/v1/models/a/b/infer'],
      ['POST', '/v1/models/qwen3-7b-chat/../../load_lora_adapter'],
      ['POST', '/v1/models/infer'],
      [undefined, '/v1/chat/completions'],
      ['POST', ''],
    ] as const) {
      expect(matchProxyRoute(method, url), `${method} ${url}`).toBeNull();
    }
  });

  it('decodes the model segment, and marks one that is not valid percent-encoding', () => {
    expect(matchProxyRoute('POST', '/v1/models/qwen3-7b-chat%20/infer')?.pathModel).toBe('qwen3-7b-chat ');
    expect(matchProxyRoute('POST', '/v1/models/a%2F..%2Fb/infer')?.pathModel).toBe('a/../b');
    expect(matchProxyRoute('POST', '/v1/models/%E2%80%8Bm/infer')?.pathModel).toBe('\u200bm');
    expect(matchProxyRoute('POST', '/v1/models/%E2%80/infer')?.pathModel).toBeNull();
    expect(matchProxyRoute('POST', '/v1/models/%zz/infer')?.pathModel).toBeNull();
    expect(matchProxyRoute('POST', '/v1/chat/completions')?.pathModel).toBeUndefined();
  });
});
