import { describe, expect, it } from 'vitest';
import { litellmConfig } from './litellm';
import { withBenchRule } from './modelgate';
import { nginxConfig } from './nginx';

describe('nginxConfig', () => {
  const conf = nginxConfig({ dir: '/r/nginx', listenPort: 18081, upstream: '127.0.0.1:8000', workers: 1 });

  it('is a keep-alive reverse proxy that does not buffer streams', () => {
    expect(conf).toContain('listen 127.0.0.1:18081;');
    expect(conf).toMatch(/upstream engine \{\s*server 127\.0\.0\.1:8000;\s*keepalive 128;/);
    expect(conf).toContain('proxy_http_version 1.1;');
    expect(conf).toContain('proxy_set_header Connection "";');
    expect(conf).toContain('proxy_buffering off;');
    expect(conf).toContain('access_log off;');
  });

  it('keeps every file under its own directory', () => {
    const paths = [...conf.matchAll(/(?:pid|error_log|_temp_path) (\S+?);?\s/g)].map((m) => m[1]!);
    expect(paths.length).toBeGreaterThanOrEqual(7);
    expect(paths.every((p) => p.startsWith('/r/nginx/'))).toBe(true);
  });
});

describe('litellmConfig', () => {
  it('serves each model as openai/<model> at the engine with the engine key', () => {
    const c = litellmConfig({
      dir: '/r',
      bin: 'litellm',
      listenPort: 18082,
      apiBase: 'http://127.0.0.1:8000/v1',
      engineKey: 'ek',
      models: ['a', 'b'],
      masterKey: 'sk-m',
      workers: 1,
    });
    expect(c['model_list']).toEqual([
      {
        model_name: 'a',
        litellm_params: { model: 'openai/a', api_base: 'http://127.0.0.1:8000/v1', api_key: 'ek' },
      },
      {
        model_name: 'b',
        litellm_params: { model: 'openai/b', api_base: 'http://127.0.0.1:8000/v1', api_key: 'ek' },
      },
    ]);
    expect(c['general_settings']).toEqual({ master_key: 'sk-m' });
  });
});

describe('withBenchRule', () => {
  it('keeps the existing rules and (re)places the bench rule naming the key', () => {
    const rules = [
      { id: 'researchers', effect: 'allow' },
      { id: 'bench-gateway', effect: 'allow', principal: 'old' },
    ];
    expect(withBenchRule(rules, 'k123')).toEqual([
      { id: 'researchers', effect: 'allow' },
      {
        id: 'bench-gateway',
        effect: 'allow',
        principal: { type: 'api_key', value: 'k123' },
        operations: ['infer', 'view'],
      },
    ]);
  });
});
