// @modelgate/acl: the policy language (parse, format), the index, and the decision point
// (check, explain, visible models). Pure TypeScript: no I/O, no framework.
export {
  EFFECTS,
  OPERATIONS,
  POLICY_MODES,
  RULE_PRINCIPAL_TYPES,
  WEEKDAYS,
  type Cidr,
  type Conditions,
  type Effect,
  type Operation,
  type PolicyDocument,
  type PolicyMode,
  type PolicyRule,
  type RateLimitSpec,
  type RulePrincipal,
  type RulePrincipalType,
  type TimeWindow,
  type Weekday,
} from './policy';
export { formatIssue, type ParseResult, type ValidationIssue } from './parse/issues';
export { parsePolicyDocument } from './parse/parse-document';
export { formatPolicyDocument, type PolicyDocumentJson, type PolicyRuleJson } from './parse/format-document';
export { PolicyIndex, type IndexedDocument } from './policy-index/policy-index';
export type { ConditionFailure } from './policy-index/compiled-rule';
export {
  PRINCIPAL_TYPES,
  type CheckRequest,
  type Principal,
  type PrincipalType,
  type RequestContext,
} from './evaluate/request';
export {
  DECISION_REASONS,
  type Decision,
  type DecisionReason,
  type ShadowDecision,
} from './evaluate/decision';
export { check, checkAsync } from './evaluate/check';
export {
  explain,
  type ConditionTrace,
  type ExplainOptions,
  type Explanation,
  type RuleStatus,
  type RuleTrace,
} from './evaluate/explain';
export { visibleModels, type VisibleModelsRequest } from './evaluate/visible-models';
export type { AsyncRateLimiter, RateLimitBucket, RateLimitOutcome, RateLimiter } from './rate-limit';
export { InMemorySlidingWindowLimiter } from './sliding-window-limiter';
export {
  cidrContains,
  parseCidr,
  parseIpAddress,
  formatIpAddress,
  type CidrResult,
  type IpAddress,
} from './cidr';
export { isModelName, modelNameProblem } from './model-name';
export { compileGlob, globMatches, type Glob } from './glob';
