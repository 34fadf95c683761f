// The policy document of ARCHITECTURE.md, validated and normalised. Unknown fields,
// operations and condition keys are errors; the only defaults are the documented ones
// (`effect: allow`, `mode: enforce`, a rule without `id` is named by its position).
import { parseCidr } from '../cidr';
import { modelNameProblem } from '../model-name';
import {
  EFFECTS,
  OPERATIONS,
  POLICY_MODES,
  RULE_PRINCIPAL_TYPES,
  type Cidr,
  type Conditions,
  type Effect,
  type Operation,
  type PolicyDocument,
  type PolicyMode,
  type PolicyRule,
  type RulePrincipal,
  type RulePrincipalType,
  type TimeWindow,
  type Weekday,
} from '../policy';
import { RATE_LIMIT_FORMAT, parseRateLimit } from '../rate-limit';
import { ambiguityOf, renderValue } from '../text';
import { isWeekday, parseClock } from '../time-window';
import { timeZone } from '../time-zone';
import { parseTimestamp } from '../timestamp';
import { BoundedCache } from './bounded-cache';
import { IssueCollector, childPath, inputKeyPath, type ParseResult } from './issues';

const MAX_VALUE_LENGTH = 512;
const CACHED_VALUES = 4096;
const VALIDITY_FIELDS = [
  ['valid_from', 'validFrom'],
  ['valid_until', 'validUntil'],
] as const;
const cidrs = new BoundedCache<Cidr>(CACHED_VALUES);
const timestamps = new BoundedCache<number>(CACHED_VALUES);
/** Shared by every rule without conditions (most of them), not one empty object each. */
const NO_CONDITIONS: Conditions = Object.freeze({});
const MAX_RULE_ID_LENGTH = 128;

type Json = Record<string, unknown>;

/** Validates `input` (parsed JSON) as a policy document; every problem is reported. */
export function parsePolicyDocument(input: unknown): ParseResult<PolicyDocument> {
  const issues = new IssueCollector();
  let document: PolicyDocument | null = null;
  try {
    document = readDocument(input, issues);
  } catch {
    // Plain JSON cannot throw here; an exotic object (a throwing getter, a proxy) can.
    issues.add('$', 'could not be read as JSON data');
  }
  return document !== null && issues.issues.length === 0
    ? { ok: true, value: document }
    : { ok: false, issues: issues.issues };
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function readObject(
  value: unknown,
  path: string,
  fields: readonly string[],
  issues: IssueCollector,
): Json | null {
  if (!isObject(value)) {
    issues.expected(path, 'an object', value);
    return null;
  }
  // for-in, not Object.keys: no array per object (JSON data has no inherited enumerable keys;
  // should a polluted prototype add one, it is reported as unknown, which is right).
  for (const key in value) {
    if (!fields.includes(key))
      issues.add(inputKeyPath(path, key), `unknown field (expected one of ${fields.join(', ')})`);
  }
  return value;
}

function oneOf<T extends string>(
  allowed: readonly T[],
  value: unknown,
  path: string,
  issues: IssueCollector,
): T | null {
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  issues.expected(path, `one of ${allowed.map((a) => `"${a}"`).join(', ')}`, value);
  return null;
}

function readString(value: unknown, path: string, issues: IssueCollector): string | null {
  if (typeof value === 'string') return value;
  issues.expected(path, 'a string', value);
  return null;
}

function readDocument(input: unknown, issues: IssueCollector): PolicyDocument | null {
  const json = readObject(input, '$', ['model', 'mode', 'rules'], issues);
  if (json === null) return null;
  const model = readModelPattern(json['model'], issues);
  const mode: PolicyMode | null =
    json['mode'] === undefined ? 'enforce' : oneOf(POLICY_MODES, json['mode'], 'mode', issues);
  const rules = readRules(json['rules'], issues);
  if (model === null || mode === null || rules === null) return null;
  return { model, mode, rules };
}

function readModelPattern(value: unknown, issues: IssueCollector): string | null {
  if (value === undefined) {
    issues.add('model', 'is required (an exact model name or a glob such as "qwen3-*")');
    return null;
  }
  const model = readString(value, 'model', issues);
  if (model === null) return null;
  const problem = modelNameProblem(model, true);
  if (problem !== null) {
    issues.add('model', problem);
    return null;
  }
  return model;
}

function readRules(value: unknown, issues: IssueCollector): PolicyRule[] | null {
  if (!Array.isArray(value)) {
    issues.expected('rules', 'an array of rules', value);
    return null;
  }
  const rules: PolicyRule[] = [];
  const firstIndexOfId = new Map<string, number>();
  value.forEach((item: unknown, index) => {
    const path = childPath('rules', index);
    const rule = readRule(item, index, path, issues);
    if (rule === null) return;
    const earlier = firstIndexOfId.get(rule.id);
    if (earlier !== undefined)
      issues.add(childPath(path, 'id'), `duplicate rule id "${rule.id}" (also rules[${earlier}])`);
    else firstIndexOfId.set(rule.id, index);
    rules.push(rule);
  });
  // `slice()`: a pushed-to array keeps spare capacity; a document set keeps millions of these.
  return rules.length === value.length ? rules.slice() : null;
}

function readRule(item: unknown, index: number, path: string, issues: IssueCollector): PolicyRule | null {
  const json = readObject(item, path, ['id', 'effect', 'principal', 'operations', 'conditions'], issues);
  if (json === null) return null;
  const before = issues.issues.length;
  const id =
    json['id'] === undefined
      ? `rules[${index}]`
      : readIdentifier(json['id'], childPath(path, 'id'), MAX_RULE_ID_LENGTH, issues);
  const effect: Effect | null =
    json['effect'] === undefined
      ? 'allow'
      : oneOf(EFFECTS, json['effect'], childPath(path, 'effect'), issues);
  const principal = readPrincipal(json['principal'], childPath(path, 'principal'), issues);
  const operations = readOperations(json['operations'], childPath(path, 'operations'), issues);
  const conditions =
    json['conditions'] === undefined
      ? {}
      : readConditions(json['conditions'], childPath(path, 'conditions'), effect, issues);
  if (
    id === null ||
    effect === null ||
    principal === null ||
    operations === null ||
    conditions === null ||
    issues.issues.length > before
  ) {
    return null;
  }
  return { id, generatedId: json['id'] === undefined, effect, principal, operations, conditions };
}

function readIdentifier(
  value: unknown,
  path: string,
  maxLength: number,
  issues: IssueCollector,
): string | null {
  const text = readString(value, path, issues);
  if (text === null) return null;
  const problem = ambiguityOf(text, maxLength);
  if (problem !== null) {
    issues.add(path, problem);
    return null;
  }
  return text;
}

function readPrincipal(value: unknown, path: string, issues: IssueCollector): RulePrincipal | null {
  if (value === undefined) {
    issues.add(path, 'is required');
    return null;
  }
  const json = readObject(value, path, ['type', 'value'], issues);
  if (json === null) return null;
  const type: RulePrincipalType | null = oneOf(
    RULE_PRINCIPAL_TYPES,
    json['type'],
    childPath(path, 'type'),
    issues,
  );
  const valuePath = childPath(path, 'value');
  if (type === null) return null;
  if (type === 'any') {
    // `any` names no one; a value would suggest a narrower match than there is.
    if (json['value'] !== undefined && json['value'] !== '*') {
      issues.expected(valuePath, 'no value (or "*") for principal type "any"', json['value']);
      return null;
    }
    return { type, value: null };
  }
  if (json['value'] === undefined) {
    issues.add(valuePath, `is required for principal type "${type}"`);
    return null;
  }
  const text = readIdentifier(json['value'], valuePath, MAX_VALUE_LENGTH, issues);
  if (text === null) return null;
  // Identity lower-cases e-mail addresses and folds nothing else.
  return { type, value: type === 'user' ? text.toLowerCase() : text };
}

function readOperations(value: unknown, path: string, issues: IssueCollector): Operation[] | null {
  if (!Array.isArray(value) || value.length === 0) {
    issues.expected(path, `a non-empty array of ${OPERATIONS.map((o) => `"${o}"`).join(', ')}`, value);
    return null;
  }
  const operations: Operation[] = [];
  value.forEach((item: unknown, index) => {
    const operation = oneOf(OPERATIONS, item, childPath(path, index), issues);
    if (operation === null) return;
    if (operations.includes(operation))
      issues.add(childPath(path, index), `duplicate operation "${operation}"`);
    else operations.push(operation);
  });
  return operations.length === value.length ? operations.slice() : null;
}

function readConditions(
  value: unknown,
  path: string,
  effect: Effect | null,
  issues: IssueCollector,
): Conditions | null {
  const json = readObject(
    value,
    path,
    ['ip_range', 'rate_limit', 'valid_from', 'valid_until', 'time_window'],
    issues,
  );
  if (json === null) return null;
  const before = issues.issues.length;
  const conditions: {
    ipRange?: Cidr[];
    rateLimit?: NonNullable<Conditions['rateLimit']>;
    validFrom?: number;
    validUntil?: number;
    timeWindow?: TimeWindow;
  } = {};
  if (json['ip_range'] !== undefined) {
    const ranges = readIpRanges(json['ip_range'], childPath(path, 'ip_range'), issues);
    if (ranges !== null) conditions.ipRange = ranges;
  }
  if (json['rate_limit'] !== undefined) {
    const limitPath = childPath(path, 'rate_limit');
    const spec = typeof json['rate_limit'] === 'string' ? parseRateLimit(json['rate_limit']) : null;
    if (spec === null) issues.expected(limitPath, RATE_LIMIT_FORMAT, json['rate_limit']);
    // A limit on a deny rule has no meaning one could rely on (deny after N? until N?).
    else if (effect === 'deny') issues.add(limitPath, 'is only allowed on allow rules');
    else conditions.rateLimit = spec;
  }
  for (const [key, field] of VALIDITY_FIELDS) {
    if (json[key] === undefined) continue;
    const fieldPath = childPath(path, key);
    const text = readString(json[key], fieldPath, issues);
    if (text === null) continue;
    const ms = readTimestamp(text, fieldPath, issues);
    if (ms !== null) conditions[field] = ms;
  }
  if (
    conditions.validFrom !== undefined &&
    conditions.validUntil !== undefined &&
    conditions.validFrom > conditions.validUntil
  ) {
    issues.add(childPath(path, 'valid_until'), 'must not be before valid_from');
  }
  if (json['time_window'] !== undefined) {
    const window = readTimeWindow(json['time_window'], childPath(path, 'time_window'), issues);
    if (window !== null) conditions.timeWindow = window;
  }
  if (issues.issues.length > before) return null;
  const { ipRange, rateLimit, validFrom, validUntil, timeWindow } = conditions;
  if (
    ipRange === undefined &&
    rateLimit === undefined &&
    validFrom === undefined &&
    validUntil === undefined &&
    timeWindow === undefined
  ) {
    return NO_CONDITIONS;
  }
  // One shape for every rule's conditions, with only the present ones set.
  return { ipRange, rateLimit, validFrom, validUntil, timeWindow };
}

function readIpRanges(value: unknown, path: string, issues: IssueCollector): Cidr[] | null {
  if (!Array.isArray(value) || value.length === 0) {
    issues.expected(path, 'a non-empty array of CIDRs such as "10.0.0.0/8"', value);
    return null;
  }
  const ranges: Cidr[] = [];
  value.forEach((item: unknown, index) => {
    const itemPath = childPath(path, index);
    const text = readString(item, itemPath, issues);
    if (text === null) return;
    const cidr = readCidr(text, itemPath, issues);
    if (cidr === null) return;
    const earlier = ranges.findIndex((range) => range.text === cidr.text);
    if (earlier >= 0) issues.add(itemPath, `duplicate of ${childPath(path, earlier)} (${cidr.text})`);
    else ranges.push(cidr);
  });
  return ranges.length === value.length ? ranges.slice() : null;
}

function readCidr(text: string, path: string, issues: IssueCollector): Cidr | null {
  const known = cidrs.get(text);
  if (known !== undefined) return known;
  const parsed = parseCidr(text);
  if (parsed.ok)
    return cidrs.set(text, Object.freeze({ ...parsed.cidr, words: Object.freeze(parsed.cidr.words) }));
  issues.add(path, `${parsed.problem}, got ${renderValue(text)}`);
  return null;
}

function readTimestamp(text: string, path: string, issues: IssueCollector): number | null {
  const known = timestamps.get(text);
  if (known !== undefined) return known;
  const parsed = parseTimestamp(text);
  if (parsed.ok) return timestamps.set(text, parsed.ms);
  issues.add(path, `${parsed.problem}, got ${renderValue(text)}`);
  return null;
}

function readTimeWindow(value: unknown, path: string, issues: IssueCollector): TimeWindow | null {
  const json = readObject(value, path, ['days', 'start', 'end', 'tz'], issues);
  if (json === null) return null;
  const before = issues.issues.length;
  const days: Weekday[] = [];
  const daysPath = childPath(path, 'days');
  if (!Array.isArray(json['days']) || json['days'].length === 0) {
    issues.expected(
      daysPath,
      'a non-empty array of "mon", "tue", "wed", "thu", "fri", "sat", "sun"',
      json['days'],
    );
  } else {
    json['days'].forEach((day: unknown, index) => {
      const dayPath = childPath(daysPath, index);
      if (typeof day !== 'string' || !isWeekday(day))
        issues.expected(dayPath, 'one of "mon", "tue", "wed", "thu", "fri", "sat", "sun"', day);
      else if (days.includes(day)) issues.add(dayPath, `duplicate day "${day}"`);
      else days.push(day);
    });
  }
  const start = readClock(json['start'], childPath(path, 'start'), false, issues);
  const end = readClock(json['end'], childPath(path, 'end'), true, issues);
  if (start !== null && end !== null && start === end) {
    issues.add(
      childPath(path, 'end'),
      'must differ from start (a window needs a length; omit time_window for all day)',
    );
  }
  const tzPath = childPath(path, 'tz');
  const tz = readString(json['tz'], tzPath, issues);
  if (tz !== null && timeZone(tz) === null)
    issues.expected(tzPath, 'an IANA time zone such as "Asia/Shanghai"', tz);
  if (issues.issues.length > before || start === null || end === null || tz === null) return null;
  return { days: days.slice(), start, end, tz };
}

function readClock(
  value: unknown,
  path: string,
  allowEndOfDay: boolean,
  issues: IssueCollector,
): number | null {
  const minutes = typeof value === 'string' ? parseClock(value, allowEndOfDay) : null;
  if (minutes === null)
    issues.expected(
      path,
      allowEndOfDay ? '"HH:MM" from "00:00" to "24:00"' : '"HH:MM" from "00:00" to "23:59"',
      value,
    );
  return minutes;
}
