import { describe, expect, it } from 'vitest';
import { AuditError } from './audit-error';
import { encodeCursor, parseAuditQuery } from './audit-query';

describe('parseAuditQuery', () => {
  it('parses filters, limit and a cursor made for the same filters', () => {
    const q = parseAuditQuery({ model: 'm', decision: 'deny', from: '2026-12-01T00:00:00Z', limit: '10' });
    expect(q).toMatchObject({ filter: { model: 'm', decision: 'deny' }, limit: 10, beforeSeq: null });
    expect(q.filter.from?.toISOString()).toBe('2026-12-01T00:00:00.000Z');
    const cursor = encodeCursor(42, q.filter);
    expect(
      parseAuditQuery({ model: 'm', decision: 'deny', from: '2026-12-01T00:00:00Z', cursor }).beforeSeq,
    ).toBe(42);
  });

  it('refuses bad values, unknown parameters and foreign cursors', () => {
    for (const bad of [
      { limit: '0' },
      { limit: '1001' },
      { decision: 'maybe' },
      { from: 'yesterday' },
      { nope: '1' },
    ])
      expect(() => parseAuditQuery(bad)).toThrow(AuditError);
    expect(() => parseAuditQuery({ from: '2026-12-02T00:00:00Z', to: '2026-12-01T00:00:00Z' })).toThrow(
      /before/,
    );
    const cursor = encodeCursor(42, { model: 'a' });
    expect(() => parseAuditQuery({ model: 'b', cursor })).toThrow(/other filters/);
    expect(() => parseAuditQuery({ cursor: 'garbage!' })).toThrow(/cursor/);
  });
});
