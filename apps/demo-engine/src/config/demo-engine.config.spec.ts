import { ConfigError } from '@modelgate/config';
import { describe, expect, it } from 'vitest';
import { DEFAULT_DEMO_MODELS, loadDemoEngineConfig, redactedDemoEngineConfig } from './demo-engine.config';

describe('loadDemoEngineConfig', () => {
  it('defaults to :8000 on loopback with the four demo models and no key', () => {
    expect(loadDemoEngineConfig({})).toEqual({
      PORT: 8000,
      BIND_ADDRESS: '127.0.0.1',
      LOG_LEVEL: 'info',
      DEMO_MODELS: DEFAULT_DEMO_MODELS,
      DEMO_API_KEY: undefined,
    });
  });

  it.each([
    ['PORT', 'eighty', /PORT: expected a TCP port number/],
    ['DEMO_MODELS', 'a, b/c', /DEMO_MODELS: expected comma-separated model ids/],
    ['DEMO_MODELS', ' , ', /DEMO_MODELS: expected at least one model id/],
    ['DEMO_MODELS', 'a,a', /DEMO_MODELS: expected each model id once/],
    ['DEMO_API_KEY', 'short', /DEMO_API_KEY: expected at least 8 characters/],
    ['DEMO_API_KEY', 'has a space in it', /DEMO_API_KEY: expected printable ASCII/],
  ])('refuses %s=%j naming the variable', (name, value, message) => {
    expect(() => loadDemoEngineConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadDemoEngineConfig({ [name]: value })).toThrow(message);
  });

  it('never prints the key', () => {
    const config = loadDemoEngineConfig({ DEMO_API_KEY: 'upstream-secret-1', DEMO_MODELS: 'm1,m2' });
    expect(config.DEMO_MODELS).toEqual(['m1', 'm2']);
    expect(JSON.stringify(redactedDemoEngineConfig(config))).not.toContain('upstream-secret-1');
  });
});
