import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from './logger';
import { newTraceparent, traceIdOf } from './trace-context';

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { lines, stream };
}

describe('createLogger', () => {
  it('writes JSON with the service name and redacts credentials', () => {
    const { lines, stream } = capture();
    const log = createLogger('policy', 'info', stream);
    log.info({ req: { headers: { authorization: 'Bearer abc.def.ghi' } }, password: 'hunter2' }, 'hello');
    const entry = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(entry).toMatchObject({ service: 'policy', level: 'info', msg: 'hello', password: '[redacted]' });
    expect(lines[0]).not.toContain('abc.def.ghi');
    expect(lines[0]).not.toContain('hunter2');
  });
});

describe('trace context', () => {
  it('creates valid traceparents and reads their trace id', () => {
    const tp = newTraceparent();
    expect(traceIdOf(tp)).toMatch(/^[0-9a-f]{32}$/);
  });
  it('rejects malformed and all-zero ids', () => {
    expect(traceIdOf('00-00000000000000000000000000000000-00f067aa0ba902b7-01')).toBeNull();
    expect(traceIdOf('garbage')).toBeNull();
    expect(traceIdOf(undefined)).toBeNull();
  });
});
