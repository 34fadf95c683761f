// A focused micro-run for `node --cpu-prof`: builds one index (ACL_PROFILE_RULES rules, 100k by
// default) once, then runs ACL_PROFILE_CHECKS typical checks over the benchmark's request pool.
// Run: pnpm --filter @modelgate/bench-acl build && node --cpu-prof dist/profile.js
import {
  InMemorySlidingWindowLimiter,
  PolicyIndex,
  check,
  parsePolicyDocument,
  type CheckRequest,
} from '@modelgate/acl';
import { generateDocuments, generateRequests } from './synthetic';

const rules = Number(process.env['ACL_PROFILE_RULES'] ?? 100_000);
const checks = Number(process.env['ACL_PROFILE_CHECKS'] ?? 5_000_000);
const SEED = 20260115;
/** Requests cycled over: 16,384 as in the benchmark; a small pool shows the cost with everything in cache. */
const pool = Number(process.env['ACL_PROFILE_POOL'] ?? 16_384);

const raw = JSON.parse(JSON.stringify(generateDocuments(rules, SEED))) as unknown[];
const index = PolicyIndex.from(
  raw.map((json) => {
    const parsed = parsePolicyDocument(json);
    if (!parsed.ok) throw new Error(parsed.issues[0]!.message);
    return { document: parsed.value, version: 1 };
  }),
);
const requests = JSON.parse(
  JSON.stringify(
    generateRequests(
      index.documents().map(({ document }) => document),
      pool,
      SEED + 1,
    ),
  ),
) as CheckRequest[];
const limiter = new InMemorySlidingWindowLimiter();
let allowed = 0;
const cpu = process.cpuUsage();
const start = performance.now();
for (let i = 0; i < checks; i++) if (check(index, requests[i % pool]!, limiter).allow) allowed++;
const wall = performance.now() - start;
const { user, system } = process.cpuUsage(cpu);
console.log(
  `${rules} rules: ${checks} checks, ${Math.round((checks * 1e6) / (user + system)).toLocaleString('en-US')}/cpu-s, ${Math.round((checks * 1000) / wall).toLocaleString('en-US')}/wall-s, allowed ${((allowed / checks) * 100).toFixed(1)}%`,
);
