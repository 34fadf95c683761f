// Every request through the gateway passes here: who is calling, is the model named well,
// does the API key's own scope admit it, and what does the decision service say. The answer
// is an allow with its decision id, or a refusal shaped as ARCHITECTURE.md says
// (401/400/403/404/429/503), recorded in the audit stream when the decision service did not
// record it itself. Nothing here knows HTTP: the routes turn outcomes into replies.
import { AuthenticationError, PUBLIC_AUTH_FAILURE_MESSAGE, type Principal } from '@modelgate/auth';
import type { DecisionWireReason } from '@modelgate/contracts';
import type { Logger } from '@modelgate/telemetry';
import {
  DecisionUnavailableError,
  type CallContext,
  type CheckResult,
  type DecisionPrincipal,
} from '../decision/decision-client';
import { decisionPrincipalOf, keyScopeExcludes } from '../principal/decision-principal';
import { IdentityUnavailableError } from '../principal/identity-client';
import type { Refusal } from '../records/refusal-recorder';
import type { ModelResolution } from '../routes/openai-routes';

export interface Decider {
  check(
    input: { principal: DecisionPrincipal; model: string; operation: string; ip: string | null },
    ctx: CallContext,
  ): Promise<CheckResult>;
  visibleModels(
    principal: DecisionPrincipal,
    models: readonly string[],
    operation: string,
    ip: string | null,
    ctx: CallContext,
  ): Promise<{ decisionId: string; models: string[] }>;
}

export interface Authenticator {
  resolve(authorization: string | string[] | undefined): Promise<Principal>;
}

export interface RefusalSink {
  record(refusal: Refusal): string;
}

/** What a request is, as far as access is concerned. */
export interface AccessRequest extends CallContext {
  readonly operation: string;
  readonly ip: string | null;
  /** process.hrtime.bigint() when the request arrived. */
  readonly startedAt: bigint;
}

export interface Refused {
  readonly allowed: false;
  readonly status: 400 | 401 | 403 | 404 | 429 | 503;
  readonly code: string;
  readonly message: string;
  readonly decisionId: string;
  readonly retryAfterSec?: number;
}

export interface Allowed {
  readonly allowed: true;
  readonly decisionId: string;
  readonly model: string;
}

export type Authenticated =
  { readonly ok: true; readonly principal: Principal } | { readonly ok: false; readonly refused: Refused };

/** One wording for a model that does not exist and one the caller may not see: they must not differ. */
export function modelNotFound(model: string, decisionId: string): Refused {
  return {
    allowed: false,
    status: 404,
    code: 'model_not_found',
    message: `The model '${model}' does not exist or you do not have access to it.`,
    decisionId,
  };
}

export class AccessGate {
  constructor(
    private readonly principals: Authenticator,
    private readonly decider: Decider,
    private readonly refusals: RefusalSink,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  /** The caller, or a 401 (bad credential) / 503 (identity unreachable) refusal, recorded. */
  async authenticate(
    authorization: string | string[] | undefined,
    req: AccessRequest,
    model: string,
  ): Promise<Authenticated> {
    try {
      return { ok: true, principal: await this.principals.resolve(authorization) };
    } catch (error) {
      if (error instanceof AuthenticationError) {
        this.logger.info({ reason: error.reason, request_id: req.requestId }, 'credential refused');
        const decisionId = this.refuse(
          req,
          null,
          model,
          'unauthenticated',
          `credential refused: ${error.reason}`,
        );
        return {
          ok: false,
          refused: {
            allowed: false,
            status: 401,
            code: 'invalid_api_key',
            message: PUBLIC_AUTH_FAILURE_MESSAGE,
            decisionId,
          },
        };
      }
      const detail =
        error instanceof IdentityUnavailableError
          ? error.message
          : `identity lookup failed: ${String(error)}`;
      this.logger.warn(
        { err: error, request_id: req.requestId },
        'identity unavailable; refusing (fail closed)',
      );
      const decisionId = this.refuse(req, null, model, 'decision_unavailable', detail);
      return {
        ok: false,
        refused: {
          allowed: false,
          status: 503,
          code: 'identity_unavailable',
          message: 'The caller could not be authenticated right now; the request was not forwarded.',
          decisionId,
        },
      };
    }
  }

  /** May this principal perform the request's operation on the model it names? */
  async authorize(
    principal: Principal,
    resolution: ModelResolution,
    req: AccessRequest,
  ): Promise<Allowed | Refused> {
    const subject = decisionPrincipalOf(principal);
    if (!resolution.ok) {
      const detail = `${resolution.field}: ${resolution.problem}`;
      const decisionId = this.refuse(req, subject, resolution.model ?? '', 'invalid_request', detail);
      return { allowed: false, status: 400, code: 'invalid_request', message: detail, decisionId };
    }
    const { model } = resolution;
    const scope = keyScopeExcludes(principal, model, req.operation);
    if (scope !== null) {
      const decisionId = this.refuse(
        req,
        subject,
        model,
        'key_scope',
        `the API key's scope excludes this ${scope}`,
      );
      return scope === 'model'
        ? modelNotFound(model, decisionId)
        : {
            allowed: false,
            status: 403,
            code: 'key_scope',
            message: `This API key may not ${req.operation} models.`,
            decisionId,
          };
    }
    let decision: CheckResult;
    try {
      decision = await this.decider.check(
        { principal: subject, model, operation: req.operation, ip: req.ip },
        req,
      );
    } catch (error) {
      return this.unavailable(error, req, subject, model);
    }
    if (decision.allow) return { allowed: true, decisionId: decision.decisionId, model };
    if (decision.reason === 'rate_limited') {
      const retryAfterSec =
        decision.retryAt === null ? 1 : Math.max(1, Math.ceil((decision.retryAt - this.now()) / 1000));
      return {
        allowed: false,
        status: 429,
        code: 'rate_limited',
        message: `Rate limit reached for '${model}'; retry after ${retryAfterSec} s.`,
        decisionId: decision.decisionId,
        retryAfterSec,
      };
    }
    // A denied caller learns that the model exists only if it may see it; otherwise the
    // answer is the one a missing model gets.
    if (req.operation === 'view' || !(await this.mayView(subject, model, req))) {
      return modelNotFound(model, decision.decisionId);
    }
    return {
      allowed: false,
      status: 403,
      code: decision.reason,
      message: `Access to '${model}' for ${req.operation} is denied (${decision.reason}).`,
      decisionId: decision.decisionId,
    };
  }

  /** A request the gateway cannot read (not a JSON object, ...): 400, recorded. */
  refuseBadRequest(req: AccessRequest, principal: Principal, detail: string): Refused {
    const decisionId = this.refuse(req, decisionPrincipalOf(principal), '', 'invalid_request', detail);
    return { allowed: false, status: 400, code: 'invalid_request', message: detail, decisionId };
  }

  /** Records a decision that could not be had (a listing the decision service did not answer). */
  recordUnavailable(req: AccessRequest, principal: Principal, model: string, detail: string): string {
    return this.refuse(req, decisionPrincipalOf(principal), model, 'decision_unavailable', detail);
  }

  private async mayView(subject: DecisionPrincipal, model: string, req: AccessRequest): Promise<boolean> {
    try {
      const { models } = await this.decider.visibleModels(subject, [model], 'view', req.ip, req);
      return models.includes(model);
    } catch {
      return false; // unknown: answer as for an invisible model, which reveals nothing
    }
  }

  private unavailable(
    error: unknown,
    req: AccessRequest,
    subject: DecisionPrincipal,
    model: string,
  ): Refused {
    const detail =
      error instanceof DecisionUnavailableError ? error.message : `decision failed: ${String(error)}`;
    this.logger.warn({ err: error, request_id: req.requestId, model }, 'no decision; refusing (fail closed)');
    return {
      allowed: false,
      status: 503,
      code: 'decision_unavailable',
      message: 'The access decision is unavailable; the request was not forwarded.',
      decisionId: this.refuse(req, subject, model, 'decision_unavailable', detail),
    };
  }

  private refuse(
    req: AccessRequest,
    principal: DecisionPrincipal | null,
    model: string,
    reason: DecisionWireReason,
    detail: string,
  ): string {
    return this.refusals.record({
      requestId: req.requestId,
      traceparent: req.traceparent,
      principal,
      model,
      operation: req.operation,
      ip: req.ip,
      reason,
      detail,
      startedAt: req.startedAt,
    });
  }
}
