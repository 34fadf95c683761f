// The decision API's answers as both transports write them (REST JSON and gRPC, snake_case,
// RFC 3339 times): what the decision service sends and what the console reads.
import type { DecisionWireReason } from './decision-reasons';

/** One outcome: the enforced one of a check, or its shadow candidate's. */
export interface DecisionOutcomeV1 {
  readonly allow: boolean;
  readonly reason: DecisionWireReason;
  readonly rule_id: string | null;
  readonly policy_version: number;
}

/** `POST /v1/decisions/check` (and gRPC `Check`). */
export interface CheckAnswerV1 extends DecisionOutcomeV1 {
  readonly decision_id: string;
  readonly shadow: DecisionOutcomeV1 | null;
  /** When access would next be allowed (rate limit, time window, validity), if it would. */
  readonly retry_at: string | null;
}

/** `POST /v1/decisions/visible-models` (and gRPC `ListVisibleModels`). */
export interface VisibleModelsAnswerV1 {
  readonly decision_id: string;
  readonly models: string[];
}

/** One condition of a rule, as explain traced it. */
export interface ConditionTraceV1 {
  readonly condition: string;
  /** null: not evaluated (a rate limit with no limiter to ask). */
  readonly holds: boolean | null;
  readonly detail: string;
}

/** One rule explain considered, and why it matched or failed. */
export interface RuleTraceV1 {
  readonly document_model: string;
  readonly mode: string;
  readonly policy_version: number;
  readonly rule_id: string;
  readonly effect: string;
  readonly principal: string;
  readonly operations: readonly string[];
  readonly status: string;
  readonly failure: string | null;
  readonly conditions: readonly ConditionTraceV1[];
  readonly decisive: boolean;
  readonly shadow_decisive: boolean;
}

/** `POST /v1/decisions/explain` (and gRPC `Explain`). */
export interface ExplainAnswerV1 {
  readonly decision_id: string;
  readonly decision: CheckAnswerV1;
  readonly time: string | null;
  readonly ip: string | null;
  readonly rules: readonly RuleTraceV1[];
}
