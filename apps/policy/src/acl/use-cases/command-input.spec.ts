import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor, parseFlag, parseIfMatch, parseLimit } from './command-input';
import { ReplaceRulesCommand } from './replace-rules/replace-rules.command';

const context = { actor: { id: 'a', type: 'user' }, requestId: 'r', traceparent: null, userAgent: null };

describe('command inputs', () => {
  it('reads If-Match as the ETag we send, or a bare number', () => {
    expect(parseIfMatch(undefined)).toBeUndefined();
    expect(parseIfMatch('"7"')).toBe(7);
    expect(parseIfMatch('7')).toBe(7);
    expect(() => parseIfMatch('W/"7"')).toThrow(/If-Match/);
    expect(() => parseIfMatch('"x"')).toThrow(/If-Match/);
  });

  it('round-trips cursors and bounds limits and flags', () => {
    expect(decodeCursor(encodeCursor('qwen3-*'))).toBe('qwen3-*');
    expect(decodeCursor(undefined)).toBeNull();
    expect(() => decodeCursor('not base64!')).toThrow(/cursor/);
    expect(parseLimit(undefined)).toBe(50);
    expect(() => parseLimit('0')).toThrow(/limit/);
    expect(() => parseLimit('201')).toThrow(/limit/);
    expect(parseFlag('true', 'x')).toBe(true);
    expect(() => parseFlag('yes', 'x')).toThrow(/true or false/);
  });

  it('validates a replacement in create(): the URL model fills or must match the body', () => {
    const body = { rules: [{ id: 'a', principal: { type: 'any' }, operations: ['view'] }] };
    expect(ReplaceRulesCommand.create({ pathModel: 'qwen3-*', body, context }).pattern).toBe('qwen3-*');
    expect(() =>
      ReplaceRulesCommand.create({ pathModel: 'x', body: { ...body, model: 'y' }, context }),
    ).toThrow(/model "y"/);
    expect(() => ReplaceRulesCommand.create({ body: [], context })).toThrow(/object/);
    expect(() => ReplaceRulesCommand.create({ body, context })).toThrow(/model/);
  });
});
