// Why a request gets its decision: every rule of the documents that apply to the model, with
// whether it names the caller and the operation and how each of its conditions fared. The
// decision is the one `check` would give, except that nothing is counted: a rate limiter, if
// given, is only peeked at. What-if is the same with the time or the address replaced.
import { formatIpAddress } from '../cidr';
import { WEEKDAYS, type Effect, type Operation, type PolicyMode, type RulePrincipal } from '../policy';
import type { CompiledDocument } from '../policy-index/compiled-document';
import type { CompiledRule, ConditionFailure } from '../policy-index/compiled-rule';
import type { PolicyIndex } from '../policy-index/policy-index';
import type { RateLimiter } from '../rate-limit';
import { formatClock } from '../time-window';
import { MINUTES_PER_DAY } from '../time-zone';
import { formatTimestamp } from '../timestamp';
import { prepare } from './check';
import { EVALUATION_ERROR, type Decision } from './decision';
import { Evaluation, FIRST_BUCKET_TAKES, conclude, rateLimitBucket } from './evaluate';
import type { CheckRequest, RequestContext, Subject } from './request';

export interface ExplainOptions {
  /** The same request at another time and/or from another address (null: from none). */
  readonly whatIf?: Partial<Pick<RequestContext, 'time' | 'ip'>>;
  /** Asked with `peek` (nothing is counted) whether rate-limited rules have room; without
   * one, rate limits are taken to have room. */
  readonly rateLimiter?: RateLimiter;
}

export type RuleStatus =
  'applies' | 'principal_mismatch' | 'operation_mismatch' | 'condition_failed' | 'rate_limited';

export interface ConditionTrace {
  readonly condition: 'valid_from' | 'valid_until' | 'ip_range' | 'time_window' | 'rate_limit';
  /** Null when not evaluated: a rate limit with no limiter to ask. */
  readonly holds: boolean | null;
  readonly detail: string;
}

export interface RuleTrace {
  readonly documentModel: string;
  readonly mode: PolicyMode;
  readonly policyVersion: number;
  readonly ruleId: string;
  readonly effect: Effect;
  /** `type:value`, e.g. `role:researcher`, or `any`. */
  readonly principal: string;
  readonly operations: readonly Operation[];
  readonly status: RuleStatus;
  /** For `condition_failed` and `rate_limited`: the reason code the rule failed with. */
  readonly failure: ConditionFailure | 'rate_limited' | null;
  /** Every condition of a rule that names the caller and the operation, in evaluation order. */
  readonly conditions: readonly ConditionTrace[];
  /** The rule that made the decision. */
  readonly decisive: boolean;
  /** The rule that made the shadow outcome. */
  readonly shadowDecisive: boolean;
}

export interface Explanation {
  readonly decision: Decision;
  /** The time and address the request was evaluated at (after what-if), or null when invalid. */
  readonly time: number | null;
  readonly ip: string | null;
  readonly rules: readonly RuleTrace[];
}

export function explain(
  index: PolicyIndex,
  request: CheckRequest,
  options: ExplainOptions = {},
): Explanation {
  try {
    const evaluation = prepare(index, options.whatIf ? withContext(request, options.whatIf) : request);
    if (!(evaluation instanceof Evaluation)) return { decision: evaluation, time: null, ip: null, rules: [] };
    const { subject, model } = evaluation;
    const limiter = options.rateLimiter;
    const limits = evaluation.needsRateLimit
      ? (limiter?.peek(evaluation.buckets(), subject.time) ?? FIRST_BUCKET_TAKES)
      : null;
    const decision = conclude(evaluation, limits);
    const tracer = new RuleTracer(subject, model, decision, limiter);
    const shadows = (index.shadowSetFor(model) ?? []).filter((doc) => doc.mode === 'shadow');
    return {
      decision,
      time: subject.time,
      ip: subject.ip === null ? null : formatIpAddress(subject.ip),
      rules: [...index.enforcedFor(model), ...shadows].flatMap((doc) =>
        doc.rules.map((rule) => tracer.trace(doc, rule)),
      ),
    };
  } catch {
    return { decision: EVALUATION_ERROR, time: null, ip: null, rules: [] };
  }
}

function withContext(request: CheckRequest, whatIf: NonNullable<ExplainOptions['whatIf']>): CheckRequest {
  const context: { -readonly [K in keyof RequestContext]: RequestContext[K] } = { ...request.context };
  if (whatIf.time !== undefined) context.time = whatIf.time;
  if (whatIf.ip !== undefined) context.ip = whatIf.ip;
  return { ...request, context };
}

class RuleTracer {
  constructor(
    private readonly subject: Subject,
    private readonly model: string,
    private readonly decision: Decision,
    private readonly limiter: RateLimiter | undefined,
  ) {}

  trace(doc: CompiledDocument, rule: CompiledRule): RuleTrace {
    const source = rule.source;
    const isDecisive = (outcome: { ruleId: string | null; documentModel: string | null } | null): boolean =>
      outcome !== null && outcome.ruleId === rule.id && outcome.documentModel === doc.pattern;
    const base = {
      documentModel: doc.pattern,
      mode: doc.mode,
      policyVersion: doc.version,
      ruleId: rule.id,
      effect: source.effect,
      principal:
        source.principal.value === null
          ? source.principal.type
          : `${source.principal.type}:${source.principal.value}`,
      operations: source.operations,
      decisive: doc.mode === 'enforce' && isDecisive(this.decision),
      shadowDecisive: isDecisive(this.decision.shadow),
    };
    if (!principalMatches(source.principal, this.subject))
      return { ...base, status: 'principal_mismatch', failure: null, conditions: [] };
    if (!source.operations.includes(this.subject.operation))
      return { ...base, status: 'operation_mismatch', failure: null, conditions: [] };
    const conditions = this.conditions(rule);
    const failure = rule.failureAt(this.subject.time, this.subject.ip);
    if (failure !== null) return { ...base, status: 'condition_failed', failure, conditions };
    const limited = conditions.some((c) => c.condition === 'rate_limit' && c.holds === false);
    return limited
      ? { ...base, status: 'rate_limited', failure: 'rate_limited', conditions }
      : { ...base, status: 'applies', failure: null, conditions };
  }

  private conditions(rule: CompiledRule): ConditionTrace[] {
    const { time, ip } = this.subject;
    const c = rule.source.conditions;
    const traces: ConditionTrace[] = [];
    if (c.validFrom !== undefined)
      traces.push({
        condition: 'valid_from',
        holds: time >= c.validFrom,
        detail: `valid from ${formatTimestamp(c.validFrom)} (inclusive)`,
      });
    if (c.validUntil !== undefined)
      traces.push({
        condition: 'valid_until',
        holds: time <= c.validUntil,
        detail: `valid until ${formatTimestamp(c.validUntil)} (inclusive)`,
      });
    if (c.ipRange !== undefined) {
      const ranges = c.ipRange.map((cidr) => cidr.text).join(', ');
      const holds = rule.allowsIp(ip);
      const address =
        ip === null ? 'the request has no address' : `${formatIpAddress(ip)} is ${holds ? '' : 'not '}in`;
      traces.push({
        condition: 'ip_range',
        holds,
        detail: ip === null ? `${address}; allowed: ${ranges}` : `${address} ${ranges}`,
      });
    }
    if (c.timeWindow !== undefined) {
      const w = c.timeWindow;
      const local = rule.timeWindow!.localMinuteOfWeek(time);
      const localText = `${WEEKDAYS[Math.floor(local / MINUTES_PER_DAY)]} ${formatClock(local % MINUTES_PER_DAY)}`;
      traces.push({
        condition: 'time_window',
        holds: rule.timeWindow!.contains(time),
        detail: `${w.days.join(',')} ${formatClock(w.start)}-${formatClock(w.end)} ${w.tz}; local time is ${localText}`,
      });
    }
    if (rule.rateLimit !== null) traces.push(this.rateLimitTrace(rule));
    return traces;
  }

  private rateLimitTrace(rule: CompiledRule): ConditionTrace {
    const spec = rule.rateLimit!;
    if (this.limiter === undefined)
      return { condition: 'rate_limit', holds: null, detail: `${spec.text}; no limiter was consulted` };
    const outcome = this.limiter.peek([rateLimitBucket(rule, this.subject, this.model)], this.subject.time);
    return outcome.granted === 0
      ? { condition: 'rate_limit', holds: true, detail: `${spec.text}; room for this request` }
      : {
          condition: 'rate_limit',
          holds: false,
          detail: `${spec.text}; exhausted until ${formatTimestamp(outcome.retryAt)}`,
        };
  }
}

/** Whether a rule's principal names the caller: the predicate the index's buckets implement. */
function principalMatches(principal: RulePrincipal, subject: Subject): boolean {
  switch (principal.type) {
    case 'any':
      return true;
    case 'user':
    case 'api_key':
    case 'service_account':
      return subject.principalType === principal.type && subject.principalId === principal.value;
    case 'role':
      return subject.roles.includes(principal.value!);
    case 'group':
      return subject.groups.includes(principal.value!);
  }
}
