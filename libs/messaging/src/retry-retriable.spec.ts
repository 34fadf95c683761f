import { describe, expect, it } from 'vitest';
import { retryRetriable } from './retry-retriable';

const retriable = () => Object.assign(new Error('not the leader'), { retriable: true });

describe('retryRetriable', () => {
  it('retries retriable failures until the call succeeds', async () => {
    let calls = 0;
    const result = await retryRetriable(
      () => (++calls < 3 ? Promise.reject(retriable()) : Promise.resolve('ok')),
      { initialDelayMs: 1 },
    );
    expect(result).toBe('ok');
    expect(calls).toBe(3);
  });

  it('throws at once on a non-retriable error and after the last attempt otherwise', async () => {
    let calls = 0;
    await expect(retryRetriable(() => (calls++, Promise.reject(new Error('bad request'))))).rejects.toThrow(
      'bad request',
    );
    expect(calls).toBe(1);
    calls = 0;
    await expect(
      retryRetriable(() => (calls++, Promise.reject(retriable())), { attempts: 4, initialDelayMs: 1 }),
    ).rejects.toThrow('not the leader');
    expect(calls).toBe(4);
  });
});
