import { hostname } from 'node:os';
import { z } from 'zod';
import { TOPICS } from '@modelgate/contracts';
import {
  booleanFlag,
  commaList,
  databaseConfigShape,
  outboxConfigShape,
  kafkaTopic,
  milliseconds,
  sensitive,
  serviceConfigShape,
  url,
  urlList,
} from '@modelgate/config';
import { LDAP_ATTRIBUTE_NAME, parseClaimPath, type ClaimPath } from '@modelgate/auth';

/** The demo directory's group → role mapping (ARCHITECTURE.md "Demo directory"). */
export const DEMO_GROUP_ROLES: Record<string, string[]> = {
  'acl-admins': ['acl-admin'],
  researchers: ['researcher'],
  partners: ['partner'],
  auditors: ['acl-viewer', 'auditor'],
};

const claimPaths = commaList.transform((l, ctx): ClaimPath[] => {
  try {
    return l.map(parseClaimPath);
  } catch (e) {
    ctx.addIssue({ code: 'custom', message: e instanceof Error ? e.message : 'invalid claim path' });
    return z.NEVER;
  }
});

const seconds = (fallback: number, max: number) => z.coerce.number().int().min(1).max(max).default(fallback);

const groupRoleMap = z
  .string()
  .transform((v, ctx) => {
    try {
      return JSON.parse(v) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'expected JSON such as {"researchers":["researcher"]}' });
      return z.NEVER;
    }
  })
  .pipe(z.record(z.string().min(1), z.array(z.string().min(1))))
  .default(DEMO_GROUP_ROLES);

const ldapAttribute = z.string().regex(LDAP_ATTRIBUTE_NAME, 'expected an LDAP attribute name such as uid');

/** Everything the identity service reads from its environment, validated at start. */
export const identityConfigSchema = z.object({
  ...serviceConfigShape({ port: 3001 }),
  ...databaseConfigShape,

  /** `iss` of the tokens identity issues, and the base of its well-known URLs. */
  ISSUER_URL: url(['http', 'https']).default('http://127.0.0.1:3001'),
  /** `aud` of the tokens identity issues. */
  TOKEN_AUDIENCE: z.string().min(1).default('modelgate'),
  /** Lifetime of tokens from POST /v1/auth/token, seconds (at most one hour). */
  TOKEN_TTL_SEC: seconds(900, 3600),
  /** Roles that may manage other principals' keys, service accounts and signing keys. */
  IDENTITY_ADMIN_ROLES: commaList.default(['acl-admin']),
  GROUP_ROLE_MAP: groupRoleMap,

  /** External OIDC issuers whose access tokens are accepted (exact `iss` values). */
  OIDC_ISSUERS: urlList(['http', 'https']).default([]),
  OIDC_AUDIENCE: commaList.default(['modelgate']),
  OIDC_CLAIMS_PRESET: z.enum(['keycloak', 'entra', 'okta', 'generic']).default('generic'),
  /** The OAuth client whose Keycloak `resource_access.<client>.roles` count. */
  OIDC_CLIENT_ID: z.string().default('modelgate'),
  OIDC_ID_CLAIMS: claimPaths.optional(),
  OIDC_ROLES_CLAIMS: claimPaths.optional(),
  OIDC_GROUPS_CLAIMS: claimPaths.optional(),
  JWT_CLOCK_SKEW_SEC: z.coerce.number().int().min(0).max(300).default(30),
  JWT_MAX_LIFETIME_SEC: seconds(24 * 3600, 7 * 24 * 3600),
  JWKS_COOLDOWN_MS: milliseconds(30_000),
  JWKS_MAX_AGE_MS: milliseconds(10 * 60_000),

  LDAP_URL: url(['ldap', 'ldaps']).default('ldap://127.0.0.1:10389'),
  LDAP_BIND_DN: z.string().optional(),
  LDAP_BIND_PASSWORD: sensitive('LDAP_BIND_PASSWORD', z.string().optional()),
  LDAP_USER_BASE: z.string().default('ou=people,dc=company,dc=com'),
  LDAP_GROUP_BASE: z.string().default('ou=groups,dc=company,dc=com'),
  /** `uid` (OpenLDAP), `sAMAccountName` (Active Directory), `mail`... */
  LDAP_USER_ATTRIBUTE: ldapAttribute.default('uid'),
  LDAP_MAIL_ATTRIBUTE: ldapAttribute.default('mail'),
  /** `memberOf` reads the user entry; `search` looks groups up (servers without memberOf). */
  LDAP_GROUPS_FROM: z.enum(['memberOf', 'search']).default('memberOf'),
  LDAP_GROUP_MEMBER_ATTRIBUTE: ldapAttribute.default('member'),
  LDAP_TIMEOUT_MS: milliseconds(5_000),
  LDAP_CONNECT_TIMEOUT_MS: milliseconds(3_000),
  LDAP_STARTTLS: booleanFlag(false),
  LDAP_TLS_CA_FILE: z.string().optional(),
  LDAP_TLS_REJECT_UNAUTHORIZED: booleanFlag(true),

  /** How long an API key record is cached; bounds revocation delay on a replica that missed the event. */
  API_KEY_CACHE_TTL_MS: milliseconds(5_000),

  /** Where identity events go (through the outbox) and where each replica's cache hears them. */
  IDENTITY_EVENTS_TOPIC: kafkaTopic(TOPICS.identityEvents),
  /** Names this replica's cache-invalidation consumer group (`identity-cache-<id>-<random>`). */
  REPLICA_ID: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,64}$/, 'expected 1-64 of A-Z a-z 0-9 . _ -')
    .default(
      `${hostname()
        .replace(/[^A-Za-z0-9._-]/g, '-')
        .slice(0, 40)}-${process.pid}`,
    ),
  ...outboxConfigShape,

  /**
   * How often owners of active user API keys are checked against LDAP (a removed or
   * administratively disabled entry disables the principal); 0 turns the check off.
   */
  LDAP_SYNC_INTERVAL_MS: z.coerce.number().int().min(0).max(86_400_000).default(300_000),
});

export type IdentityConfig = z.output<typeof identityConfigSchema>;
