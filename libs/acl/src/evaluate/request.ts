// Requests come from the network: every field is checked at run time (TypeScript types do not
// survive JSON), and a bad one is an `invalid_request` deny, never an exception.
import { parseIpAddress, type IpAddress } from '../cidr';
import { isModelName, modelNameProblem } from '../model-name';
import { OPERATIONS, type Operation } from '../policy';
import { renderValue } from '../text';
import { parseTimestamp } from '../timestamp';

export const PRINCIPAL_TYPES = ['user', 'api_key', 'service_account'] as const;
export type PrincipalType = (typeof PRINCIPAL_TYPES)[number];

/** The authenticated caller as identity describes it. */
export interface Principal {
  readonly id: string;
  readonly type: PrincipalType;
  readonly roles?: readonly string[];
  readonly groups?: readonly string[];
}

export interface RequestContext {
  /** The client address as the gateway resolved it; absent when unknown. */
  readonly ip?: string | null;
  /** When the request happens: epoch ms, a Date, or an RFC 3339 string. */
  readonly time: number | Date | string;
}

export interface CheckRequest {
  readonly principal: Principal;
  readonly model: string;
  readonly operation: Operation;
  readonly context: RequestContext;
}

/** Who asks, for what operation, when and from where: everything of a request but the model. */
export class Subject {
  constructor(
    readonly principalType: PrincipalType,
    /** Lower-cased for users, as rule values are. */
    readonly principalId: string,
    readonly roles: readonly string[],
    readonly groups: readonly string[],
    readonly operation: Operation,
    readonly operationIndex: number,
    readonly time: number,
    readonly ip: IpAddress | null,
  ) {}

  /** `type:id`, the caller's part of a rate-limit key. */
  get principalKey(): string {
    return `${this.principalType}:${this.principalId}`;
  }
}

const MAX_PRINCIPAL_ID_LENGTH = 1024;
const MAX_TIME = 8.64e15; // the range of Date

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** The subject of a request, or what is wrong with it. */
export function readSubject(principal: unknown, operation: unknown, context: unknown): Subject | string {
  if (!isRecord(principal)) return `principal: expected an object, got ${renderValue(principal)}`;
  const { id, type } = principal;
  if (typeof id !== 'string' || id.length === 0 || id.length > MAX_PRINCIPAL_ID_LENGTH) {
    return `principal.id: expected a non-empty string, got ${renderValue(id)}`;
  }
  const principalType = type === 'user' || type === 'api_key' || type === 'service_account' ? type : null;
  if (principalType === null)
    return `principal.type: expected one of ${PRINCIPAL_TYPES.join(', ')}, got ${renderValue(type)}`;
  const roles = readNames(principal['roles']);
  if (roles === null)
    return `principal.roles: expected an array of strings, got ${renderValue(principal['roles'])}`;
  const groups = readNames(principal['groups']);
  if (groups === null)
    return `principal.groups: expected an array of strings, got ${renderValue(principal['groups'])}`;
  const operationIndex = OPERATIONS.indexOf(operation as Operation);
  if (operationIndex < 0)
    return `operation: expected one of ${OPERATIONS.join(', ')}, got ${renderValue(operation)}`;
  if (!isRecord(context)) return `context: expected an object, got ${renderValue(context)}`;
  const time = readTime(context['time']);
  if (time === null)
    return `context.time: expected epoch ms, a Date or an RFC 3339 string, got ${renderValue(context['time'])}`;
  const ipText = context['ip'];
  let ip: IpAddress | null = null;
  if (ipText !== undefined && ipText !== null) {
    ip = typeof ipText === 'string' ? parseIpAddress(ipText) : null;
    if (ip === null) return `context.ip: expected an IPv4 or IPv6 address, got ${renderValue(ipText)}`;
  }
  return new Subject(
    principalType,
    principalType === 'user' ? id.toLowerCase() : id,
    roles,
    groups,
    OPERATIONS[operationIndex]!,
    operationIndex,
    time,
    ip,
  );
}

const NO_NAMES: readonly string[] = [];

function readNames(value: unknown): readonly string[] | null {
  if (value === undefined) return NO_NAMES;
  if (!Array.isArray(value)) return null;
  for (const item of value) if (typeof item !== 'string') return null;
  return value as string[];
}

function readTime(value: unknown): number | null {
  let time: number;
  if (typeof value === 'number') time = value;
  else if (value instanceof Date) time = value.getTime();
  else if (typeof value === 'string') {
    const parsed = parseTimestamp(value);
    if (!parsed.ok) return null;
    time = parsed.ms;
  } else return null;
  return Number.isFinite(time) && Math.abs(time) <= MAX_TIME ? time : null;
}

/** What is wrong with a requested model name, or null. */
export function modelProblem(model: unknown): string | null {
  if (typeof model === 'string' && isModelName(model)) return null;
  if (typeof model !== 'string') return `model: expected a string, got ${renderValue(model)}`;
  return `model: ${modelNameProblem(model, false) ?? 'is not a model name'}`;
}
