// The access simulator's call: POST /v1/decisions/explain through the gateway (acl-viewer/acl-admin).
import type { HttpClient } from './http-client';

export interface ExplainRequest {
  readonly principal: { id: string; type: string; roles: string[]; groups: string[] };
  readonly model: string;
  readonly operation: string;
  readonly context: { ip?: string; time?: string };
}

export interface Outcome {
  readonly allow: boolean;
  readonly reason: string;
  readonly rule_id: string | null;
  readonly policy_version: number;
}

export interface CheckAnswer extends Outcome {
  readonly decision_id: string;
  readonly shadow: Outcome | null;
  /** When access would next be allowed (rate limit, time window, validity), if it would. */
  readonly retry_at: string | null;
}

export interface ConditionTrace {
  readonly condition: string;
  readonly holds: boolean | null;
  readonly detail: string;
}

export interface RuleTrace {
  readonly document_model: string;
  readonly mode: string;
  readonly policy_version: number;
  readonly rule_id: string;
  readonly effect: string;
  readonly principal: string;
  readonly operations: readonly string[];
  readonly status: string;
  readonly failure: string | null;
  readonly conditions: readonly ConditionTrace[];
  readonly decisive: boolean;
  readonly shadow_decisive: boolean;
}

export interface ExplainAnswer {
  readonly decision_id: string;
  readonly decision: CheckAnswer;
  readonly time: string | null;
  readonly ip: string | null;
  readonly rules: readonly RuleTrace[];
}

export function decisionsApi(http: HttpClient) {
  return {
    async explain(request: ExplainRequest): Promise<ExplainAnswer> {
      return (await http.json<ExplainAnswer>('/v1/decisions/explain', { method: 'POST', body: request }))
        .body;
    },
  };
}

export type DecisionsApi = ReturnType<typeof decisionsApi>;
