import { DECISION_WIRE_REASONS, type DecisionWireReason } from '@modelgate/contracts';
import { DECISION_GRPC_CONTRACT } from '@modelgate/contracts/grpc';
import {
  GrpcCode,
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

interface WireCheckBatch {
  decisions?: unknown;
}

/** A check waiting for the end of the event loop's turn, when the turn's checks are sent. */
interface QueuedCheck {
  readonly request: Record<string, unknown>;
  readonly ctx: CallContext;
  resolve(result: CheckResult): void;
  reject(error: unknown): void;
}

/** The most checks sent in one CheckBatch call. */
const MAX_COALESCED = 64;

const REASONS = new Set<string>(DECISION_WIRE_REASONS);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The gateway's side of `modelgate.decision.v1.DecisionService`: every call has a deadline,
 * and every answer is checked field by field, because a gateway that acted on a garbled
 * answer would fail open.
 *
 * Checks asked for in the same turn of the event loop go together, as one CheckBatch call
 * with each check's own request id and trace context: under load, several requests finish
 * reading their bodies in one turn, and each gRPC call costs both ends far more than one
 * more item of a batch (and its HTTP/2 stream outlives scavenges, bench/gateway/README.md). A
 * check alone in its turn is a Check call, as before.
 */
export class DecisionClient {
  private readonly channel: GrpcUnaryChannel;
  private readonly checkMethod: UnaryMethod<Record<string, unknown>, WireCheck>;
  private readonly batchMethod: UnaryMethod<Record<string, unknown>, WireCheckBatch>;
  private readonly listMethod: UnaryMethod<Record<string, unknown>, WireVisibleModels>;
  /** The checks asked for in this turn of the event loop, sent at its end by `flush`. */
  private queued: QueuedCheck[] = [];

  constructor(
    target: string,
    private readonly deadlineMs: number,
  ) {
    const methods = loadUnaryMethods(DECISION_GRPC_CONTRACT);
    this.checkMethod = unaryMethod(methods.Check);
    this.batchMethod = unaryMethod(methods.CheckBatch);
    this.listMethod = unaryMethod(methods.ListVisibleModels);
    // Reconnects quickly after the decision service restarts; a check is bound by its
    // deadline and answered 503 when late: never retried.
    this.channel = new GrpcUnaryChannel(target, { initialBackoffMs: 100, maxBackoffMs: 2_000 });
  }

  check(input: CheckInput, ctx: CallContext): Promise<CheckResult> {
    return new Promise((resolve, reject) => {
      this.queued.push({ request: wireRequest(input), ctx, resolve, reject });
      if (this.queued.length === 1) setImmediate(this.flush);
    });
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

  /** Sends the turn's checks: one alone as Check, more as CheckBatch. */
  private readonly flush = (): void => {
    const turn = this.queued;
    this.queued = [];
    for (let at = 0; at < turn.length; at += MAX_COALESCED) {
      const batch = turn.slice(at, at + MAX_COALESCED);
      if (batch.length === 1) this.checkAlone(batch[0]!);
      else this.checkTogether(batch);
    }
  };

  private checkAlone(q: QueuedCheck): void {
    this.call(this.checkMethod, q.request, q.ctx)
      .then((answer) => readCheck(answer))
      .then(
        (result) => q.resolve(result),
        (error: unknown) => q.reject(error),
      );
  }

  private checkTogether(batch: readonly QueuedCheck[]): void {
    const checks = batch.map(({ request, ctx }) => {
      const metadata = metadataOf(ctx);
      return { ...request, request_id: metadata['x-request-id'], traceparent: metadata['traceparent'] };
    });
    this.channel.call(this.batchMethod, { checks }, {}, this.deadlineMs).then(
      (answer) => {
        const decisions = answer?.decisions;
        if (!Array.isArray(decisions) || decisions.length !== batch.length) {
          const error = new DecisionUnavailableError(
            `malformed CheckBatch answer: ${Array.isArray(decisions) ? decisions.length : 'no'} decisions for ${batch.length} checks`,
          );
          for (const q of batch) q.reject(error);
          return;
        }
        batch.forEach((q, i) => {
          try {
            q.resolve(readCheck(decisions[i] as WireCheck));
          } catch (error) {
            q.reject(error);
          }
        });
      },
      (error: unknown) => {
        // One malformed check fails its whole batch: each is then asked alone, so that only
        // that one fails (each within a deadline of its own).
        if (error instanceof GrpcStatusError && error.code === GrpcCode.INVALID_ARGUMENT) {
          for (const q of batch) this.checkAlone(q);
          return;
        }
        const unavailable = new DecisionUnavailableError(
          error instanceof GrpcStatusError ? error.message : String(error),
        );
        for (const q of batch) q.reject(unavailable);
      },
    );
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
