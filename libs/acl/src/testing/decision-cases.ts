// Decision cases as data (libs/acl/test-cases/*.yaml), in a form that names no transport: the
// library's tests run them through `check`, and the decision service runs the same files over
// REST and gRPC. Test support only (it reads files and YAML): not part of the runtime index.
//
// A file:
//   name: what the file covers
//   policies: [{version: N, document: <policy document as ARCHITECTURE.md writes it>}]
//   principals: {<name>: {id, type, roles?, groups?}}       (optional, for reuse)
//   cases:                                                   (run in order: rate limits count)
//     - name: ...
//       principal: <name> | {id, type, ...} | a list of either
//       model: <name> | [<name>...]
//       operation: <operation> | [<operation>...]
//       context: {ip?: <address>, time: <RFC 3339>}
//       expect: {allow, reason?, rule_id?, policy_version?, retry_at?, shadow?}
//         - an object: what every combination of principal x model x operation answers;
//         - a list of such objects with optional principal/model/operation keys: what the
//           combinations they select answer; every combination no entry selects is a deny;
//         - absent: every combination is a deny.
// Keys use the wire's snake_case, and `reason` any deny reason when left out.
import { readFileSync, readdirSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { parse } from 'yaml';
import { DECISION_REASONS, type DecisionReason } from '../evaluate/decision';

export const DECISION_CASES_DIRECTORY = resolve(__dirname, '..', '..', 'test-cases');

export interface CasePrincipal {
  readonly id: string;
  readonly type: string;
  readonly roles?: readonly string[];
  readonly groups?: readonly string[];
}

export interface OutcomeExpectation {
  readonly allow: boolean;
  readonly reason?: DecisionReason;
  readonly rule_id?: string | null;
}

export interface DecisionExpectation extends OutcomeExpectation {
  readonly policy_version?: number;
  /** RFC 3339, for `rate_limited`. */
  readonly retry_at?: string;
  /** Null: no shadow document applies; absent: not checked. */
  readonly shadow?: OutcomeExpectation | null;
}

export interface DecisionCase {
  /** The case's name with the combination, e.g. `alice may train [alice qwen3-7b-chat train]`. */
  readonly name: string;
  /** The principal's name in the file (or its id when given inline). */
  readonly principalName: string;
  readonly principal: CasePrincipal;
  readonly model: string;
  readonly operation: string;
  readonly context: { readonly ip?: string; readonly time: string };
  readonly expect: DecisionExpectation;
}

export interface DecisionSuite {
  readonly file: string;
  readonly name: string;
  readonly policies: readonly { readonly version: number; readonly document: unknown }[];
  /** In file order; they share one rate limiter. */
  readonly cases: readonly DecisionCase[];
}

export function loadDecisionSuites(directory: string = DECISION_CASES_DIRECTORY): DecisionSuite[] {
  return readdirSync(directory)
    .filter((file) => file.endsWith('.yaml'))
    .sort()
    .map((file) => loadDecisionSuite(join(directory, file)));
}

export function loadDecisionSuite(file: string): DecisionSuite {
  return readSuite(parse(readFileSync(file, 'utf8')), basename(file));
}

type Json = Record<string, unknown>;

class CaseFileError extends Error {
  constructor(file: string, path: string, message: string) {
    super(`${file}: ${path}: ${message}`);
  }
}

/** Parses a suite from YAML data; a malformed file is an error, never a skipped case. */
export function readSuite(data: unknown, file: string): DecisionSuite {
  const fail = (path: string, message: string): never => {
    throw new CaseFileError(file, path, message);
  };
  const mapping = (value: unknown, path: string): Json =>
    typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Json)
      : fail(path, 'expected a mapping');
  /** A mapping with only the given keys. */
  const object = (value: unknown, path: string, keys: readonly string[]): Json => {
    const json = mapping(value, path);
    for (const key of Object.keys(json))
      if (!keys.includes(key)) fail(`${path}.${key}`, `unknown key (expected one of ${keys.join(', ')})`);
    return json;
  };
  const string = (value: unknown, path: string): string =>
    typeof value === 'string' ? value : fail(path, 'expected a string');
  const list = <T>(value: unknown, path: string, item: (value: unknown, path: string) => T): T[] =>
    (Array.isArray(value) ? value : [value]).map((v, i) => item(v, `${path}[${i}]`));

  const root = object(data, '$', ['name', 'policies', 'principals', 'cases']);
  const policies = list(root['policies'] ?? [], 'policies', (value, path) => {
    const policy = object(value, path, ['version', 'document']);
    const version = policy['version'];
    if (typeof version !== 'number' || !Number.isSafeInteger(version))
      fail(`${path}.version`, 'expected an integer');
    return { version: version as number, document: policy['document'] };
  });
  const named = new Map<string, CasePrincipal>();
  const readPrincipal = (value: unknown, path: string): CasePrincipal => {
    const p = object(value, path, ['id', 'type', 'roles', 'groups']);
    const names = (key: string): string[] | undefined =>
      p[key] === undefined ? undefined : list(p[key], `${path}.${key}`, string);
    return {
      id: string(p['id'], `${path}.id`),
      type: string(p['type'], `${path}.type`),
      roles: names('roles'),
      groups: names('groups'),
    };
  };
  for (const [name, value] of Object.entries(mapping(root['principals'] ?? {}, 'principals'))) {
    named.set(name, readPrincipal(value, `principals.${name}`));
  }
  const principalRef = (value: unknown, path: string): [string, CasePrincipal] => {
    if (typeof value !== 'string') {
      const inline = readPrincipal(value, path);
      return [inline.id, inline];
    }
    return [value, named.get(value) ?? fail(path, `no principal named "${value}" in principals`)];
  };
  const reason = (value: unknown, path: string): DecisionReason | undefined => {
    if (value === undefined) return undefined;
    return (DECISION_REASONS as readonly unknown[]).includes(value)
      ? (value as DecisionReason)
      : fail(path, `expected one of ${DECISION_REASONS.join(', ')}`);
  };
  const outcome = (e: Json, path: string): OutcomeExpectation => {
    if (typeof e['allow'] !== 'boolean') fail(`${path}.allow`, 'expected true or false');
    const ruleId = e['rule_id'];
    if (ruleId !== undefined && ruleId !== null && typeof ruleId !== 'string')
      fail(`${path}.rule_id`, 'expected a string or null');
    return {
      allow: e['allow'] as boolean,
      reason: reason(e['reason'], `${path}.reason`),
      rule_id: ruleId as string | null | undefined,
    };
  };
  const expectation = (e: Json, path: string): DecisionExpectation => {
    const shadow = e['shadow'];
    const version = e['policy_version'];
    if (version !== undefined && (typeof version !== 'number' || !Number.isSafeInteger(version)))
      fail(`${path}.policy_version`, 'expected an integer');
    return {
      ...outcome(e, path),
      policy_version: version as number | undefined,
      retry_at: e['retry_at'] === undefined ? undefined : string(e['retry_at'], `${path}.retry_at`),
      shadow:
        shadow === undefined || shadow === null
          ? shadow
          : outcome(object(shadow, `${path}.shadow`, ['allow', 'reason', 'rule_id']), `${path}.shadow`),
    };
  };
  const EXPECT_KEYS = ['allow', 'reason', 'rule_id', 'policy_version', 'retry_at', 'shadow'];
  const DENY: DecisionExpectation = { allow: false };

  const cases = list(root['cases'] ?? [], 'cases', (value, path) => {
    const c = object(value, path, ['name', 'principal', 'model', 'operation', 'context', 'expect']);
    const name = string(c['name'], `${path}.name`);
    const principals = list(c['principal'], `${path}.principal`, principalRef);
    const models = list(c['model'], `${path}.model`, string);
    const operations = list(c['operation'], `${path}.operation`, string);
    const ctx = object(c['context'], `${path}.context`, ['ip', 'time']);
    const context = {
      ...(ctx['ip'] === undefined ? {} : { ip: string(ctx['ip'], `${path}.context.ip`) }),
      time: string(ctx['time'], `${path}.context.time`),
    };
    const selectors: {
      principal?: string;
      model?: string;
      operation?: string;
      expect: DecisionExpectation;
    }[] = [];
    const expect = c['expect'];
    if (Array.isArray(expect)) {
      expect.forEach((entry, i) => {
        const entryPath = `${path}.expect[${i}]`;
        const e = object(entry, entryPath, ['principal', 'model', 'operation', ...EXPECT_KEYS]);
        const selector = (key: 'principal' | 'model' | 'operation'): string | undefined =>
          e[key] === undefined ? undefined : string(e[key], `${entryPath}.${key}`);
        selectors.push({
          principal: selector('principal'),
          model: selector('model'),
          operation: selector('operation'),
          expect: expectation(e, entryPath),
        });
      });
    } else if (expect !== undefined) {
      selectors.push({
        expect: expectation(object(expect, `${path}.expect`, EXPECT_KEYS), `${path}.expect`),
      });
    }
    const expanded: DecisionCase[] = [];
    for (const [principalName, principal] of principals) {
      for (const model of models) {
        for (const operation of operations) {
          const selected = selectors.find(
            (s) =>
              (s.principal ?? principalName) === principalName &&
              (s.model ?? model) === model &&
              (s.operation ?? operation) === operation,
          );
          const combination =
            principals.length * models.length * operations.length > 1
              ? ` [${principalName} ${model} ${operation}]`
              : '';
          expanded.push({
            name: `${name}${combination}`,
            principalName,
            principal,
            model,
            operation,
            context,
            expect: selected?.expect ?? DENY,
          });
        }
      }
    }
    return expanded;
  }).flat();
  return { file, name: typeof root['name'] === 'string' ? root['name'] : file, policies, cases };
}
