import { z } from 'zod';
import {
  commaList,
  databaseConfigShape,
  outboxConfigShape,
  kafkaTopic,
  serviceConfigShape,
  url,
  urlList,
} from '@modelgate/config';
import { TOPICS } from '@modelgate/contracts';

/** Everything the policy service reads from its environment, validated at start. */
export const policyConfigSchema = z.object({
  ...serviceConfigShape({ port: 3002 }),
  ...databaseConfigShape,
  /** `iss` of identity's tokens; their keys come from its discovery document. */
  IDENTITY_ISSUER: url(['http', 'https']).default('http://127.0.0.1:3001'),
  IDENTITY_AUDIENCE: z.string().min(1).default('modelgate'),
  /** External OIDC issuers whose access tokens are accepted (exact `iss` values). */
  OIDC_ISSUERS: urlList(['http', 'https']).default([]),
  OIDC_AUDIENCE: commaList.default(['modelgate']),
  /** Roles that may change ACLs, and roles that may read them (admins read too). */
  ACL_ADMIN_ROLES: commaList.default(['acl-admin']),
  ACL_VIEWER_ROLES: commaList.default(['acl-viewer']),
  POLICY_EVENTS_TOPIC: kafkaTopic(TOPICS.policyEvents),
  POLICY_STATE_TOPIC: kafkaTopic(TOPICS.policyState),
  ...outboxConfigShape,
});

export type PolicyConfig = z.output<typeof policyConfigSchema>;
