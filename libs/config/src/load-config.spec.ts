import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError } from './config-error';
import { booleanFlag, commaList, kafkaTopic, positiveInt, urlList } from './fields';
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

describe('shared fields', () => {
  const fields = z.object({
    LIST: commaList.default([]),
    ISSUERS: urlList(['http', 'https']).default([]),
    FLAG: booleanFlag(false),
    TOPIC: kafkaTopic('modelgate.x.v1'),
    COUNT: positiveInt(5, 10),
  });

  it('parses lists, flags, topics and counts', () => {
    expect(
      loadConfig(fields, {
        LIST: ' a, b,,c ',
        ISSUERS: 'https://idp.example, http://127.0.0.1:3100',
        FLAG: 'true',
        COUNT: '7',
      }),
    ).toEqual({
      LIST: ['a', 'b', 'c'],
      ISSUERS: ['https://idp.example', 'http://127.0.0.1:3100'],
      FLAG: true,
      TOPIC: 'modelgate.x.v1',
      COUNT: 7,
    });
  });

  it('names each bad value', () => {
    expect(() => loadConfig(fields, { ISSUERS: 'ftp://x' })).toThrow(
      /ISSUERS: expected a comma-separated list of URLs/,
    );
    expect(() => loadConfig(fields, { FLAG: 'yes' })).toThrow(/FLAG: expected true or false/);
    expect(() => loadConfig(fields, { TOPIC: 'bad topic' })).toThrow(/TOPIC: expected a Kafka topic name/);
    expect(() => loadConfig(fields, { COUNT: '11' })).toThrow(/COUNT: expected a whole number of at most 10/);
    expect(() => loadConfig(fields, { COUNT: '0' })).toThrow(/COUNT: expected a whole number of at least 1/);
  });
});
