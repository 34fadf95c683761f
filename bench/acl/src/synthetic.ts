// A seeded synthetic policy set: rules spread over MODEL_COUNT models (exact documents plus a
// few globs) naming PRINCIPAL_COUNT users and a pool of roles, groups, keys and accounts, with
// the mix of conditions a real deployment has. Same seed, same documents, same requests.
import type { CheckRequest, Operation, PolicyDocument } from '@modelgate/acl';

export const MODEL_COUNT = 10_000;
export const PRINCIPAL_COUNT = 100_000;
const FAMILIES = 100;
const ROLES = 1_000;
const GROUPS = 1_000;
const API_KEYS = 10_000;
const SERVICE_ACCOUNTS = 1_000;
const GLOB_FAMILIES = 20; // `fam<N>-*` documents, plus one `*`
const RULES_PER_GLOB = 5;
const ZONES = ['Asia/Shanghai', 'Europe/Berlin', 'America/New_York', 'UTC'];
/** Thursday 2026-01-15 10:00 UTC: inside most office-hour windows, before and after validity dates. */
export const CHECK_TIME = Date.UTC(2026, 0, 15, 10, 0, 0);

/** mulberry32: small, fast, and good enough to spread synthetic data. */
export class Prng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
}

export const modelName = (i: number): string => `fam${i % FAMILIES}-model-${i}`;
const userId = (i: number): string => `user${i}@corp.example`;
/** The roles and groups of user i: fixed by i, so requests and rules agree on them. */
function membership(i: number): { roles: string[]; groups: string[] } {
  const p = new Prng(i * 7919 + 1);
  return {
    roles: [0, 1, 2].map(() => `role-${p.int(ROLES)}`),
    groups: [0, 1].map(() => `group-${p.int(GROUPS)}`),
  };
}

type RawRule = Record<string, unknown>;
export interface RawDocument {
  model: string;
  mode: 'enforce';
  rules: RawRule[];
}

function randomOperations(p: Prng): Operation[] {
  const ops: Operation[] = [];
  if (p.chance(0.7)) ops.push('infer');
  if (p.chance(0.2)) ops.push('train');
  if (p.chance(0.2)) ops.push('download');
  if (p.chance(0.6) || ops.length === 0) ops.push('view');
  return ops;
}

function randomCidr(p: Prng): string {
  if (p.chance(0.1)) return `2001:db8:${p.int(65536).toString(16)}::/48`;
  return p.chance(0.5) ? `10.${p.int(256)}.0.0/16` : `192.168.${p.int(256)}.0/24`;
}

function randomRule(p: Prng, id: number): RawRule {
  const kind = p.next();
  const principal =
    kind < 0.6
      ? { type: 'user', value: userId(p.int(PRINCIPAL_COUNT)) }
      : kind < 0.8
        ? { type: 'role', value: `role-${p.int(ROLES)}` }
        : kind < 0.9
          ? { type: 'group', value: `group-${p.int(GROUPS)}` }
          : kind < 0.95
            ? { type: 'api_key', value: `key-${p.int(API_KEYS)}` }
            : kind < 0.98
              ? { type: 'service_account', value: `sa-${p.int(SERVICE_ACCOUNTS)}` }
              : { type: 'any' };
  const deny = p.chance(0.1);
  const conditions: Record<string, unknown> = {};
  if (p.chance(0.3))
    conditions['ip_range'] = [...new Set(Array.from({ length: 1 + p.int(3) }, () => randomCidr(p)))];
  if (p.chance(0.2))
    conditions['valid_until'] = p.chance(0.5) ? '2025-12-31T23:59:59Z' : '2027-06-30T23:59:59Z';
  if (p.chance(0.1)) conditions['valid_from'] = '2025-01-01T00:00:00Z';
  if (p.chance(0.1))
    conditions['time_window'] = {
      days: ['mon', 'tue', 'wed', 'thu', 'fri'],
      start: '08:00',
      end: '20:00',
      tz: p.pick(ZONES),
    };
  if (!deny && p.chance(0.05)) conditions['rate_limit'] = `${10 + p.int(1000)} req/min`;
  return {
    id: `r${id}`,
    effect: deny ? 'deny' : 'allow',
    principal,
    operations: randomOperations(p),
    conditions,
  };
}

/** `ruleCount` rules: a few on globs, the rest on exact models chosen uniformly. */
export function generateDocuments(ruleCount: number, seed: number): RawDocument[] {
  const p = new Prng(seed);
  const documents = new Map<string, RawDocument>();
  let id = 0;
  const add = (model: string): void => {
    let doc = documents.get(model);
    if (!doc) documents.set(model, (doc = { model, mode: 'enforce', rules: [] }));
    doc.rules.push(randomRule(p, id++));
  };
  for (let f = 0; f < GLOB_FAMILIES && id < ruleCount; f++)
    for (let r = 0; r < RULES_PER_GLOB; r++) add(`fam${f}-*`);
  for (let r = 0; r < RULES_PER_GLOB; r++) add('*');
  while (id < ruleCount) add(modelName(p.int(MODEL_COUNT)));
  return [...documents.values()];
}

/**
 * A new version of one document (the single-document update) with as many rules: each replaced
 * by a new random one with probability `share` (an edit), the others kept.
 */
export function regenerateDocument(doc: RawDocument, seed: number, share = 1): RawDocument {
  const p = new Prng(seed);
  const rules = doc.rules.map((rule, i) => (p.chance(share) ? randomRule(p, 10_000_000 + i) : rule));
  return { model: doc.model, mode: 'enforce', rules };
}

/**
 * Typical checks: half for a (user, model) pair that a rule names, half for a random user and
 * model; `infer` mostly, from an intranet or a public address, at CHECK_TIME.
 */
export function generateRequests(
  documents: readonly PolicyDocument[],
  count: number,
  seed: number,
): CheckRequest[] {
  const p = new Prng(seed);
  const exact = documents.filter((doc) => !doc.model.includes('*'));
  const requests: CheckRequest[] = [];
  while (requests.length < count) {
    let user = p.int(PRINCIPAL_COUNT);
    let model = modelName(p.int(MODEL_COUNT));
    if (p.chance(0.5)) {
      const doc = p.pick(exact);
      const rule = p.pick(doc.rules);
      if (rule.principal.type === 'user') user = Number(/^user(\d+)@/.exec(rule.principal.value!)![1]);
      model = doc.model;
    }
    requests.push({
      principal: { id: userId(user), type: 'user', ...membership(user) },
      model,
      operation: p.chance(0.8) ? 'infer' : 'view',
      context: {
        ip: p.chance(0.7) ? `10.${p.int(256)}.${p.int(256)}.${p.int(256)}` : `203.0.113.${p.int(256)}`,
        time: CHECK_TIME,
      },
    });
  }
  return requests;
}
