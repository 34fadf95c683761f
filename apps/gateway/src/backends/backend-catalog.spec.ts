import { describe, expect, it } from 'vitest';
import { BackendCatalog, BackendsFileError } from './backend-catalog';

const GOOD = `
models:
  qwen3-7b-chat: { engine: vllm, base_url: "http://127.0.0.1:8000/v1/" }
  qwen3-vl-demo: { engine: sglang, base_url: "https://gpu.internal/v1", api_key_env: ENGINE_KEY }
`;

function problems(text: string, env: NodeJS.ProcessEnv = {}): readonly string[] {
  try {
    BackendCatalog.parse(text, env);
  } catch (error) {
    if (error instanceof BackendsFileError) return error.problems;
    throw error;
  }
  throw new Error('expected the file to be refused');
}

describe('BackendCatalog', () => {
  it('reads models, engines, base URLs and upstream keys from the environment', () => {
    const catalog = BackendCatalog.parse(GOOD, { ENGINE_KEY: 'sk-upstream' });
    expect(catalog.models()).toEqual(['qwen3-7b-chat', 'qwen3-vl-demo']);
    expect(catalog.get('qwen3-7b-chat')).toEqual({
      model: 'qwen3-7b-chat',
      engine: 'vllm',
      baseUrl: 'http://127.0.0.1:8000/v1',
      apiKey: null,
    });
    expect(catalog.get('qwen3-vl-demo')?.apiKey).toBe('sk-upstream');
  });

  it('matches names exactly: no case folding, no trimming', () => {
    const catalog = BackendCatalog.parse(GOOD, { ENGINE_KEY: 'k' });
    expect(catalog.get('Qwen3-7b-chat')).toBeUndefined();
    expect(catalog.get('qwen3-7b-chat ')).toBeUndefined();
    expect(catalog.get('constructor')).toBeUndefined();
  });

  it('names every problem with its path', () => {
    const found = problems(`
models:
  "bad/name": { engine: vllm, base_url: "http://a/v1" }
  ok-model: { engine: tgi, base_url: "ftp://x" }
  keyed: { engine: vllm, base_url: "http://a/v1", api_key_env: MISSING_KEY }
  extra: { engine: vllm, base_url: "http://a/v1", timeout: 3 }
`);
    expect(found).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^models\.ok-model\.engine: /),
        expect.stringMatching(/^models\.ok-model\.base_url: expected an http\(s\) URL/),
        expect.stringMatching(/^models\.extra: .*timeout/),
      ]),
    );
    expect(problems(`models:\n  "bad/name": { engine: vllm, base_url: "http://a/v1" }`)).toEqual([
      'models."bad/name": model name must not contain path separators (/ or \\)',
    ]);
    expect(
      problems(`models:\n  k: { engine: vllm, base_url: "http://a/v1", api_key_env: MISSING_KEY }`),
    ).toEqual(['models.k.api_key_env: MISSING_KEY is not set']);
  });

  it('refuses hostile or empty files', () => {
    expect(problems('models: {}')).toEqual(['models: expected at least one model']);
    expect(problems('- a\n- b')[0]).toMatch(/^\(root\): /);
    expect(problems('models: [unclosed')[0]).toMatch(/^not valid YAML/);
    expect(
      problems(
        'models:\n  a: { engine: vllm, base_url: "http://a/v1" }\n  a: { engine: vllm, base_url: "http://b/v1" }',
      )[0],
    ).toMatch(/not valid YAML/);
    // Alias bombs are refused rather than expanded.
    expect(problems('x: &a [1]\nmodels: *a')[0]).toMatch(/not valid YAML|models/);
    expect(problems('models:\n  "qwen3\u200b-chat": { engine: vllm, base_url: "http://a/v1" }')[0]).toMatch(
      /model name/,
    );
    expect(problems('models:\n  m: { engine: vllm, base_url: "http://a/v1?x=1" }')[0]).toMatch(
      /without query/,
    );
  });
});
