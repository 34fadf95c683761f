// Principal resolution as the gateway would run it in-process (@modelgate/auth
// PrincipalResolver): JWT verification against cached JWKS, API keys through the cache
// that identity events invalidate. Optionally, the REST form (identity's GET
// /v1/auth/whoami) when IDENTITY_URL and BENCH_CREDENTIAL are set.
//
//   pnpm --filter @modelgate/bench-identity bench
//   IDENTITY_URL=http://127.0.0.1:3001 BENCH_CREDENTIAL=<token or mg_ key> pnpm --filter @modelgate/bench-identity bench
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import {
  CachingApiKeyStore,
  claimPreset,
  generateApiKey,
  JwksCache,
  JwtVerifier,
  PrincipalResolver,
  type ApiKeyRecord,
  type ApiKeyStore,
} from '@modelgate/auth';

const IDENTITY = 'http://identity.bench';
const OIDC = 'http://idp.bench';
const DURATION_MS = Number(process.env['BENCH_DURATION_MS'] ?? 3_000);
const CONCURRENCY = Number(process.env['BENCH_CONCURRENCY'] ?? 16);

interface Result {
  readonly name: string;
  readonly ops: number;
  readonly perSecond: number;
  readonly p50us: number;
  readonly p99us: number;
}

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

/** Runs `op` with `concurrency` callers in flight for DURATION_MS; latency per call in µs. */
async function measure(name: string, op: () => Promise<unknown>, concurrency = 1): Promise<Result> {
  for (let i = 0; i < 200; i++) await op(); // warm-up (JIT, caches)
  const latencies: number[] = [];
  const deadline = performance.now() + DURATION_MS;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
        const t = performance.now();
        await op();
        latencies.push((performance.now() - t) * 1000);
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  const sorted = Float64Array.from(latencies).sort();
  return {
    name,
    ops: latencies.length,
    perSecond: Math.round(latencies.length / elapsed),
    p50us: Math.round(percentile(sorted, 50)),
    p99us: Math.round(percentile(sorted, 99)),
  };
}

async function key(alg: string, kid: string): Promise<{ privateKey: CryptoKey; jwk: JWK }> {
  const { privateKey, publicKey } = await generateKeyPair(alg);
  return { privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg } };
}

class MemoryStore implements ApiKeyStore {
  constructor(private readonly records: Map<string, ApiKeyRecord>) {}
  findById(id: string): Promise<ApiKeyRecord | undefined> {
    return Promise.resolve(this.records.get(id));
  }
}

async function inProcess(): Promise<Result[]> {
  const idKey = await key('ES256', 'id-1');
  const rsKey = await key('RS256', 'op-rs');
  const esKey = await key('ES256', 'op-es');
  const verifier = new JwtVerifier([
    {
      issuer: IDENTITY,
      audience: ['modelgate'],
      keys: new JwksCache(() => Promise.resolve({ keys: [idKey.jwk] })),
      typ: 'at+jwt',
    },
    {
      issuer: OIDC,
      audience: ['modelgate'],
      keys: new JwksCache(() => Promise.resolve({ keys: [rsKey.jwk, esKey.jwk] })),
    },
  ]);
  const apiKey = generateApiKey();
  const store = new CachingApiKeyStore(
    new MemoryStore(
      new Map([
        [
          apiKey.id,
          {
            id: apiKey.id,
            hash: apiKey.hash,
            ownerId: 'alice@company.com',
            ownerType: 'user',
            roles: ['researcher'],
            groups: ['researchers'],
            models: null,
            operations: null,
            expiresAt: null,
            revoked: false,
            ownerDisabled: false,
          },
        ],
      ]),
    ),
    5_000,
  );
  const options = {
    verifier,
    identityIssuer: IDENTITY,
    claimMappings: new Map([[OIDC, claimPreset('keycloak')]]),
    groupRoles: { researchers: ['researcher'] },
    apiKeys: store,
  };
  // Every call verifies the signature (first request of a token)...
  const resolver = new PrincipalResolver(options);
  // ...and as identity and the gateway run it: a reused token is verified once per 30 s.
  const cached = new PrincipalResolver({ ...options, verifiedTokenCacheMs: 30_000 });

  const identityToken = await new SignJWT({
    sub: 'alice@company.com',
    principal_type: 'user',
    roles: ['researcher'],
    groups: ['researchers'],
  })
    .setProtectedHeader({ alg: 'ES256', kid: 'id-1', typ: 'at+jwt' })
    .setIssuer(IDENTITY)
    .setAudience('modelgate')
    .setIssuedAt()
    .setExpirationTime('15m')
    .sign(idKey.privateKey);
  const oidcToken = (alg: string, kid: string, k: CryptoKey) =>
    new SignJWT({
      email: 'alice@company.com',
      groups: ['researchers'],
      realm_access: { roles: ['researcher'] },
    })
      .setProtectedHeader({ alg, kid })
      .setIssuer(OIDC)
      .setAudience('modelgate')
      .setSubject('f81d4fae')
      .setIssuedAt()
      .setExpirationTime('15m')
      .sign(k);
  const oidcRs = await oidcToken('RS256', 'op-rs', rsKey.privateKey);
  const oidcEs = await oidcToken('ES256', 'op-es', esKey.privateKey);

  return [
    await measure('identity JWT (ES256), in-process', () => resolver.resolve(identityToken)),
    await measure('OIDC JWT (RS256 2048), in-process', () => resolver.resolve(oidcRs)),
    await measure('OIDC JWT (ES256), in-process', () => resolver.resolve(oidcEs)),
    await measure('identity JWT, reused (verified-token cache)', () => cached.resolve(identityToken)),
    await measure('API key (cached record), in-process', () => resolver.resolve(apiKey.secret)),
  ];
}

async function overHttp(url: string, credential: string): Promise<Result> {
  const whoami = `${url.replace(/\/$/, '')}/v1/auth/whoami`;
  return measure(
    `REST GET /v1/auth/whoami (${credential.startsWith('mg_') ? 'API key' : 'JWT'}), ${CONCURRENCY} in flight`,
    async () => {
      const res = await fetch(whoami, { headers: { authorization: `Bearer ${credential}` } });
      if (res.status !== 200) throw new Error(`whoami answered ${res.status}`);
      await res.arrayBuffer();
    },
    CONCURRENCY,
  );
}

async function main(): Promise<void> {
  const results = await inProcess();
  const url = process.env['IDENTITY_URL'];
  const credential = process.env['BENCH_CREDENTIAL'];
  if (url && credential) results.push(await overHttp(url, credential));
  process.stdout.write(`principal resolution, ${DURATION_MS} ms per case, node ${process.version}\n`);
  for (const r of results) {
    process.stdout.write(
      `${r.name.padEnd(62)} ${String(r.perSecond).padStart(8)}/s   p50 ${String(r.p50us).padStart(6)} µs   p99 ${String(r.p99us).padStart(6)} µs   (n=${r.ops})\n`,
    );
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
