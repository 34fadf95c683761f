import { z } from 'zod';
import { databaseConfigShape, milliseconds, serviceConfigShape, url } from '@modelgate/config';
import { TOPICS } from '@modelgate/contracts';

const list = z.string().transform((v) =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
);
const issuerList = list.refine(
  (l) =>
    l.every((v) => {
      try {
        return ['http:', 'https:'].includes(new URL(v).protocol);
      } catch {
        return false;
      }
    }),
  { message: 'expected a comma-separated list of issuer URLs (https://...)' },
);
const bool = z.enum(['true', 'false']).transform((v) => v === 'true');
const topicName = z.string().regex(/^[A-Za-z0-9._-]{1,249}$/, 'expected a Kafka topic name');

/** Everything the policy service reads from its environment, validated at start. */
export const policyConfigSchema = z.object({
  ...serviceConfigShape({ port: 3002 }),
  ...databaseConfigShape,
  /** `iss` of identity's tokens; their keys come from its discovery document. */
  IDENTITY_ISSUER: url(['http', 'https']).default('http://127.0.0.1:3001'),
  IDENTITY_AUDIENCE: z.string().min(1).default('modelgate'),
  /** External OIDC issuers whose access tokens are accepted (exact `iss` values). */
  OIDC_ISSUERS: issuerList.default([]),
  OIDC_AUDIENCE: list.default(['modelgate']),
  /** Roles that may change ACLs, and roles that may read them (admins read too). */
  ACL_ADMIN_ROLES: list.default(['acl-admin']),
  ACL_VIEWER_ROLES: list.default(['acl-viewer']),
  POLICY_EVENTS_TOPIC: topicName.default(TOPICS.policyEvents),
  POLICY_STATE_TOPIC: topicName.default(TOPICS.policyState),
  /** `false` runs the API without relaying the outbox (another process relays). */
  OUTBOX_RELAY_ENABLED: bool.default(true),
  OUTBOX_BATCH_SIZE: z.coerce.number().int().min(1).max(10_000).default(500),
  OUTBOX_POLL_MS: milliseconds(1_000),
  OUTBOX_PUBLISH_TIMEOUT_MS: milliseconds(5_000),
  OUTBOX_RESEND_AFTER_MS: milliseconds(30_000),
});

export type PolicyConfig = z.output<typeof policyConfigSchema>;
