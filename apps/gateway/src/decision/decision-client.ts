import { DECISION_WIRE_REASONS, type DecisionWireReason } from '@modelgate/contracts';
import {
  DECISION_GRPC_METHODS,
  DECISION_GRPC_PACKAGE,
  DECISION_GRPC_SERVICE,
  DECISION_PROTO_LOADER_OPTIONS,
  DECISION_PROTO_PATH,
} from '@modelgate/contracts/grpc';
import {
  GrpcStatusError,
  GrpcUnaryChannel,
  loadUnaryMethods,
  type ProtoMethod,
  type UnaryMethod,
} from '@modelgate/grpc-unary';

/** The principal as the decision API takes it. */
export interface DecisionPrincipal {
  readonly id: string;
  readonly type: 'user' | 'api_key' | 'service_account';
  readonly roles: readonly string[];
  readonly groups: readonly string[];
}

export interface CheckInput {
  readonly principal: DecisionPrincipal;
  readonly model: string;
  readonly operation: string;
  readonly ip: string | null;
}

export interface CallContext {
  readonly requestId: string;
  readonly traceparent?: string | undefined;
}

export interface CheckResult {
  readonly decisionId: string;
  readonly allow: boolean;
  readonly reason: DecisionWireReason;
  readonly ruleId: string | null;
  readonly policyVersion: number;
  /** Epoch ms when a rate-limited request would be taken, or null. */
  readonly retryAt: number | null;
}

/** No usable decision: late, unreachable or unreadable. The gateway answers 503 and forwards nothing. */
export class DecisionUnavailableError extends Error {
  constructor(detail: string) {
    super(`decision unavailable: ${detail}`);
    this.name = 'DecisionUnavailableError';
  }
}

interface WireCheck {
  decision_id?: unknown;
  allow?: unknown;
  reason?: unknown;
  rule_id?: unknown;
  policy_version?: unknown;
  retry_at?: unknown;
}

const REASONS = new Set<string>(DECISION_WIRE_REASONS);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The gateway's side of `modelgate.decision.v1.DecisionService`: every call has a deadline,
 * and every answer is checked field by field, because a gateway that acted on a garbled
 * answer would fail open.
 */
export class DecisionClient {
  private readonly channel: GrpcUnaryChannel;
  private readonly checkMethod: UnaryMethod<Record<string, unknown>, WireCheck>;
  private readonly listMethod: UnaryMethod<Record<string, unknown>, WireVisibleModels>;

  constructor(
    target: string,
    private readonly deadlineMs: number,
  ) {
    const methods = loadUnaryMethods(
      DECISION_PROTO_PATH,
      DECISION_PROTO_LOADER_OPTIONS,
      `${DECISION_GRPC_PACKAGE}.${DECISION_GRPC_SERVICE}`,
      DECISION_GRPC_METHODS,
    );
    this.checkMethod = unaryMethod(methods.Check);
    this.listMethod = unaryMethod(methods.ListVisibleModels);
    // Reconnects quickly after the decision service restarts; a check is bound by its
    // deadline and answered 503 when late: never retried.
    this.channel = new GrpcUnaryChannel(target, { initialBackoffMs: 100, maxBackoffMs: 2_000 });
  }

  async check(input: CheckInput, ctx: CallContext): Promise<CheckResult> {
    return readCheck(await this.call(this.checkMethod, wireRequest(input), ctx));
  }

  /** Which of `models` the principal may act on with `operation` (a listing: not counted, not rate-limited). */
  async visibleModels(
    principal: DecisionPrincipal,
    models: readonly string[],
    operation: string,
    ip: string | null,
    ctx: CallContext,
  ): Promise<{ decisionId: string; models: string[] }> {
    const answer = await this.call(
      this.listMethod,
      { principal: wirePrincipal(principal), operation, context: { ip: ip ?? '' }, models: [...models] },
      ctx,
    );
    const asked = new Set(models);
    const listed = answer?.models;
    if (
      typeof answer?.decision_id !== 'string' ||
      !Array.isArray(listed) ||
      !listed.every((m): m is string => typeof m === 'string' && asked.has(m))
    ) {
      throw new DecisionUnavailableError('malformed ListVisibleModels answer');
    }
    return { decisionId: answer.decision_id, models: listed };
  }

  /** Resolves when the channel is connected (readiness). */
  ready(timeoutMs: number): Promise<void> {
    return this.channel.ready(timeoutMs);
  }

  close(): void {
    this.channel.close();
  }

  private async call<Res>(
    method: UnaryMethod<Record<string, unknown>, Res>,
    request: Record<string, unknown>,
    ctx: CallContext,
  ): Promise<Res> {
    try {
      return await this.channel.call(method, request, metadataOf(ctx), this.deadlineMs);
    } catch (error) {
      // `<code>: <details>`, e.g. `4: Deadline exceeded after 250 ms`.
      throw new DecisionUnavailableError(error instanceof GrpcStatusError ? error.message : String(error));
    }
  }
}

interface WireVisibleModels {
  decision_id?: unknown;
  models?: unknown;
}

function unaryMethod<Res>(m: ProtoMethod): UnaryMethod<Record<string, unknown>, Res> {
  return {
    path: m.path,
    serialize: (request) => m.requestSerialize(request),
    deserialize: (bytes) => m.responseDeserialize(bytes) as Res,
  };
}

function wirePrincipal(p: DecisionPrincipal): Record<string, unknown> {
  return { id: p.id, type: p.type, roles: [...p.roles], groups: [...p.groups] };
}

function wireRequest(input: CheckInput): Record<string, unknown> {
  return {
    principal: wirePrincipal(input.principal),
    model: input.model,
    operation: input.operation,
    context: { ip: input.ip ?? '' },
  };
}

/** W3C trace context: anything else a client sent is not passed on (it could not be a header anyway). */
const TRACEPARENT = /^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;

export function metadataOf(ctx: CallContext): Record<string, string> {
  const metadata: Record<string, string> = { 'x-request-id': ctx.requestId };
  if (ctx.traceparent !== undefined && TRACEPARENT.test(ctx.traceparent)) {
    metadata['traceparent'] = ctx.traceparent;
  }
  return metadata;
}

/** The answer, or DecisionUnavailableError naming the first field that is not what the contract says. */
export function readCheck(answer: WireCheck | undefined): CheckResult {
  const bad = (field: string): never => {
    throw new DecisionUnavailableError(`malformed Check answer: ${field}`);
  };
  if (answer === undefined || answer === null) return bad('(empty)');
  const { decision_id, allow, reason, rule_id, policy_version, retry_at } = answer;
  if (typeof decision_id !== 'string' || !UUID.test(decision_id)) return bad('decision_id');
  if (typeof allow !== 'boolean') return bad('allow');
  if (typeof reason !== 'string' || !REASONS.has(reason)) return bad('reason');
  // An allow must say so in both fields: a reason other than `allowed` with allow=true is a contradiction.
  if (allow !== (reason === 'allowed')) return bad('allow/reason disagree');
  if (rule_id !== undefined && rule_id !== null && typeof rule_id !== 'string') return bad('rule_id');
  const version = policy_version ?? 0;
  if (typeof version !== 'number' || !Number.isSafeInteger(version) || version < 0)
    return bad('policy_version');
  let retryAt: number | null = null;
  if (retry_at !== undefined && retry_at !== null && retry_at !== '') {
    retryAt = typeof retry_at === 'string' ? Date.parse(retry_at) : NaN;
    if (!Number.isFinite(retryAt)) return bad('retry_at');
  }
  return {
    decisionId: decision_id,
    allow,
    reason: reason as DecisionWireReason,
    ruleId: typeof rule_id === 'string' && rule_id !== '' ? rule_id : null,
    policyVersion: version,
    retryAt,
  };
}
