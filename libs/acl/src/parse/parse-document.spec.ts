import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { PolicyDocument } from '../policy';
import { formatPolicyDocument } from './format-document';
import { formatIssue } from './issues';
import { parsePolicyDocument } from './parse-document';

// The seed's document, character for character as ARCHITECTURE.md writes it.
const SEED_JSON = `{
  "model": "qwen3-7b-chat",
  "mode": "enforce",
  "rules": [
    { "id": "researchers",
      "effect": "allow",
      "principal": {"type": "role", "value": "researcher"},
      "operations": ["infer", "view"],
      "conditions": { "ip_range": ["10.0.0.0/8", "192.168.1.0/24"], "rate_limit": "100req/min" } },
    { "principal": {"type": "user", "value": "alice@company.com"},
      "operations": ["infer", "train", "download"],
      "conditions": { "valid_until": "2025-12-31T23:59:59Z" } }
  ]
}`;

function parsed(input: unknown): PolicyDocument {
  const result = parsePolicyDocument(input);
  if (!result.ok) throw new Error(result.issues.map(formatIssue).join('\n'));
  return result.value;
}

function issues(input: unknown): string[] {
  const result = parsePolicyDocument(input);
  return result.ok ? [] : result.issues.map(formatIssue);
}

const rule = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  principal: { type: 'role', value: 'r' },
  operations: ['infer'],
  ...extra,
});
const doc = (...rules: unknown[]): Record<string, unknown> => ({ model: 'm', rules });
const withConditions = (conditions: unknown): Record<string, unknown> => doc(rule({ conditions }));

describe('parsePolicyDocument', () => {
  it('reads the seed document as written, normalised', () => {
    expect(parsed(JSON.parse(SEED_JSON))).toEqual({
      model: 'qwen3-7b-chat',
      mode: 'enforce',
      rules: [
        {
          id: 'researchers',
          generatedId: false,
          effect: 'allow',
          principal: { type: 'role', value: 'researcher' },
          operations: ['infer', 'view'],
          conditions: {
            ipRange: [
              { family: 4, text: '10.0.0.0/8', words: [0x0a000000], prefix: 8 },
              { family: 4, text: '192.168.1.0/24', words: [0xc0a80100], prefix: 24 },
            ],
            rateLimit: { limit: 100, windowMs: 60_000, text: '100 req/min' },
          },
        },
        {
          id: 'rules[1]',
          generatedId: true,
          effect: 'allow',
          principal: { type: 'user', value: 'alice@company.com' },
          operations: ['infer', 'train', 'download'],
          conditions: { validUntil: Date.UTC(2025, 11, 31, 23, 59, 59) },
        },
      ],
    });
  });

  it('names the path and what was expected', () => {
    expect(issues(doc(rule(), rule({ conditions: { rate_limit: '100/minute' } })))).toEqual([
      'rules[1].conditions.rate_limit: expected "<N> req/<s|min|hour|day>", got "100/minute"',
    ]);
  });

  it('reports every problem at once', () => {
    const bad = {
      model: 'Qwen/Qwen3',
      mode: 'live',
      extra: true,
      rules: [
        { principal: { type: 'team', value: 'x' }, operations: [] },
        {
          id: 'x',
          effect: 'maybe',
          principal: { type: 'user', value: ' bob@company.com' },
          operations: ['infer', 'delete', 'infer'],
          conditions: { ip_range: ['10.0.0.0/33'], until: 'x' },
        },
        { id: 'x', principal: { type: 'role', value: 'r' }, operations: ['view'] },
      ],
    };
    expect(issues(bad)).toEqual([
      'extra: unknown field (expected one of model, mode, rules)',
      'model: must not contain path separators (/ or \\)',
      'mode: expected one of "enforce", "shadow", got "live"',
      'rules[0].principal.type: expected one of "user", "role", "group", "api_key", "service_account", "any", got "team"',
      'rules[0].operations: expected a non-empty array of "infer", "train", "download", "view", got an array',
      'rules[1].effect: expected one of "allow", "deny", got "maybe"',
      'rules[1].principal.value: must not have leading or trailing spaces',
      'rules[1].operations[1]: expected one of "infer", "train", "download", "view", got "delete"',
      'rules[1].operations[2]: duplicate operation "infer"',
      'rules[1].conditions.until: unknown field (expected one of ip_range, rate_limit, valid_from, valid_until, time_window)',
      'rules[1].conditions.ip_range[0]: expected a prefix length from 0 to 32, got "10.0.0.0/33"',
    ]);
  });

  it.each([
    [[], '$: expected an object, got an array'],
    [null, '$: expected an object, got null'],
    ['{}', '$: expected an object, got "{}"'],
    [{ rules: [] }, 'model: is required'],
    [{ model: 5, rules: [] }, 'model: expected a string, got 5'],
    [{ model: 'm' }, 'rules: expected an array of rules, got nothing'],
    [{ model: 'm', rules: {} }, 'rules: expected an array of rules, got an object'],
    [doc('rule'), 'rules[0]: expected an object, got "rule"'],
    [doc({ operations: ['infer'] }), 'rules[0].principal: is required'],
    [doc(rule({ principal: 'role:r' })), 'rules[0].principal: expected an object, got "role:r"'],
    [
      doc(rule({ principal: { type: 'role' } })),
      'rules[0].principal.value: is required for principal type "role"',
    ],
    [
      doc(rule({ principal: { type: 'role', value: 7 } })),
      'rules[0].principal.value: expected a string, got 7',
    ],
    [
      doc(rule({ principal: { type: 'role', value: 'r', name: 'x' } })),
      'rules[0].principal.name: unknown field (expected one of type, value)',
    ],
    [
      doc(rule({ principal: { type: 'any', value: 'everyone' } })),
      'rules[0].principal.value: expected no value (or "*") for principal type "any", got "everyone"',
    ],
    [
      doc(rule({ principal: { type: 'group', value: 'lab\u200b' } })),
      'rules[0].principal.value: must not contain invisible or zero-width characters (U+200B at index 3)',
    ],
    [
      doc(rule({ principal: { type: 'group', value: 'lab\nx' } })),
      'rules[0].principal.value: must not contain control characters (U+000A at index 3)',
    ],
    [doc(rule({ principal: { type: 'group', value: '' } })), 'rules[0].principal.value: must not be empty'],
    [
      doc(rule({ operations: 'infer' })),
      'rules[0].operations: expected a non-empty array of "infer", "train", "download", "view", got "infer"',
    ],
    [
      doc(rule({ operations: ['INFER'] })),
      'rules[0].operations[0]: expected one of "infer", "train", "download", "view", got "INFER"',
    ],
    [doc(rule({ id: '' })), 'rules[0].id: must not be empty'],
    [doc(rule({ id: 3 })), 'rules[0].id: expected a string, got 3'],
    [doc(rule({ id: 'a' }), rule({ id: 'a' })), 'rules[1].id: duplicate rule id "a" (also rules[0])'],
    [doc(rule(), rule({ id: 'rules[0]' })), 'rules[1].id: duplicate rule id "rules[0]" (also rules[0])'],
    [doc(rule({ conditions: null })), 'rules[0].conditions: expected an object, got null'],
    [
      doc(rule({ 'my field': 1 })),
      'rules[0]["my field"]: unknown field (expected one of id, effect, principal, operations, conditions)',
    ],
    [
      { model: 'm', rules: [], 'zero\u200bwidth': 1 },
      '$["zero\\u200bwidth"]: unknown field (expected one of model, mode, rules)',
    ],
    [
      withConditions({ ip_range: '10.0.0.0/8' }),
      'rules[0].conditions.ip_range: expected a non-empty array of CIDRs such as "10.0.0.0/8", got "10.0.0.0/8"',
    ],
    [withConditions({ ip_range: [] }), 'rules[0].conditions.ip_range: expected a non-empty array of CIDRs'],
    [withConditions({ ip_range: [10] }), 'rules[0].conditions.ip_range[0]: expected a string, got 10'],
    [
      withConditions({ ip_range: ['1.2.3.4/8'] }),
      'rules[0].conditions.ip_range[0]: host bits are set under the /8 prefix (the network is 1.0.0.0/8), got "1.2.3.4/8"',
    ],
    [
      withConditions({ ip_range: ['010.0.0.1'] }),
      'rules[0].conditions.ip_range[0]: leading zeros are not allowed in IPv4 octets',
    ],
    [
      withConditions({ ip_range: ['10.0.0.0/8', '::ffff:10.0.0.0/104'] }),
      'rules[0].conditions.ip_range[1]: duplicate of rules[0].conditions.ip_range[0] (10.0.0.0/8)',
    ],
    [
      withConditions({ rate_limit: 100 }),
      'rules[0].conditions.rate_limit: expected "<N> req/<s|min|hour|day>", got 100',
    ],
    [
      withConditions({ valid_until: '2025-12-31' }),
      'rules[0].conditions.valid_until: expected an RFC 3339 date-time such as "2025-12-31T23:59:59Z", got "2025-12-31"',
    ],
    [
      withConditions({ valid_from: '2025-02-30T00:00:00Z' }),
      'rules[0].conditions.valid_from: day 30 is out of range for 2025-02, got "2025-02-30T00:00:00Z"',
    ],
    [
      withConditions({ valid_from: 1735689600000 }),
      'rules[0].conditions.valid_from: expected a string, got 1735689600000',
    ],
    [
      withConditions({ valid_from: '2026-01-01T00:00:00Z', valid_until: '2025-12-31T23:59:59Z' }),
      'rules[0].conditions.valid_until: must not be before valid_from',
    ],
    [
      withConditions({ time_window: 'office hours' }),
      'rules[0].conditions.time_window: expected an object, got "office hours"',
    ],
    [
      withConditions({ time_window: { days: [], start: '09:00', end: '18:00', tz: 'UTC' } }),
      'rules[0].conditions.time_window.days: expected a non-empty array',
    ],
    [
      withConditions({ time_window: { days: ['mon', 'Monday'], start: '09:00', end: '18:00', tz: 'UTC' } }),
      'rules[0].conditions.time_window.days[1]: expected one of "mon"',
    ],
    [
      withConditions({ time_window: { days: ['mon', 'mon'], start: '09:00', end: '18:00', tz: 'UTC' } }),
      'rules[0].conditions.time_window.days[1]: duplicate day "mon"',
    ],
    [
      withConditions({ time_window: { days: ['mon'], start: '24:00', end: '18:00', tz: 'UTC' } }),
      'rules[0].conditions.time_window.start: expected "HH:MM" from "00:00" to "23:59", got "24:00"',
    ],
    [
      withConditions({ time_window: { days: ['mon'], start: '09:00', end: '25:00', tz: 'UTC' } }),
      'rules[0].conditions.time_window.end: expected "HH:MM" from "00:00" to "24:00", got "25:00"',
    ],
    [
      withConditions({ time_window: { days: ['mon'], start: '09:00', end: '09:00', tz: 'UTC' } }),
      'rules[0].conditions.time_window.end: must differ from start',
    ],
    [
      withConditions({ time_window: { days: ['mon'], start: '09:00', end: '18:00', tz: 'Asia/Beijing' } }),
      'rules[0].conditions.time_window.tz: expected an IANA time zone such as "Asia/Shanghai", got "Asia/Beijing"',
    ],
    [
      withConditions({ time_window: { days: ['mon'], start: '09:00', end: '18:00', tz: '+08:00' } }),
      'rules[0].conditions.time_window.tz: expected an IANA time zone',
    ],
    [
      withConditions({ time_window: { days: ['mon'], start: '09:00', end: '18:00' } }),
      'rules[0].conditions.time_window.tz: expected a string, got nothing',
    ],
    [
      withConditions({ time_window: { days: ['mon'], start: '09:00', end: '18:00', tz: 'UTC', dst: false } }),
      'rules[0].conditions.time_window.dst: unknown field',
    ],
    [
      doc(rule({ effect: 'deny', conditions: { rate_limit: '1 req/s' } })),
      'rules[0].conditions.rate_limit: is only allowed on allow rules',
    ],
    [{ model: 'qwen3-**', rules: [] }, 'model: must not contain "**"'],
    [{ model: ' qwen3', rules: [] }, 'model: must not have leading or trailing spaces'],
    [{ model: 'x'.repeat(10_000), rules: [] }, 'model: must be at most 256 characters, got 10000'],
  ])('rejects %# with %s', (input, expected) => {
    const found = issues(input);
    expect(found.length).toBeGreaterThan(0);
    expect(found.some((issue) => issue.startsWith(expected))).toBe(true);
  });

  it('applies only the documented defaults', () => {
    const result = parsed({
      model: 'qwen3-*',
      rules: [{ principal: { type: 'any' }, operations: ['view'] }],
    });
    expect(result.mode).toBe('enforce');
    expect(result.rules[0]).toMatchObject({
      id: 'rules[0]',
      generatedId: true,
      effect: 'allow',
      principal: { type: 'any', value: null },
      conditions: {},
    });
    expect(parsed({ model: 'm', rules: [] }).rules).toEqual([]);
  });

  it('normalises what is compared: user mail lower-cased, nothing else folded', () => {
    const result = parsed(
      doc(
        { principal: { type: 'user', value: 'Alice@Company.COM' }, operations: ['infer'] },
        { principal: { type: 'role', value: 'Researcher' }, operations: ['infer'] },
      ),
    );
    expect(result.rules.map((r) => r.principal.value)).toEqual(['alice@company.com', 'Researcher']);
  });

  it('reads every condition together', () => {
    const result = parsed(
      withConditions({
        ip_range: ['2001:DB8::/32', '10.1.2.3'],
        rate_limit: '5 req / sec',
        valid_from: '2026-01-01T08:00:00+08:00',
        valid_until: '2026-12-31T23:59:59.999Z',
        time_window: { days: ['fri', 'sat'], start: '22:00', end: '06:00', tz: 'Asia/Shanghai' },
      }),
    );
    expect(result.rules[0]!.conditions).toEqual({
      ipRange: [
        { family: 6, text: '2001:db8::/32', words: [0x20010db8, 0, 0, 0], prefix: 32 },
        { family: 4, text: '10.1.2.3/32', words: [0x0a010203], prefix: 32 },
      ],
      rateLimit: { limit: 5, windowMs: 1_000, text: '5 req/s' },
      validFrom: Date.UTC(2026, 0, 1),
      validUntil: Date.UTC(2026, 11, 31, 23, 59, 59, 999),
      timeWindow: { days: ['fri', 'sat'], start: 22 * 60, end: 6 * 60, tz: 'Asia/Shanghai' },
    });
  });

  it('never throws, whatever it is given', () => {
    const hostile = new Proxy(
      {},
      {
        ownKeys: () => {
          throw new Error('boom');
        },
      },
    );
    expect(issues(hostile)).toEqual(['$: could not be read as JSON data']);
    fc.assert(
      fc.property(fc.anything(), (input) => typeof parsePolicyDocument(input).ok === 'boolean'),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(
        fc.object({ key: fc.constantFrom('model', 'mode', 'rules', 'principal', 'conditions', 'ip_range') }),
        (input) => typeof parsePolicyDocument(input).ok === 'boolean',
      ),
      { numRuns: 300 },
    );
  });
});

describe('formatPolicyDocument', () => {
  it('writes the seed back in canonical form', () => {
    expect(formatPolicyDocument(parsed(JSON.parse(SEED_JSON)))).toEqual({
      model: 'qwen3-7b-chat',
      mode: 'enforce',
      rules: [
        {
          id: 'researchers',
          effect: 'allow',
          principal: { type: 'role', value: 'researcher' },
          operations: ['infer', 'view'],
          conditions: { ip_range: ['10.0.0.0/8', '192.168.1.0/24'], rate_limit: '100 req/min' },
        },
        {
          effect: 'allow',
          principal: { type: 'user', value: 'alice@company.com' },
          operations: ['infer', 'train', 'download'],
          conditions: { valid_until: '2025-12-31T23:59:59Z' },
        },
      ],
    });
  });

  it('is read back as the same document', () => {
    const principal = fc.oneof(
      fc.record({
        type: fc.constantFrom('user', 'role', 'group', 'api_key', 'service_account'),
        value: fc.constantFrom('A@b.c', 'x', 'ops team', '研究员'),
      }),
      fc.constant({ type: 'any' }),
    );
    const conditions = fc.record(
      {
        ip_range: fc.uniqueArray(
          fc.constantFrom('10.0.0.0/8', '::ffff:192.168.0.0/112', '2001:DB8::/32', '1.2.3.4'),
          { minLength: 1 },
        ),
        rate_limit: fc.constantFrom('1req/s', '10 req / min', '7 req/day'),
        valid_from: fc.constantFrom('2025-01-01T00:00:00+08:00', '2025-06-01T00:00:00.5Z'),
        valid_until: fc.constantFrom('2030-01-01T00:00:00Z', '2031-12-31T23:59:59.999-05:00'),
        time_window: fc.record({
          days: fc.subarray(['mon', 'tue', 'sun'], { minLength: 1 }),
          start: fc.constantFrom('00:00', '22:30'),
          end: fc.constantFrom('06:00', '24:00'),
          tz: fc.constantFrom('UTC', 'Europe/Berlin'),
        }),
      },
      { requiredKeys: [] },
    );
    const ruleJson = fc.record(
      {
        id: fc.constantFrom('a', 'b', 'c', 'd'),
        effect: fc.constantFrom('allow'),
        principal,
        operations: fc.subarray(['infer', 'train', 'download', 'view'], { minLength: 1 }),
        conditions,
      },
      { requiredKeys: ['principal', 'operations'] },
    );
    const documentJson = fc.record({
      model: fc.constantFrom('m', 'qwen3-*', '*'),
      mode: fc.constantFrom('enforce', 'shadow'),
      rules: fc.uniqueArray(ruleJson, { selector: (r) => r.id ?? Symbol(), maxLength: 5 }),
    });
    fc.assert(
      fc.property(documentJson, (json) => {
        const first = parsed(json);
        const again = parsed(JSON.parse(JSON.stringify(formatPolicyDocument(first))));
        expect(again).toEqual(first);
      }),
      { numRuns: 300 },
    );
  });
});
