// Invariants of the decision procedure over random policy sets and requests, and agreement
// with a reference evaluator written plainly from the documented semantics (no index).
import { BlockList } from 'node:net';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parsePolicyDocument } from '../parse/parse-document';
import { WEEKDAYS, type PolicyDocument, type PolicyRule } from '../policy';
import { PolicyIndex } from '../policy-index/policy-index';
import type { RateLimiter } from '../rate-limit';
import { InMemorySlidingWindowLimiter } from '../sliding-window-limiter';
import { check } from './check';
import { DECISION_REASONS, type Decision } from './decision';
import type { CheckRequest } from './request';
import { visibleModels } from './visible-models';

const T = Date.UTC(2026, 0, 15, 10); // Thursday 18:00 in Shanghai
const HOUR = 3_600_000;
const MODELS = ['m1', 'm2', 'm3', 'x2'];

// ---- generators -------------------------------------------------------------------------

const rulePrincipal = fc.constantFrom(
  { type: 'user', value: 'U1@x.io' },
  { type: 'user', value: 'u2@x.io' },
  { type: 'role', value: 'r1' },
  { type: 'role', value: 'r2' },
  { type: 'group', value: 'g1' },
  { type: 'group', value: 'r1' },
  { type: 'api_key', value: 'k1' },
  { type: 'service_account', value: 's1' },
  { type: 'any' },
);
const validity = fc.constantFrom(
  {},
  { valid_from: '2026-01-15T10:00:00Z' },
  { valid_until: '2026-01-15T10:00:00Z' },
  { valid_from: '2026-01-15T09:00:00Z', valid_until: '2026-01-15T11:00:00Z' },
  { valid_from: '2026-01-15T11:00:00Z' },
  { valid_until: '2026-01-15T09:00:00Z' },
);
const conditions = fc
  .record(
    {
      ip_range: fc.subarray(['10.0.0.0/8', '10.1.0.0/16', '2001:db8::/32', '0.0.0.0/0'], { minLength: 1 }),
      time_window: fc.constantFrom(
        { days: ['thu'], start: '09:00', end: '18:00', tz: 'UTC' },
        { days: ['thu', 'fri'], start: '17:00', end: '19:00', tz: 'Asia/Shanghai' },
        { days: ['wed'], start: '22:00', end: '12:00', tz: 'UTC' },
      ),
      rate_limit: fc.constantFrom('1 req/min', '5 req/s'),
    },
    { requiredKeys: [] },
  )
  .chain((c) => validity.map((v) => ({ ...c, ...v })));
const ruleJson = fc.record({
  effect: fc.constantFrom('allow', 'deny'),
  principal: rulePrincipal,
  operations: fc.subarray(['infer', 'train', 'download', 'view'], { minLength: 1 }),
  conditions,
});
const documentJson = fc.record({
  model: fc.constantFrom('m1', 'm2', 'm*', '*', '*2'),
  mode: fc.constantFrom('enforce', 'enforce', 'shadow'),
  rules: fc.array(ruleJson, { maxLength: 6 }),
});

interface Entry {
  readonly document: PolicyDocument;
  readonly version: number;
}

/** Unique (pattern, mode), rules with ids r0.., versions 1..; a deny never carries a rate limit. */
function toEntries(
  docs: readonly (typeof documentJson extends fc.Arbitrary<infer D> ? D : never)[],
): Entry[] {
  const seen = new Set<string>();
  const entries: Entry[] = [];
  docs.forEach((json, i) => {
    if (seen.has(`${json.mode}:${json.model}`)) return;
    seen.add(`${json.mode}:${json.model}`);
    const rules = json.rules.map((rule, j) => {
      const { rate_limit, ...rest } = rule.conditions;
      return {
        id: `r${j}`,
        ...rule,
        conditions: rule.effect === 'deny' || rate_limit === undefined ? rest : { ...rest, rate_limit },
      };
    });
    const parsed = parsePolicyDocument({ ...json, rules });
    if (!parsed.ok) throw new Error(parsed.issues.map((issue) => issue.message).join('; '));
    entries.push({ document: parsed.value, version: i + 1 });
  });
  return entries;
}
const policySet = fc.array(documentJson, { maxLength: 6 }).map(toEntries);

const request = fc.record({
  principal: fc.constantFrom(
    { id: 'u1@X.io', type: 'user', roles: ['r1'], groups: [] },
    { id: 'u2@x.io', type: 'user', roles: [], groups: ['g1', 'r1'] },
    { id: 'u3@x.io', type: 'user', roles: ['r2', 'r1'], groups: ['g1'] },
    { id: 'k1', type: 'api_key', roles: ['r2'] },
    { id: 'U1@x.io', type: 'api_key' },
    { id: 's1', type: 'service_account', groups: ['g1'] },
  ),
  model: fc.constantFrom(...MODELS),
  operation: fc.constantFrom('infer', 'train', 'download', 'view'),
  context: fc.record({
    ip: fc.constantFrom('10.1.2.3', '10.2.0.1', '2001:db8::1', '8.8.8.8', undefined),
    time: fc.constantFrom(T - HOUR - 1, T - HOUR, T, T + 1, T + HOUR, T + HOUR + 1, T + 13 * HOUR),
  }),
}) as fc.Arbitrary<CheckRequest>;

// ---- the reference ----------------------------------------------------------------------

type Outcome = Pick<Decision, 'allow' | 'reason' | 'ruleId' | 'documentModel' | 'policyVersion'>;

const patternMatches = (pattern: string, model: string): boolean =>
  new RegExp(`^${pattern.split('*').join('.*')}$`).test(model);

function principalMatches(rule: PolicyRule, req: CheckRequest): boolean {
  const p = rule.principal;
  const id = req.principal.type === 'user' ? req.principal.id.toLowerCase() : req.principal.id;
  if (p.type === 'any') return true;
  if (p.type === 'role') return (req.principal.roles ?? []).includes(p.value!);
  if (p.type === 'group') return (req.principal.groups ?? []).includes(p.value!);
  return p.type === req.principal.type && p.value === id;
}

function localTime(tz: string, time: number): { day: number; minute: number } {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: tz,
    hourCycle: 'h23',
    weekday: 'short',
    hour: '2-digit',
    minute: '2-digit',
  }).formatToParts(time);
  const part = (type: string): string => parts.find((x) => x.type === type)!.value;
  return {
    day: ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'].indexOf(part('weekday')),
    minute: Number(part('hour')) * 60 + Number(part('minute')),
  };
}

/** The first failing condition, in the documented order; null when all hold. */
function failure(rule: PolicyRule, req: CheckRequest): string | null {
  const c = rule.conditions;
  const time = req.context.time as number;
  if (c.validFrom !== undefined && time < c.validFrom) return 'not_yet_valid';
  if (c.validUntil !== undefined && time > c.validUntil) return 'expired';
  if (c.ipRange) {
    const ip = req.context.ip;
    const family = ip?.includes(':') ? 'ipv6' : 'ipv4';
    const list = new BlockList();
    for (const cidr of c.ipRange.filter((x) => (x.family === 6) === (family === 'ipv6'))) {
      const [net, prefix] = cidr.text.split('/');
      list.addSubnet(net!, Number(prefix), family);
    }
    if (!ip || !list.check(ip, family)) return 'ip_not_allowed';
  }
  if (c.timeWindow) {
    const w = c.timeWindow;
    const { day, minute } = localTime(w.tz, time);
    const listed = (d: number): boolean => w.days.includes(WEEKDAYS[(d + 7) % 7]!);
    const inside =
      w.start < w.end
        ? listed(day) && minute >= w.start && minute < w.end
        : (listed(day) && minute >= w.start) || (listed(day - 1) && minute < w.end);
    if (!inside) return 'outside_time_window';
  }
  return null;
}

const RANK: Record<string, number> = {
  expired: 1,
  not_yet_valid: 2,
  ip_not_allowed: 3,
  outside_time_window: 4,
};
type Candidate = { rule: PolicyRule; entry: Entry };
const key = (c: Candidate): string => `${c.entry.document.model}\u0000${c.rule.id}`;
const least = (list: Candidate[]): Candidate | undefined =>
  [...list].sort((a, b) => (key(a) < key(b) ? -1 : 1))[0];

/** The documented decision, with rate limits taking the request (a fresh limiter). */
function reference(entries: readonly Entry[], req: CheckRequest): Outcome {
  const candidates: Candidate[] = [];
  for (const entry of entries) {
    for (const rule of entry.document.rules) {
      if (principalMatches(rule, req) && rule.operations.includes(req.operation))
        candidates.push({ rule, entry });
    }
  }
  const holding = candidates.filter((c) => failure(c.rule, req) === null);
  const outcome = (allow: boolean, reason: string, c: Candidate): Outcome => ({
    allow,
    reason: reason as Decision['reason'],
    ruleId: c.rule.id,
    documentModel: c.entry.document.model,
    policyVersion: c.entry.version,
  });
  const deny = least(holding.filter((c) => c.rule.effect === 'deny'));
  if (deny) return outcome(false, 'denied_by_rule', deny);
  const allows = holding.filter((c) => c.rule.effect === 'allow');
  const allow = least(allows.filter((c) => !c.rule.conditions.rateLimit)) ?? least(allows);
  if (allow) return outcome(true, 'allowed', allow);
  const failed = candidates
    .filter((c) => c.rule.effect === 'allow')
    .map((c) => ({ c, rank: RANK[failure(c.rule, req)!]! }))
    .sort((a, b) => b.rank - a.rank || (key(a.c) < key(b.c) ? -1 : 1))[0];
  if (failed) return outcome(false, failure(failed.c.rule, req)!, failed.c);
  return {
    allow: false,
    reason: 'no_matching_rule',
    ruleId: null,
    documentModel: null,
    policyVersion: Math.max(0, ...entries.map((e) => e.version)),
  };
}

function applicable(entries: readonly Entry[], model: string): { enforced: Entry[]; shadow: Entry[] | null } {
  const matching = entries.filter((e) => patternMatches(e.document.model, model));
  const enforced = matching.filter((e) => e.document.mode === 'enforce');
  const shadows = matching.filter((e) => e.document.mode === 'shadow');
  if (shadows.length === 0) return { enforced, shadow: null };
  const replaced = new Set(shadows.map((e) => e.document.model));
  return { enforced, shadow: [...shadows, ...enforced.filter((e) => !replaced.has(e.document.model))] };
}

const outcomeOf = ({ allow, reason, ruleId, documentModel, policyVersion }: Outcome): Outcome => ({
  allow,
  reason,
  ruleId,
  documentModel,
  policyVersion,
});
const fresh = (): InMemorySlidingWindowLimiter => new InMemorySlidingWindowLimiter();
const RUNS = { numRuns: 250 };

// ---- properties -------------------------------------------------------------------------

describe('the decision procedure', () => {
  it('agrees with the reference evaluator, shadow outcome included', () => {
    fc.assert(
      fc.property(policySet, fc.array(request, { minLength: 1, maxLength: 6 }), (entries, requests) => {
        const index = PolicyIndex.from(entries);
        for (const req of requests) {
          const decision = check(index, req, fresh());
          const { enforced, shadow } = applicable(entries, req.model);
          expect(outcomeOf(decision)).toEqual(reference(enforced, req));
          expect(decision.shadow && outcomeOf(decision.shadow)).toEqual(shadow && reference(shadow, req));
        }
      }),
      RUNS,
    );
  });

  it.each([
    ['deny', false],
    ['allow', true],
  ] as const)('adding a rule with effect %s never changes allow=%s to the other', (effect, kept) => {
    // A deny carries no rate limit (the parser refuses one).
    const extra = fc.record({
      at: fc.nat(),
      rule: ruleJson.map(({ conditions: { rate_limit, ...conditions }, ...r }) => ({
        ...r,
        effect,
        conditions:
          effect === 'allow' && rate_limit !== undefined ? { ...conditions, rate_limit } : conditions,
      })),
    });
    fc.assert(
      fc.property(
        policySet,
        extra,
        fc.array(request, { minLength: 1, maxLength: 6 }),
        (entries, { at, rule }, requests) => {
          const before = PolicyIndex.from(entries);
          const after = PolicyIndex.from(entries);
          addRule(after, entries, at, rule);
          for (const req of requests)
            if (check(before, req, fresh()).allow === kept)
              expect(check(after, req, fresh()).allow).toBe(kept);
        },
      ),
      RUNS,
    );
  });

  it('the order of rules and of documents never changes an outcome', () => {
    fc.assert(
      fc.property(
        policySet,
        fc.array(request, { minLength: 1, maxLength: 6 }),
        fc.nat(),
        (entries, requests, seed) => {
          const shuffled = shuffle(entries, seed).map((e) => ({
            ...e,
            document: { ...e.document, rules: shuffle(e.document.rules, seed + 1) },
          }));
          const a = PolicyIndex.from(entries);
          const b = PolicyIndex.from(shuffled);
          for (const req of requests) expect(check(b, req, fresh())).toEqual(check(a, req, fresh()));
        },
      ),
      RUNS,
    );
  });

  it('lists exactly the models a check allows', () => {
    fc.assert(
      fc.property(policySet, request, (entries, req) => {
        const index = PolicyIndex.from(entries);
        const listed = visibleModels(index, {
          principal: req.principal,
          operation: req.operation,
          context: req.context,
          models: MODELS,
        });
        expect(listed).toEqual(MODELS.filter((model) => check(index, { ...req, model }, fresh()).allow));
      }),
      RUNS,
    );
  });

  it('never throws, whatever the request; what it cannot read is invalid_request', () => {
    const index = PolicyIndex.from(
      toEntries([
        {
          model: '*',
          mode: 'enforce',
          rules: [{ effect: 'allow', principal: { type: 'any' }, operations: ['infer'], conditions: {} }],
        },
      ]),
    );
    const field = <T>(valid: fc.Arbitrary<T>) => fc.oneof(valid, fc.anything());
    const messy = fc.record(
      {
        principal: field(
          fc.record(
            {
              id: field(fc.constant('a')),
              type: field(fc.constant('user')),
              roles: field(fc.constant(['r'])),
            },
            { requiredKeys: [] },
          ),
        ),
        model: field(fc.constant('m1')),
        operation: field(fc.constant('infer')),
        context: field(
          fc.record(
            { ip: field(fc.constant('10.0.0.1')), time: field(fc.constant(T)) },
            { requiredKeys: [] },
          ),
        ),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(fc.oneof(fc.anything(), messy), (input) => {
        const decision = check(index, input as CheckRequest, fresh());
        expect(DECISION_REASONS).toContain(decision.reason);
        expect(decision.allow).toBe(decision.reason === 'allowed');
        if (decision.reason !== 'allowed') expect(decision.reason).toBe('invalid_request');
      }),
      { numRuns: 500 },
    );
  });

  it('a failure inside is a deny', () => {
    const failing: RateLimiter = {
      tryAcquire: () => {
        throw new Error('limiter down');
      },
      peek: () => {
        throw new Error('limiter down');
      },
    };
    fc.assert(
      fc.property(policySet, request, (entries, req) => {
        const index = PolicyIndex.from(entries);
        const healthy = check(index, req, fresh());
        const broken = check(index, req, failing);
        const limiterDecided =
          healthy.allow &&
          healthy.ruleId !== null &&
          ruleOf(entries, healthy)!.conditions.rateLimit !== undefined;
        expect(broken).toEqual(
          limiterDecided ? expect.objectContaining({ allow: false, reason: 'evaluation_error' }) : healthy,
        );
      }),
      RUNS,
    );
  });
});

function ruleOf(entries: readonly Entry[], decision: Decision): PolicyRule | undefined {
  return entries
    .find((e) => e.document.model === decision.documentModel && e.document.mode === 'enforce')
    ?.document.rules.find((r) => r.id === decision.ruleId);
}

/** Adds `rule` to one of the documents (or as a new `*2` document when there are none). */
function addRule(index: PolicyIndex, entries: readonly Entry[], at: number, rule: unknown): void {
  const target =
    entries.length === 0
      ? { document: { model: '*2', mode: 'enforce', rules: [] } as unknown as PolicyDocument, version: 99 }
      : entries[at % entries.length]!;
  const parsed = parsePolicyDocument({
    model: target.document.model,
    mode: target.document.mode,
    rules: [{ ...(rule as object), id: 'added' }],
  });
  if (!parsed.ok) throw new Error(parsed.issues[0]!.message);
  index.upsert(
    { ...target.document, rules: [...target.document.rules, parsed.value.rules[0]!] },
    target.version,
  );
}

function shuffle<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let s = seed >>> 0;
  for (let i = out.length - 1; i > 0; i--) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
