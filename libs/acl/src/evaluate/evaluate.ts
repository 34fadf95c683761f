// The decision procedure, shared by check, explain, visible models and the shadow outcome:
//  1. gather the rules of the applicable documents that name the caller for the operation;
//  2. a deny whose conditions hold decides (deny overrides allow, across documents);
//  3. else an allow without a rate limit whose conditions hold decides;
//  4. else the allows with a rate limit whose conditions hold are offered to the limiter in
//     a fixed order, and the first with room decides (each is a grant of its own, so a caller
//     has the sum of them); none with room is `rate_limited`;
//  5. else the candidate allow that failed "latest" gives the reason (see FAILURE_RANK), and
//     with no candidate at all the answer is `no_matching_rule`.
// Where several rules decide alike, the least (document model, rule id) wins, so that neither
// the order of rules nor that of documents ever changes an outcome.
import { OPERATION_COUNT, ruleKey, type CompiledDocument } from '../policy-index/compiled-document';
import type { CompiledRule, ConditionFailure } from '../policy-index/compiled-rule';
import { CallerKeys, type PrincipalKind } from '../policy-index/principal-key';
import { isSingleRule, keyHash, type RuleEntry } from '../policy-index/rule-table';
import type { RateLimitBucket, RateLimitOutcome } from '../rate-limit';
import type { Decision, DecisionReason, ShadowDecision } from './decision';
import type { Subject } from './request';

/**
 * When nothing allows, the reason of the failed allow that got furthest: its conditions are
 * checked validity first, then address, then time window, so one that failed on the time
 * window met everything before it. Ties go to the preferred rule (`CompiledRule.precedes`).
 */
const FAILURE_RANK: Readonly<Record<ConditionFailure, number>> = {
  expired: 1,
  not_yet_valid: 2,
  ip_not_allowed: 3,
  outside_time_window: 4,
};

/** The rules of a request that apply, gathered in one pass over its candidate rules. */
export class Evaluation {
  deny: CompiledRule | null = null;
  allow: CompiledRule | null = null;
  limited: CompiledRule[] | null = null;
  failed: CompiledRule | null = null;
  failure: ConditionFailure | null = null;
  /** The highest version of the applicable documents: the version of a decision no rule made. */
  maxVersion = 0;
  /** The outcome of the shadow set, evaluated beside (see `check`). */
  shadow: ShadowDecision | null = null;
  /** Room for the caller's principal keys, reused with the evaluation (see `check`). */
  readonly keys = new CallerKeys();

  constructor(
    public subject: Subject,
    public model: string,
  ) {}

  /** This evaluation made new for another request (`check` reuses one: no allocation). */
  reset(subject: Subject, model: string): this {
    this.subject = subject;
    this.model = model;
    this.deny = null;
    this.allow = null;
    this.limited = null;
    this.failed = null;
    this.failure = null;
    this.maxVersion = 0;
    this.shadow = null;
    return this;
  }

  /** True when the outcome depends on the rate limiter (step 4). */
  get needsRateLimit(): boolean {
    return this.deny === null && this.allow === null && this.limited !== null;
  }

  /** The rules for any caller. */
  visitAll(rules: readonly CompiledRule[] | null): void {
    if (rules !== null) for (let i = 0; i < rules.length; i++) this.visitRule(rules[i]!);
  }

  /** The rules found under the key of the caller's principal `kind` `name` that name it. */
  visitNamed(entry: RuleEntry, kind: PrincipalKind, name: string): void {
    if (isSingleRule(entry)) {
      if (entry.names(kind, name)) this.visitRule(entry);
    } else {
      for (let i = 0; i < entry.length; i++) if (entry[i]!.names(kind, name)) this.visitRule(entry[i]!);
    }
  }

  private visitRule(rule: CompiledRule): void {
    const failure = rule.failureAt(this.subject.time, this.subject.ip);
    if (failure === null) {
      if (rule.deny) this.deny = preferred(this.deny, rule);
      else if (rule.rateLimit === null) this.allow = preferred(this.allow, rule);
      else this.limited = insertInOrder(this.limited, rule);
    } else if (!rule.deny && this.isNearerMiss(failure, rule)) {
      this.failure = failure;
      this.failed = rule;
    }
  }

  /** The limited allows as the limiter's buckets, in the order it is offered them. */
  buckets(): RateLimitBucket[] {
    return this.limited!.map((rule) => rateLimitBucket(rule, this.subject, this.model));
  }

  /** Whether `rule` failing on `failure` came nearer to allowing than the failure kept so far. */
  private isNearerMiss(failure: ConditionFailure, rule: CompiledRule): boolean {
    if (this.failure === null) return true;
    const difference = FAILURE_RANK[failure] - FAILURE_RANK[this.failure];
    return difference > 0 || (difference === 0 && rule.precedes(this.failed!));
  }
}

/** A rule's counter for one caller on one model ("per principal per model per rule"). */
export function rateLimitBucket(rule: CompiledRule, subject: Subject, model: string): RateLimitBucket {
  const { limit, windowMs } = rule.rateLimit!;
  return {
    key: `${rule.documentModel}\u0000${rule.id}\u0000${subject.principalKey}\u0000${model}`,
    limit,
    windowMs,
  };
}

function preferred(current: CompiledRule | null, candidate: CompiledRule): CompiledRule {
  return current === null || candidate.precedes(current) ? candidate : current;
}

/** `rule` added to `list`, kept in preferred order and without repeats (a role named twice). */
function insertInOrder(list: CompiledRule[] | null, rule: CompiledRule): CompiledRule[] {
  if (list === null) return [rule];
  if (list.includes(rule)) return list;
  let at = list.length;
  while (at > 0 && rule.precedes(list[at - 1]!)) at--;
  list.splice(at, 0, rule);
  return list;
}

/**
 * Step 1 and the condition checks: the rules of `documents` for each of the caller's
 * principals (`keys`, of `subject`) and the operation; in `reuse`, when given (reset first).
 */
export function evaluate(
  documents: readonly CompiledDocument[],
  subject: Subject,
  keys: CallerKeys,
  model: string,
  reuse?: Evaluation,
): Evaluation {
  const evaluation = reuse === undefined ? new Evaluation(subject, model) : reuse.reset(subject, model);
  const operationIndex = subject.operationIndex;
  const operationBit = 1 << operationIndex;
  const anyBit = 1 << (OPERATION_COUNT + operationIndex);
  const { hashes, kinds, names, count } = keys;
  for (let d = 0; d < documents.length; d++) {
    const document = documents[d]!;
    if (document.version > evaluation.maxVersion) evaluation.maxVersion = document.version;
    const flags = document.flags;
    if ((flags & operationBit) === 0) continue;
    if ((flags & anyBit) !== 0) evaluation.visitAll(document.anyRulesFor(operationIndex));
    for (let i = 0; i < count; i++) {
      const key = ruleKey(hashes[i]!, operationIndex);
      const entry = document.rulesForKey(key, keyHash(key));
      if (entry !== undefined) evaluation.visitNamed(entry, kinds[i]!, names[i]!);
    }
  }
  return evaluation;
}

/** A limiter's answer that takes the first bucket: how rate limits count where they are ignored. */
export const FIRST_BUCKET_TAKES: RateLimitOutcome = Object.freeze({ granted: 0, retryAt: 0, retryBucket: 0 });

/** Steps 2 to 5. `limits` is the limiter's outcome for `evaluation.buckets()` (when needed). */
export function conclude(evaluation: Evaluation, limits: RateLimitOutcome | null): Decision {
  const { deny, allow, shadow } = evaluation;
  if (deny !== null) return decided(false, 'denied_by_rule', deny, null, shadow);
  if (allow !== null) return decided(true, 'allowed', allow, null, shadow);
  const limited = evaluation.limited;
  if (limited !== null && limits !== null) {
    if (limits.granted >= 0) return decided(true, 'allowed', limited[limits.granted]!, null, shadow);
    return decided(false, 'rate_limited', limited[limits.retryBucket]!, limits.retryAt, shadow);
  }
  if (evaluation.failed !== null) return decided(false, evaluation.failure!, evaluation.failed, null, shadow);
  return {
    allow: false,
    reason: 'no_matching_rule',
    ruleId: null,
    documentModel: null,
    policyVersion: evaluation.maxVersion,
    retryAt: null,
    detail: null,
    shadow,
  };
}

function decided(
  allow: boolean,
  reason: DecisionReason,
  rule: CompiledRule,
  retryAt: number | null,
  shadow: ShadowDecision | null,
): Decision {
  return {
    allow,
    reason,
    ruleId: rule.id,
    documentModel: rule.documentModel,
    policyVersion: rule.version,
    retryAt,
    detail: null,
    shadow,
  };
}

/** The outcome of `documents` with rate limits ignored: never consumes, never `rate_limited`. */
export function outcomeIgnoringLimits(
  documents: readonly CompiledDocument[],
  subject: Subject,
  keys: CallerKeys,
  model: string,
): Decision {
  const evaluation = evaluate(documents, subject, keys, model);
  return conclude(evaluation, FIRST_BUCKET_TAKES);
}
