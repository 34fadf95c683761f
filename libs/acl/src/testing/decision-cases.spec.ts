// Runs every YAML decision case of libs/acl/test-cases through the library.
import { describe, expect, it } from 'vitest';
import { check } from '../evaluate/check';
import type { Decision, ShadowDecision } from '../evaluate/decision';
import type { CheckRequest } from '../evaluate/request';
import { formatIssue } from '../parse/issues';
import { parsePolicyDocument } from '../parse/parse-document';
import { PolicyIndex } from '../policy-index/policy-index';
import { InMemorySlidingWindowLimiter } from '../sliding-window-limiter';
import { formatTimestamp } from '../timestamp';
import { loadDecisionSuites, readSuite, type DecisionCase, type OutcomeExpectation } from './decision-cases';

const suites = loadDecisionSuites();

/** The decision in the case file's terms: only the keys the expectation names. */
function observed(decision: Decision, want: DecisionCase['expect']): Record<string, unknown> {
  const seen: Record<string, unknown> = { allow: decision.allow };
  if (want.reason !== undefined) seen['reason'] = decision.reason;
  if (want.rule_id !== undefined) seen['rule_id'] = decision.ruleId;
  if (want.policy_version !== undefined) seen['policy_version'] = decision.policyVersion;
  if (want.retry_at !== undefined)
    seen['retry_at'] = decision.retryAt === null ? null : formatTimestamp(decision.retryAt);
  if (want.shadow !== undefined)
    seen['shadow'] = want.shadow === null ? decision.shadow : observedShadow(decision.shadow, want.shadow);
  return seen;
}

function observedShadow(
  shadow: ShadowDecision | null,
  want: OutcomeExpectation,
): Record<string, unknown> | null {
  if (shadow === null) return null;
  const seen: Record<string, unknown> = { allow: shadow.allow };
  if (want.reason !== undefined) seen['reason'] = shadow.reason;
  if (want.rule_id !== undefined) seen['rule_id'] = shadow.ruleId;
  return seen;
}

function expected(want: DecisionCase['expect']): Record<string, unknown> {
  return Object.fromEntries(Object.entries(want).filter(([, value]) => value !== undefined));
}

describe('YAML decision cases', () => {
  it('finds the case files', () => {
    expect(suites.map((suite) => suite.file)).toEqual(
      expect.arrayContaining(['seed.yaml', 'rate-limit.yaml', 'time-window.yaml']),
    );
  });

  for (const suite of suites) {
    describe(`${suite.file}: ${suite.name}`, () => {
      const index = new PolicyIndex();
      for (const { document, version } of suite.policies) {
        const parsed = parsePolicyDocument(document);
        if (!parsed.ok)
          throw new Error(`${suite.file}: invalid policy: ${parsed.issues.map(formatIssue).join('; ')}`);
        index.upsert(parsed.value, version);
      }
      // One limiter per file: the cases run in order and rate limits count across them.
      const limiter = new InMemorySlidingWindowLimiter();
      for (const c of suite.cases) {
        it(c.name, () => {
          const request = {
            principal: c.principal,
            model: c.model,
            operation: c.operation,
            context: c.context,
          } as CheckRequest;
          expect(observed(check(index, request, limiter), c.expect)).toEqual(expected(c.expect));
        });
      }
    });
  }
});

describe('the case file reader', () => {
  const base = { policies: [], principals: { p: { id: 'p', type: 'user' } } };
  const context = { time: '2026-01-15T10:00:00Z' };

  it('expands principal x model x operation and denies what expect does not list', () => {
    const suite = readSuite(
      {
        ...base,
        cases: [
          {
            name: 'm',
            principal: 'p',
            model: ['a', 'b'],
            operation: ['infer', 'view'],
            context,
            expect: [{ model: 'b', operation: 'view', allow: true }],
          },
        ],
      },
      'inline',
    );
    expect(suite.cases.map((c) => [c.name, c.expect.allow])).toEqual([
      ['m [p a infer]', false],
      ['m [p a view]', false],
      ['m [p b infer]', false],
      ['m [p b view]', true],
    ]);
  });

  it.each([
    [
      { cases: [{ name: 'x', principal: 'nobody', model: 'a', operation: 'infer', context }] },
      'no principal named "nobody"',
    ],
    [
      {
        cases: [
          { name: 'x', principal: 'p', model: 'a', operation: 'infer', context, expect: { allow: 'yes' } },
        ],
      },
      'expected true or false',
    ],
    [
      {
        cases: [
          {
            name: 'x',
            principal: 'p',
            model: 'a',
            operation: 'infer',
            context,
            expect: { allow: false, reason: 'nope' },
          },
        ],
      },
      'expected one of allowed',
    ],
    [
      { cases: [{ name: 'x', principal: 'p', model: 'a', operation: 'infer', context, surprise: 1 }] },
      'cases[0].surprise: unknown key',
    ],
    [{ policies: [{ version: 'one', document: {} }] }, 'policies[0].version: expected an integer'],
  ])('rejects a malformed file loudly (%#)', (data, message) => {
    expect(() => readSuite({ ...base, ...data }, 'bad.yaml')).toThrow(message);
  });
});
