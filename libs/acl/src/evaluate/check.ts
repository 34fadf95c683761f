// The policy decision point's entry: one request, one decision, never an exception. Only
// here are rate-limit tokens taken, and only for the allow that would decide the request.
import { CallerKeys } from '../policy-index/principal-key';
import type { PolicyIndex } from '../policy-index/policy-index';
import type { AsyncRateLimiter, RateLimiter } from '../rate-limit';
import { renderValue } from '../text';
import { EVALUATION_ERROR, invalidRequest, type Decision, type ShadowDecision } from './decision';
import { Evaluation, conclude, evaluate, outcomeIgnoringLimits } from './evaluate';
import { modelProblem, readSubject, type CheckRequest } from './request';

/**
 * Decides `request` against the enforced documents (default deny, deny overrides allow) and
 * reports the shadow documents' outcome beside it. A bad request is an `invalid_request`
 * deny, a failure inside (including the limiter's) an `evaluation_error` deny.
 */
export function check(index: PolicyIndex, request: CheckRequest, rateLimiter: RateLimiter): Decision {
  // Taken for the duration of this call: a limiter that calls `check` again (nothing forbids
  // it) finds none and makes its own. A decision keeps nothing of the evaluation.
  const reuse = spare;
  spare = null;
  let used = reuse;
  try {
    const evaluation = prepare(index, request, reuse ?? undefined);
    if (!(evaluation instanceof Evaluation)) return evaluation;
    used = evaluation;
    const limits = evaluation.needsRateLimit
      ? rateLimiter.tryAcquire(evaluation.buckets(), evaluation.subject.time)
      : null;
    return conclude(evaluation, limits);
  } catch {
    return EVALUATION_ERROR;
  } finally {
    spare = used;
  }
}

/** The evaluation `check` reuses (one per process: checks are synchronous), when not in use. */
let spare: Evaluation | null = null;

/** `check` with a limiter behind the network (the decision service's shared Redis counters). */
export async function checkAsync(
  index: PolicyIndex,
  request: CheckRequest,
  rateLimiter: RateLimiter | AsyncRateLimiter,
): Promise<Decision> {
  try {
    const evaluation = prepare(index, request);
    if (!(evaluation instanceof Evaluation)) return evaluation;
    const limits = evaluation.needsRateLimit
      ? await rateLimiter.tryAcquire(evaluation.buckets(), evaluation.subject.time)
      : null;
    return conclude(evaluation, limits);
  } catch {
    return EVALUATION_ERROR;
  }
}

/**
 * Everything of a check but the rate limiter: a decision already, or the evaluation to finish
 * (`reuse`, reset, when given).
 */
export function prepare(
  index: PolicyIndex,
  request: CheckRequest,
  reuse?: Evaluation,
): Evaluation | Decision {
  if (typeof request !== 'object' || request === null)
    return invalidRequest(`request: expected an object, got ${renderValue(request)}`);
  const { principal, model, operation, context } = request as Partial<CheckRequest>;
  const subject = readSubject(principal, operation, context);
  if (typeof subject === 'string') return invalidRequest(subject);
  // A name the index has answered for was a valid one (it keeps valid names only), so only a
  // name it does not know is checked: most checks skip reading the name a second time.
  let documents = typeof model === 'string' ? index.knownEnforcedFor(model) : undefined;
  if (documents === undefined) {
    const problem = modelProblem(model);
    if (problem !== null) return invalidRequest(problem);
    documents = index.enforcedFor(model!);
  }
  const name = model!;
  const shadowSet = index.shadowSetFor(name);
  const keys = reuse === undefined ? CallerKeys.of(subject) : reuse.keys.fill(subject);
  const evaluation = evaluate(documents, subject, keys, name, reuse);
  // The shadow outcome ignores rate limits: a candidate's counters do not exist until it is
  // enforced, and it must not spend the enforced rules' tokens.
  if (shadowSet !== null) evaluation.shadow = shadowOf(outcomeIgnoringLimits(shadowSet, subject, keys, name));
  return evaluation;
}

function shadowOf(decision: Decision): ShadowDecision {
  const { allow, reason, ruleId, documentModel, policyVersion } = decision;
  return { allow, reason, ruleId, documentModel, policyVersion };
}
