import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadUnaryMethods } from './proto-methods';

const proto = join(mkdtempSync(join(tmpdir(), 'proto-')), 'echo.proto');
writeFileSync(
  proto,
  `syntax = "proto3";
package test.v1;
message Text { string text = 1; }
service Echo {
  rpc Say(Text) returns (Text);
  rpc Listen(Text) returns (stream Text);
}
`,
);

describe('loadUnaryMethods', () => {
  it('gives each unary method its path and codecs', () => {
    const { Say } = loadUnaryMethods({
      protoPath: proto,
      loaderOptions: { keepCase: true },
      service: 'test.v1.Echo',
      methods: ['Say'],
    });
    expect(Say.path).toBe('/test.v1.Echo/Say');
    expect(Say.responseDeserialize(Say.requestSerialize({ text: 'hi' }))).toEqual({ text: 'hi' });
  });

  it('refuses a streaming method, a missing one and a missing service, naming it', () => {
    expect(() =>
      loadUnaryMethods({ protoPath: proto, loaderOptions: {}, service: 'test.v1.Echo', methods: ['Listen'] }),
    ).toThrow(/test\.v1\.Echo\.Listen: not a unary method/);
    expect(() =>
      loadUnaryMethods({ protoPath: proto, loaderOptions: {}, service: 'test.v1.Echo', methods: ['Shout'] }),
    ).toThrow(/Echo\.Shout/);
    expect(() =>
      loadUnaryMethods({ protoPath: proto, loaderOptions: {}, service: 'test.v1.Other', methods: ['Say'] }),
    ).toThrow(/Other\.Say/);
  });
});
