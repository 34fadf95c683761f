// One seeded access model rendered three ways, for the peer comparison:
//  - Modelgate policy documents (published to the state topic);
//  - Cerbos resource policies, one per model (resource kind = model name), on disk;
//  - an OPA data document indexed by model and principal, beside a Rego policy (opa/).
// The model: `models` models × `rulesPerModel` rules; a rule names a role, a user or any
// caller, allows or denies a random non-empty set of operations, and about 30 % carry an
// ip_range condition (IPv4 and IPv6 CIDRs). Deny overrides allow, default deny.
// Checks are drawn from the same seed, mostly aimed at some rule (so that allows, denies by
// rule, IP misses and no-match all occur), and each carries the answer of a reference
// evaluator written here from the policy semantics (ARCHITECTURE.md), independent of all three.
import { BlockList, isIPv6 } from 'node:net';

export const OPERATIONS = ['infer', 'train', 'download', 'view'] as const;
type Operation = (typeof OPERATIONS)[number];

const CIDRS = ['10.0.0.0/8', '192.168.1.0/24', '172.16.0.0/12', '10.20.0.0/16', '2001:db8::/32'];
/** Client addresses used in checks: inside one or more CIDRs above, or outside all of them. */
const ADDRESSES = [
  '10.1.2.3',
  '10.20.30.40',
  '192.168.1.7',
  '172.16.5.4',
  '203.0.113.9',
  '198.51.100.20',
  '2001:db8::5',
  '2001:dba::1',
];
const ROLES = 64;
const USERS = 2_000;

export interface RuleSpec {
  id: string;
  effect: 'allow' | 'deny';
  principal: { type: 'role' | 'user' | 'any'; value: string | null };
  operations: Operation[];
  ipRange: string[] | null;
}

export interface AccessModel {
  readonly models: string[];
  readonly rules: Map<string, RuleSpec[]>;
  readonly ruleCount: number;
}

export interface NeutralCheck {
  principal: { id: string; type: 'user'; roles: string[]; groups: string[] };
  model: string;
  operation: Operation;
  ip: string;
  expect: boolean;
}

/** mulberry32: small, fast, and the same sequence on every machine. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const role = (i: number) => `role-${i}`;
const user = (i: number) => `user-${i}@company.com`;

export function generateModel(models: number, rulesPerModel: number, seed = 6): AccessModel {
  const rnd = prng(seed * 1_000_003 + models);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const names = Array.from({ length: models }, (_, i) => `model-${i}`);
  const rules = new Map<string, RuleSpec[]>();
  for (const model of names) {
    const list: RuleSpec[] = [];
    for (let r = 0; r < rulesPerModel; r++) {
      const kind = rnd();
      const principal: RuleSpec['principal'] =
        kind < 0.02
          ? { type: 'any', value: null }
          : kind < 0.32
            ? { type: 'user', value: user(Math.floor(rnd() * USERS)) }
            : { type: 'role', value: role(Math.floor(rnd() * ROLES)) };
      let operations = OPERATIONS.filter(() => rnd() < 0.5);
      if (operations.length === 0) operations = [pick(OPERATIONS)];
      const ipRange =
        rnd() < 0.3
          ? [...new Set(Array.from({ length: 1 + Math.floor(rnd() * 2) }, () => pick(CIDRS)))]
          : null;
      list.push({ id: `r${r}`, effect: rnd() < 0.1 ? 'deny' : 'allow', principal, operations, ipRange });
    }
    rules.set(model, list);
  }
  return { models: names, rules, ruleCount: models * rulesPerModel };
}

// ---- the reference evaluator

const blockLists = new Map<string, BlockList>();
function inRange(ip: string, cidrs: readonly string[]): boolean {
  const key = cidrs.join(',');
  let list = blockLists.get(key);
  if (!list) {
    list = new BlockList();
    for (const cidr of cidrs) {
      const [net, bits] = cidr.split('/');
      list.addSubnet(net!, Number(bits), isIPv6(net!) ? 'ipv6' : 'ipv4');
    }
    blockLists.set(key, list);
  }
  return list.check(ip, isIPv6(ip) ? 'ipv6' : 'ipv4');
}

function applies(rule: RuleSpec, c: Omit<NeutralCheck, 'expect'>): boolean {
  const p = rule.principal;
  const named =
    p.type === 'any' ||
    (p.type === 'user' && c.principal.id === p.value) ||
    (p.type === 'role' && c.principal.roles.includes(p.value!));
  return (
    named && rule.operations.includes(c.operation) && (rule.ipRange === null || inRange(c.ip, rule.ipRange))
  );
}

export function referenceAllow(model: AccessModel, c: Omit<NeutralCheck, 'expect'>): boolean {
  const rules = model.rules.get(c.model) ?? [];
  const hits = rules.filter((r) => applies(r, c));
  return hits.some((r) => r.effect === 'allow') && !hits.some((r) => r.effect === 'deny');
}

/** `count` checks from the seed: 90 % aimed at a rule of a known model, 5 % random, 5 % unknown model. */
export function generateChecks(model: AccessModel, count: number, seed = 7): NeutralCheck[] {
  const rnd = prng(seed * 7_919 + model.models.length);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const out: NeutralCheck[] = [];
  for (let i = 0; i < count; i++) {
    const roll = rnd();
    const name = roll < 0.95 ? pick(model.models) : `model-unknown-${i}`;
    const roles = new Set<string>(['staff']);
    for (let k = Math.floor(rnd() * 3); k > 0; k--) roles.add(role(Math.floor(rnd() * ROLES)));
    let id = user(Math.floor(rnd() * USERS));
    let operation: Operation = pick(OPERATIONS);
    let ip = pick(ADDRESSES);
    const rules = model.rules.get(name);
    if (rules && roll < 0.9) {
      const target = pick(rules);
      if (target.principal.type === 'user') id = target.principal.value!;
      if (target.principal.type === 'role') roles.add(target.principal.value!);
      if (rnd() < 0.85) operation = pick(target.operations);
      if (target.ipRange && rnd() < 0.7) {
        const inside = ADDRESSES.filter((a) => inRange(a, target.ipRange!));
        if (inside.length > 0) ip = pick(inside);
      }
    }
    const check = {
      principal: { id, type: 'user' as const, roles: [...roles], groups: [] },
      model: name,
      operation,
      ip,
    };
    out.push({ ...check, expect: referenceAllow(model, check) });
  }
  return out;
}

// ---- Modelgate

export function modelgateDocuments(model: AccessModel) {
  return model.models.map((name) => ({
    model: name,
    mode: 'enforce' as const,
    rules: model.rules.get(name)!.map((r) => ({
      id: r.id,
      effect: r.effect,
      principal:
        r.principal.type === 'any' ? { type: 'any' } : { type: r.principal.type, value: r.principal.value },
      operations: r.operations,
      ...(r.ipRange ? { conditions: { ip_range: r.ipRange } } : {}),
    })),
  }));
}

// ---- Cerbos

/**
 * One resource policy per model. A role's allow is a plain role rule. Cerbos combines per
 * role ("if at least one of the principal's roles evaluates to ALLOW, the result is ALLOW"),
 * so a deny must hold for every role to override allows as Modelgate's does: deny rules (and
 * user and any rules) use `roles: ["*"]` with the principal named in the condition.
 */
export function cerbosPolicy(model: AccessModel, name: string): Record<string, unknown> {
  const str = (s: string) => JSON.stringify(s);
  return {
    apiVersion: 'api.cerbos.dev/v1',
    resourcePolicy: {
      resource: name,
      version: 'default',
      rules: model.rules.get(name)!.map((r) => {
        const exprs: string[] = [];
        let roles = ['*'];
        if (r.principal.type === 'user') exprs.push(`P.id == ${str(r.principal.value!)}`);
        else if (r.principal.type === 'role') {
          if (r.effect === 'allow') roles = [r.principal.value!];
          else exprs.push(`${str(r.principal.value!)} in P.roles`);
        }
        if (r.ipRange)
          exprs.push(r.ipRange.map((cidr) => `P.attr.ip.inIPAddrRange(${str(cidr)})`).join(' || '));
        return {
          name: r.id,
          actions: r.operations,
          effect: r.effect === 'allow' ? 'EFFECT_ALLOW' : 'EFFECT_DENY',
          roles,
          ...(exprs.length === 0
            ? {}
            : exprs.length === 1
              ? { condition: { match: { expr: exprs[0] } } }
              : { condition: { match: { all: { of: exprs.map((expr) => ({ expr })) } } } }),
        };
      }),
    },
  };
}

// ---- OPA

interface OpaRule {
  deny?: true;
  ops: Record<string, true>;
  cidrs?: string[];
}

/**
 * `data.acl.models[model]` = {roles: {role: [rule]}, users: {id: [rule]}, any: [rule]}: the
 * Rego policy (opa/modelgate.rego) looks a check up by model, then by each of its principal
 * names, and never iterates rules that do not name the caller.
 */
export function opaData(model: AccessModel): Record<string, unknown> {
  const models: Record<
    string,
    { roles: Record<string, OpaRule[]>; users: Record<string, OpaRule[]>; any: OpaRule[] }
  > = {};
  for (const name of model.models) {
    const doc = {
      roles: {} as Record<string, OpaRule[]>,
      users: {} as Record<string, OpaRule[]>,
      any: [] as OpaRule[],
    };
    for (const r of model.rules.get(name)!) {
      const rule: OpaRule = {
        ...(r.effect === 'deny' ? { deny: true as const } : {}),
        ops: Object.fromEntries(r.operations.map((o) => [o, true as const])),
        ...(r.ipRange ? { cidrs: r.ipRange } : {}),
      };
      if (r.principal.type === 'any') doc.any.push(rule);
      else {
        const bucket = r.principal.type === 'role' ? doc.roles : doc.users;
        (bucket[r.principal.value!] ??= []).push(rule);
      }
    }
    models[name] = doc;
  }
  return { acl: { models } };
}
