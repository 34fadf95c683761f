// The application layer both transports call: one check, a batch, visible models, explain.
// It gates the evaluator (policy loaded and fresh, principal not disabled by identity), lets
// @modelgate/acl decide, records every check and answers in the wire shape. A malformed
// request is a DecisionError('invalid_request') naming the field; a check whose record cannot
// be kept is denied (record_unavailable).
import { randomUUID } from 'node:crypto';
import {
  PolicyIndex,
  check,
  checkAsync,
  explain,
  visibleModels,
  type CheckRequest,
  type Decision,
  type DecisionReason,
  type RateLimiter,
} from '@modelgate/acl';
import type {
  CheckAnswerV1,
  DecisionRecordV1,
  DecisionWireReason,
  EvaluatorReason,
  ExplainAnswerV1,
  VisibleModelsAnswerV1,
} from '@modelgate/contracts';
import { traceIdOf } from '@modelgate/telemetry';
import type { IdentityStore } from '../identity/identity-store';
import type { Metrics } from '../metrics/metrics';
import type { FeedStatus } from '../policy/policy-feed';
import type { PolicyStore } from '../policy/policy-store';
import type { DecisionRateLimiter } from '../rate-limit/rate-limiter';
import { DecisionError } from './decision.error';
import { checkAnswer, rulesWire, serviceDenial } from './decision-wire';

// The evaluator's reasons are written twice, because neither library may import the other
// (the lint boundaries keep acl, the domain, and contracts, the wire, apart): acl's
// DECISION_REASONS and contracts' EVALUATOR_REASONS. This app sees both and holds them equal:
// a reason added to or dropped from one list alone is a compile error here.
type SameSet<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const _evaluatorReasonsAgree: SameSet<DecisionReason, EvaluatorReason> = true;
void _evaluatorReasonsAgree;

/** Who called and when the call arrived (transport metadata, not request fields). */
export interface CallMeta {
  readonly requestId: string | null;
  readonly traceparent: string | null;
  /** process.hrtime.bigint() when the transport received the call. */
  readonly receivedAt: bigint;
}

export interface FeedStatusPort {
  status(): FeedStatus;
}

export interface RecordPort {
  accept(record: DecisionRecordV1): boolean;
}

export const MAX_BATCH = 1_000;
export const MAX_VISIBLE_MODELS = 10_000;

const EMPTY_INDEX = new PolicyIndex();
const NO_LIMITS: RateLimiter = {
  tryAcquire: () => ({ granted: 0, retryAt: 0, retryBucket: 0 }),
  peek: () => ({ granted: 0, retryAt: 0, retryBucket: 0 }),
};

type Json = Record<string, unknown>;
const isRecord = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** A request id or trace context a check names itself: printable ASCII, as a header value would be. */
const CHECK_META_VALUE = /^[\x20-\x7e]{1,256}$/;

/**
 * The call's meta, with the request id and trace context the check names for itself (a batch
 * names them per item: one call's metadata names one request only).
 */
function checkMeta(input: unknown, meta: CallMeta, path: string): CallMeta {
  if (!isRecord(input)) return meta;
  const own = (field: 'request_id' | 'traceparent'): string | null => {
    const value = input[field];
    if (value === undefined || value === null) return null;
    if (typeof value !== 'string' || !CHECK_META_VALUE.test(value))
      throw new DecisionError(
        'invalid_request',
        `${path}${field}: expected 1 to 256 printable ASCII characters`,
      );
    return value;
  };
  const requestId = own('request_id');
  const traceparent = own('traceparent');
  if (requestId === null && traceparent === null) return meta;
  return {
    requestId: requestId ?? meta.requestId,
    traceparent: traceparent ?? meta.traceparent,
    receivedAt: meta.receivedAt,
  };
}

export class DecisionService {
  private readonly countChecks: (labels: { allow: string; reason: string }) => void;

  constructor(
    private readonly policy: PolicyStore,
    private readonly identity: IdentityStore,
    private readonly feed: FeedStatusPort,
    private readonly limiter: DecisionRateLimiter,
    private readonly recorder: RecordPort,
    private readonly replica: string,
    metrics: Metrics,
    private readonly now: () => number = Date.now,
  ) {
    this.countChecks = metrics.counter(
      'modelgate_decision_checks_total',
      'Checks answered, by allow and reason.',
    );
  }

  async check(input: unknown, meta: CallMeta): Promise<CheckAnswerV1> {
    const request = this.request(input, '');
    const own = checkMeta(input, meta, '');
    const gate = this.gate(request, '');
    return this.finish(request, gate ?? (await this.evaluate(request)), own);
  }

  async checkBatch(input: unknown, meta: CallMeta): Promise<CheckAnswerV1[]> {
    if (!isRecord(input) || !Array.isArray(input['checks']))
      throw new DecisionError('invalid_request', 'checks: expected an array of check requests');
    const items = input['checks'] as unknown[];
    if (items.length > MAX_BATCH)
      throw new DecisionError(
        'invalid_request',
        `checks: at most ${MAX_BATCH} per batch, got ${items.length}`,
      );
    // Every item is validated before any is decided: a bad item spends no rate-limit token.
    const requests = items.map((item, i) => this.request(item, `checks[${i}].`));
    const metas = items.map((item, i) => checkMeta(item, meta, `checks[${i}].`));
    requests.forEach((request, i) => this.validate(request, `checks[${i}].`));
    const gates = requests.map((request, i) => this.gate(request, `checks[${i}].`));
    // Evaluated together (a shared limiter's calls overlap, in order on its connection), then
    // answered and recorded in order.
    const outcomes = await Promise.all(
      requests.map(async (request, i) => gates[i] ?? this.evaluate(request)),
    );
    return requests.map((request, i) => this.finish(request, outcomes[i]!, metas[i]!));
  }

  visibleModels(input: unknown, _meta: CallMeta): VisibleModelsAnswerV1 {
    if (!isRecord(input)) throw new DecisionError('invalid_request', 'request: expected an object');
    const models = input['models'];
    if (!Array.isArray(models) || models.some((m) => typeof m !== 'string'))
      throw new DecisionError('invalid_request', 'models: expected an array of model names');
    if (models.length > MAX_VISIBLE_MODELS)
      throw new DecisionError(
        'invalid_request',
        `models: at most ${MAX_VISIBLE_MODELS}, got ${models.length}`,
      );
    const operation =
      input['operation'] === undefined || input['operation'] === '' ? 'view' : input['operation'];
    const request = this.request(
      { principal: input['principal'], model: 'probe', operation, context: input['context'] },
      '',
    );
    this.validate(request, '');
    this.requireReady();
    const decisionId = randomUUID();
    if (this.identity.denial(request.principal) !== null) return { decision_id: decisionId, models: [] };
    const visible = visibleModels(this.policy.index, {
      principal: request.principal,
      operation: request.operation,
      context: request.context,
      models: models as string[],
    });
    return { decision_id: decisionId, models: visible };
  }

  explain(input: unknown, _meta: CallMeta): ExplainAnswerV1 {
    const request = this.request(input, '');
    this.validate(request, '');
    this.requireReady();
    const whatIf = isRecord(input) && isRecord(input['what_if']) ? input['what_if'] : undefined;
    const options = {
      ...(whatIf
        ? {
            whatIf: {
              ...(whatIf['time'] ? { time: whatIf['time'] as string } : {}),
              ...(whatIf['ip'] !== undefined ? { ip: whatIf['ip'] as string | null } : {}),
            },
          }
        : {}),
      ...(this.limiter.synchronous ? { rateLimiter: this.limiter.synchronous } : {}),
    };
    const explanation = explain(this.policy.index, request, options);
    if (explanation.decision.reason === 'invalid_request')
      throw new DecisionError(
        'invalid_request',
        `what_if.${explanation.decision.detail ?? 'request'}`.replace('what_if.context.', 'what_if.'),
      );
    const decisionId = randomUUID();
    const denial = this.identity.denial(request.principal);
    return {
      decision_id: decisionId,
      decision:
        denial === null ? checkAnswer(decisionId, explanation.decision) : serviceDenial(decisionId, denial),
      time: explanation.time === null ? null : new Date(explanation.time).toISOString(),
      ip: explanation.ip,
      rules: rulesWire(explanation),
    };
  }

  /** The request as acl reads it; the time defaults to now, an empty address to none. */
  private request(input: unknown, path: string): CheckRequest {
    if (!isRecord(input))
      throw new DecisionError(
        'invalid_request',
        `${path ? path.slice(0, -1) : 'request'}: expected an object`,
      );
    const context = input['context'] === undefined || input['context'] === null ? {} : input['context'];
    if (!isRecord(context)) throw new DecisionError('invalid_request', `${path}context: expected an object`);
    const time =
      context['time'] === undefined || context['time'] === null || context['time'] === ''
        ? this.now()
        : context['time'];
    const ip = context['ip'] === '' ? null : context['ip'];
    return {
      principal: input['principal'],
      model: input['model'],
      operation: input['operation'],
      context: { ip, time },
    } as CheckRequest;
  }

  /** Throws when the request is malformed (checked against an empty index: no token spent). */
  private validate(request: CheckRequest, path: string): void {
    const probe = check(EMPTY_INDEX, request, NO_LIMITS);
    if (probe.reason === 'invalid_request')
      throw new DecisionError('invalid_request', `${path}${probe.detail ?? 'request is malformed'}`);
  }

  /** A denial decided before evaluation (not ready, identity), after validating the request. */
  private gate(request: CheckRequest, path: string): DecisionWireReason | null {
    const status = this.feed.status();
    const principal = request.principal as unknown;
    const denial =
      status !== 'ready'
        ? status === 'loading'
          ? 'policy_not_loaded'
          : 'policy_stale'
        : isRecord(principal) && typeof principal['id'] === 'string' && typeof principal['type'] === 'string'
          ? this.identity.denial(request.principal)
          : null;
    // Validation comes first either way: a malformed request is a 400 even while not ready.
    if (denial !== null) this.validate(request, path);
    return denial;
  }

  private requireReady(): void {
    const status = this.feed.status();
    if (status === 'loading') throw new DecisionError('policy_not_loaded', 'the policy is still loading');
    if (status === 'stale') throw new DecisionError('policy_stale', 'the policy feed has stalled');
  }

  private evaluate(request: CheckRequest): Decision | Promise<Decision> {
    const sync = this.limiter.synchronous;
    return sync !== null
      ? check(this.policy.index, request, sync)
      : checkAsync(this.policy.index, request, this.limiter);
  }

  private finish(
    request: CheckRequest,
    outcome: Decision | DecisionWireReason,
    meta: CallMeta,
  ): CheckAnswerV1 {
    const decisionId = randomUUID();
    let answer =
      typeof outcome === 'string' ? serviceDenial(decisionId, outcome) : checkAnswer(decisionId, outcome);
    const detail = typeof outcome === 'string' ? null : outcome.detail;
    const latencyUs = Number((process.hrtime.bigint() - meta.receivedAt) / 1000n);
    if (!this.recorder.accept(this.record(request, answer, detail, meta, latencyUs)))
      answer = serviceDenial(decisionId, 'record_unavailable');
    this.countChecks({ allow: String(answer.allow), reason: answer.reason });
    if (answer.reason === 'invalid_request')
      throw new DecisionError('invalid_request', detail ?? 'request is malformed');
    return answer;
  }

  private record(
    request: CheckRequest,
    answer: CheckAnswerV1,
    detail: string | null,
    meta: CallMeta,
    latencyUs: number,
  ): DecisionRecordV1 {
    const p = (isRecord(request.principal) ? request.principal : {}) as Json;
    const text = (value: unknown, max = 1024): string =>
      typeof value === 'string' ? value.slice(0, max) : '';
    const names = (value: unknown): string[] =>
      Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string').slice(0, 256) : [];
    const ip = request.context?.ip;
    return {
      schema: 1,
      decision_id: answer.decision_id,
      time: new Date(this.now()).toISOString(),
      request_id: meta.requestId,
      trace_id: traceIdOf(meta.traceparent),
      principal: {
        id: text(p['id']),
        type: text(p['type'], 64),
        roles: names(p['roles']),
        groups: names(p['groups']),
      },
      model: text(request.model, 256),
      operation: text(request.operation, 64),
      source_ip: typeof ip === 'string' ? ip.slice(0, 64) : null,
      allow: answer.allow,
      reason: answer.reason,
      rule_id: answer.rule_id,
      policy_version: answer.policy_version,
      shadow: answer.shadow,
      detail,
      latency_us: Math.max(0, latencyUs),
      replica: this.replica,
    };
  }
}
