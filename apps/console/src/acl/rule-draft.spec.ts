import { describe, expect, it } from 'vitest';
import {
  documentToDrafts,
  draftsToDocument,
  draftToRule,
  emptyRule,
  listItemLine,
  ruleToDraft,
  splitList,
} from './rule-draft';

const SEED_RULES = [
  {
    id: 'researchers',
    effect: 'allow',
    principal: { type: 'role', value: 'researcher' },
    operations: ['infer', 'view'],
    conditions: { ip_range: ['10.0.0.0/8', '192.168.1.0/24'], rate_limit: '100req/min' },
  },
  {
    effect: 'allow',
    principal: { type: 'user', value: 'alice@company.com' },
    operations: ['infer', 'train', 'download'],
    conditions: { valid_until: '2025-12-31T23:59:59Z' },
  },
  {
    id: 'office-hours',
    effect: 'deny',
    principal: { type: 'any' },
    operations: ['train'],
    conditions: { time_window: { days: ['sat', 'sun'], start: '00:00', end: '24:00', tz: 'Asia/Shanghai' } },
  },
];

describe('rule drafts', () => {
  it('round-trips stored rules unchanged (form → JSON is faithful)', () => {
    const document = { model: 'qwen3-7b-chat', mode: 'enforce' as const, rules: SEED_RULES };
    expect(draftsToDocument('qwen3-7b-chat', 'enforce', documentToDrafts(document))).toEqual(document);
  });

  it('keeps fields and conditions the form has no input for, so the server can name them', () => {
    const rule = { ...SEED_RULES[0], priority: 3, conditions: { ...SEED_RULES[0]!.conditions, geo: 'CN' } };
    expect(draftToRule(ruleToDraft(rule))).toEqual(rule);
  });

  it('sends what was typed, without validating it', () => {
    const draft = {
      ...emptyRule(),
      principalValue: ' researcher ',
      ipRanges: '10.0.0.300/8\n, \nnot-a-cidr',
      rateLimit: 'lots',
    };
    expect(draftToRule(draft)).toEqual({
      effect: 'allow',
      principal: { type: 'role', value: 'researcher' },
      operations: ['infer'],
      conditions: { ip_range: ['10.0.0.300/8', 'not-a-cidr'], rate_limit: 'lots' },
    });
  });

  it('omits empty conditions and the value of an `any` principal', () => {
    const draft = { ...emptyRule(), principalType: 'any', principalValue: 'ignored', operations: ['view'] };
    expect(draftToRule(draft)).toEqual({ effect: 'allow', principal: { type: 'any' }, operations: ['view'] });
  });

  it('writes the weekly time window only when enabled', () => {
    const draft = {
      ...emptyRule(),
      principalValue: 'r',
      windowEnabled: true,
      days: ['mon'],
      start: '09:00',
      end: '18:00',
      tz: 'Europe/Paris',
    };
    expect(draftToRule(draft)['conditions']).toEqual({
      time_window: { days: ['mon'], start: '09:00', end: '18:00', tz: 'Europe/Paris' },
    });
    expect(draftToRule({ ...draft, windowEnabled: false })['conditions']).toBeUndefined();
  });

  it('reads malformed stored values as text instead of dropping them', () => {
    const draft = ruleToDraft({ principal: 'role:x', operations: 'infer', conditions: { rate_limit: 5 } });
    expect(draft.principalType).toBe('role');
    expect(draft.operations).toEqual([]);
    expect(draft.rateLimit).toBe('5');
  });
});

describe('CIDR list field', () => {
  it('splits on lines and commas, dropping blanks', () => {
    expect(splitList('10.0.0.0/8, 192.168.0.0/16\n\n  ::1/128 ')).toEqual([
      '10.0.0.0/8',
      '192.168.0.0/16',
      '::1/128',
    ]);
  });

  it('finds the line of an item, for errors such as ip_range[2]', () => {
    const text = '10.0.0.0/8, 192.168.0.0/16\n\n  bad/99 ';
    expect(listItemLine(text, 0)).toBe(1);
    expect(listItemLine(text, 1)).toBe(1);
    expect(listItemLine(text, 2)).toBe(3);
    expect(listItemLine(text, 3)).toBeNull();
  });
});
