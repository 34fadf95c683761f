// The policy document after validation: every value normalised and every condition in the
// form the evaluator needs (CIDRs canonical, timestamps in epoch ms, rate limits as a count
// and a window). Only the parser creates these; the index trusts them.

export const OPERATIONS = ['infer', 'train', 'download', 'view'] as const;
export type Operation = (typeof OPERATIONS)[number];

export const RULE_PRINCIPAL_TYPES = ['user', 'role', 'group', 'api_key', 'service_account', 'any'] as const;
export type RulePrincipalType = (typeof RULE_PRINCIPAL_TYPES)[number];

export const EFFECTS = ['allow', 'deny'] as const;
export type Effect = (typeof EFFECTS)[number];

export const POLICY_MODES = ['enforce', 'shadow'] as const;
export type PolicyMode = (typeof POLICY_MODES)[number];

/** Monday first, as ISO 8601 counts them; the index of a day here is its number everywhere. */
export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export interface Cidr {
  readonly family: 4 | 6;
  /** Canonical text: IPv4 dotted quad, IPv6 as RFC 5952, always with the prefix length. */
  readonly text: string;
  /** The network address: one 32-bit word for IPv4, four (most significant first) for IPv6. */
  readonly words: readonly number[];
  readonly prefix: number;
}

export interface RateLimitSpec {
  readonly limit: number;
  readonly windowMs: number;
  /** Canonical text, e.g. `100 req/min`. */
  readonly text: string;
}

export interface TimeWindow {
  readonly days: readonly Weekday[];
  /** Minutes after local midnight, start inclusive. */
  readonly start: number;
  /** Minutes after local midnight, end exclusive; 1440 is `24:00`; end < start is overnight. */
  readonly end: number;
  /** IANA time zone name as written in the document. */
  readonly tz: string;
}

export interface Conditions {
  readonly ipRange?: readonly Cidr[];
  readonly rateLimit?: RateLimitSpec;
  /** Epoch ms, inclusive. */
  readonly validFrom?: number;
  /** Epoch ms, inclusive. */
  readonly validUntil?: number;
  readonly timeWindow?: TimeWindow;
}

export interface RulePrincipal {
  readonly type: RulePrincipalType;
  /** Null only for `any`; user values are lower-cased. */
  readonly value: string | null;
}

export interface PolicyRule {
  /** The rule's `id`, or `rules[<index>]` when the document gave none. */
  readonly id: string;
  /** True when `id` was synthesised from the rule's position (the document had no id). */
  readonly generatedId: boolean;
  readonly effect: Effect;
  readonly principal: RulePrincipal;
  readonly operations: readonly Operation[];
  readonly conditions: Conditions;
}

export interface PolicyDocument {
  /** Exact model name or glob pattern (`*` matches any run of characters, also none). */
  readonly model: string;
  readonly mode: PolicyMode;
  readonly rules: readonly PolicyRule[];
}
