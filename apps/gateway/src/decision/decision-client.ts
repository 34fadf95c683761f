import { credentials, loadPackageDefinition, Metadata, type ServiceError } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { DECISION_WIRE_REASONS, type DecisionWireReason } from '@modelgate/contracts';
import { DECISION_PROTO_LOADER_OPTIONS, DECISION_PROTO_PATH } from '@modelgate/contracts/grpc';

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

type Callback<T> = (error: ServiceError | null, value?: T) => void;
interface GrpcDecisionService {
  Check(
    request: unknown,
    metadata: Metadata,
    options: { deadline: number },
    callback: Callback<WireCheck>,
  ): void;
  ListVisibleModels(
    request: unknown,
    metadata: Metadata,
    options: { deadline: number },
    callback: Callback<{ decision_id?: unknown; models?: unknown }>,
  ): void;
  close(): void;
  waitForReady(deadline: number, callback: (error?: Error) => void): void;
}

const REASONS = new Set<string>(DECISION_WIRE_REASONS);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The gateway's side of `modelgate.decision.v1.DecisionService`: every call has a deadline,
 * and every answer is checked field by field, because a gateway that acted on a garbled
 * answer would fail open.
 */
export class DecisionClient {
  private readonly grpc: GrpcDecisionService;

  constructor(
    target: string,
    private readonly deadlineMs: number,
  ) {
    const definition = loadSync(DECISION_PROTO_PATH, { ...DECISION_PROTO_LOADER_OPTIONS });
    const pkg = loadPackageDefinition(definition) as unknown as {
      modelgate: {
        decision: {
          v1: {
            DecisionService: new (
              url: string,
              creds: ReturnType<typeof credentials.createInsecure>,
              options: Record<string, unknown>,
            ) => GrpcDecisionService;
          };
        };
      };
    };
    this.grpc = new pkg.modelgate.decision.v1.DecisionService(target, credentials.createInsecure(), {
      // Re-resolve and reconnect quickly after the decision service restarts.
      'grpc.initial_reconnect_backoff_ms': 100,
      'grpc.max_reconnect_backoff_ms': 2_000,
      'grpc.keepalive_time_ms': 30_000,
      // A check is bound by its deadline and answered 503 when late: never retried.
      'grpc.enable_retries': 0,
    });
  }

  check(input: CheckInput, ctx: CallContext): Promise<CheckResult> {
    return new Promise((resolve, reject) => {
      this.grpc.Check(
        wireRequest(input),
        metadataOf(ctx),
        { deadline: Date.now() + this.deadlineMs },
        (error, answer) => {
          if (error) return reject(new DecisionUnavailableError(`${error.code}: ${error.details}`));
          try {
            resolve(readCheck(answer));
          } catch (e) {
            reject(e instanceof Error ? e : new DecisionUnavailableError(String(e)));
          }
        },
      );
    });
  }

  /** Which of `models` the principal may act on with `operation` (a listing: not counted, not rate-limited). */
  visibleModels(
    principal: DecisionPrincipal,
    models: readonly string[],
    operation: string,
    ip: string | null,
    ctx: CallContext,
  ): Promise<{ decisionId: string; models: string[] }> {
    return new Promise((resolve, reject) => {
      this.grpc.ListVisibleModels(
        { principal: wirePrincipal(principal), operation, context: { ip: ip ?? '' }, models: [...models] },
        metadataOf(ctx),
        { deadline: Date.now() + this.deadlineMs },
        (error, answer) => {
          if (error) return reject(new DecisionUnavailableError(`${error.code}: ${error.details}`));
          const asked = new Set(models);
          const listed = answer?.models;
          if (
            typeof answer?.decision_id !== 'string' ||
            !Array.isArray(listed) ||
            !listed.every((m): m is string => typeof m === 'string' && asked.has(m))
          ) {
            return reject(new DecisionUnavailableError('malformed ListVisibleModels answer'));
          }
          resolve({ decisionId: answer.decision_id, models: listed });
        },
      );
    });
  }

  /** Resolves when the channel is connected (readiness). */
  ready(timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) =>
      this.grpc.waitForReady(Date.now() + timeoutMs, (error) =>
        error ? reject(error instanceof Error ? error : new Error(String(error))) : resolve(),
      ),
    );
  }

  close(): void {
    this.grpc.close();
  }
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

function metadataOf(ctx: CallContext): Metadata {
  const metadata = new Metadata();
  metadata.set('x-request-id', ctx.requestId);
  if (ctx.traceparent !== undefined) metadata.set('traceparent', ctx.traceparent);
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
