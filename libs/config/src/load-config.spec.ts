import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError } from './config-error';
import { databaseConfigShape, serviceConfigShape } from './service-config';
import { loadConfig, redactConfig } from './load-config';

const schema = z.object({ ...serviceConfigShape({ port: 3002 }), ...databaseConfigShape });

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const config = loadConfig(schema, {});
    expect(config.PORT).toBe(3002);
    expect(config.BIND_ADDRESS).toBe('127.0.0.1');
    expect(config.KAFKA_BROKERS).toEqual(['127.0.0.1:9092']);
    expect(config.DATABASE_URL).toBe('postgres://postgres@127.0.0.1:5432/modelgate');
  });

  it('names every bad variable at once', () => {
    let error: unknown;
    try {
      loadConfig(schema, { PORT: 'eighty', KAFKA_BROKERS: 'not a broker', DATABASE_URL: 'mysql://x' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.map((p) => p.variable).sort();
    expect(problems).toEqual(['DATABASE_URL', 'KAFKA_BROKERS', 'PORT']);
    expect((error as ConfigError).message).toMatch(/PORT: expected a TCP port number/);
    expect((error as ConfigError).message).toMatch(
      /DATABASE_URL: expected a URL \(postgres:\/\/ or postgresql:\/\/\.\.\.\)/,
    );
  });

  it('rejects out-of-range ports and treats empty strings as unset', () => {
    expect(() => loadConfig(schema, { PORT: '70000' })).toThrow(/PORT: expected a port from 1 to 65535/);
    expect(loadConfig(schema, { PORT: '' }).PORT).toBe(3002);
  });

  it('parses broker lists', () => {
    expect(loadConfig(schema, { KAFKA_BROKERS: 'a:9092, b:9093' }).KAFKA_BROKERS).toEqual([
      'a:9092',
      'b:9093',
    ]);
    expect(() => loadConfig(schema, { KAFKA_BROKERS: 'a:9092,b' })).toThrow(/KAFKA_BROKERS/);
  });

  it('never prints secrets', () => {
    const config = loadConfig(schema, { DATABASE_URL: 'postgres://app:s3cret@db:5432/modelgate' });
    const printed = JSON.stringify(redactConfig(config));
    expect(printed).not.toContain('s3cret');
    expect(printed).toContain('[redacted]');
  });
});
