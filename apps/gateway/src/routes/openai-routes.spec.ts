import { describe, expect, it } from 'vitest';
import { PROXY_ROUTES, resolveModel } from './openai-routes';

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
