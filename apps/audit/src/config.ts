import { z } from 'zod';
import {
  booleanFlag,
  commaList,
  databaseConfigShape,
  kafkaTopic,
  milliseconds,
  sensitive,
  serviceConfigShape,
  url,
  urlList,
} from '@modelgate/config';
import { TOPICS, deadLetterTopic } from '@modelgate/contracts';

const wholeNumber = (fallback: number, min: number, max: number) =>
  z.coerce
    .number({ message: 'expected a whole number' })
    .int('expected a whole number')
    .min(min)
    .max(max)
    .default(fallback);

/** Everything the audit service reads from its environment, validated at start. */
export const auditConfigSchema = z.object({
  ...serviceConfigShape({ port: 3004 }),
  ...databaseConfigShape,
  /** `iss` of identity's tokens; their keys come from its discovery document. */
  IDENTITY_ISSUER: url(['http', 'https']).default('http://127.0.0.1:3001'),
  IDENTITY_AUDIENCE: z.string().min(1).default('modelgate'),
  OIDC_ISSUERS: urlList(['http', 'https']).default([]),
  OIDC_AUDIENCE: commaList.default(['modelgate']),
  /** Roles that see every record (and may verify); anyone else sees only their own. */
  AUDIT_READ_ALL_ROLES: commaList.default(['auditor', 'acl-admin']),
  DECISIONS_TOPIC: kafkaTopic(TOPICS.decisions),
  POLICY_EVENTS_TOPIC: kafkaTopic(TOPICS.policyEvents),
  IDENTITY_EVENTS_TOPIC: kafkaTopic(TOPICS.identityEvents),
  DECISIONS_DLQ_TOPIC: kafkaTopic(deadLetterTopic(TOPICS.decisions, 'audit')),
  POLICY_DLQ_TOPIC: kafkaTopic(deadLetterTopic(TOPICS.policyEvents, 'audit')),
  IDENTITY_DLQ_TOPIC: kafkaTopic(deadLetterTopic(TOPICS.identityEvents, 'audit')),
  AUDIT_CONSUMER_GROUP: z.string().min(1).max(200).default('modelgate-audit'),
  /** A fetch returns once this many bytes of records are there, or after AUDIT_FETCH_MAX_WAIT_MS. */
  AUDIT_FETCH_MIN_BYTES: wholeNumber(256 * 1024, 1, 64 * 1024 * 1024),
  /** Longest a fetch waits for AUDIT_FETCH_MIN_BYTES: what batching may add to the ingest lag. */
  AUDIT_FETCH_MAX_WAIT_MS: milliseconds(250).refine((v) => v >= 1 && v <= 5_000, 'expected 1 to 5000 ms'),
  /** `false` runs the query API without consuming (another process ingests). */
  INGEST_ENABLED: booleanFlag(true),
  /** Ed25519 private key (PKCS#8 PEM) that signs digests; without it one is generated and kept in the database. */
  AUDIT_SIGNING_KEY: sensitive('AUDIT_SIGNING_KEY', z.string().min(1).optional()),
  /** How often the chain head is signed (when it moved). */
  AUDIT_DIGEST_INTERVAL_MS: milliseconds(60_000).refine((v) => v >= 100, 'expected at least 100 ms'),
  /** Day partitions older than this are dropped; 0 keeps everything. */
  AUDIT_RETENTION_DAYS: wholeNumber(400, 0, 100_000),
  /** Day partitions created ahead of time. */
  AUDIT_PARTITIONS_AHEAD_DAYS: wholeNumber(7, 1, 366),
  /** Syslog (RFC 5424 + CEF, octet-counted) receiver: `tcp://host:port` or `tls://host:port`. */
  SIEM_SYSLOG_URL: url(['tcp', 'tls'])
    .refine((v) => new URL(v).port !== '', 'expected tcp://host:port or tls://host:port (with the port)')
    .optional(),
  /** Splunk HEC-compatible endpoint (`https://host:8088/services/collector/event`), ECS field names. */
  SIEM_HTTP_URL: url(['http', 'https']).optional(),
  SIEM_HTTP_TOKEN: sensitive('SIEM_HTTP_TOKEN', z.string().min(1).optional()),
  SIEM_BATCH_SIZE: wholeNumber(500, 1, 10_000),
  SIEM_POLL_MS: milliseconds(500).refine((v) => v >= 10, 'expected at least 10 ms'),
  SIEM_MAX_BACKOFF_MS: milliseconds(30_000).refine((v) => v >= 100, 'expected at least 100 ms'),
  AUDIT_MAINTENANCE_INTERVAL_MS: milliseconds(3_600_000).refine(
    (v) => v >= 1_000,
    'expected at least 1000 ms',
  ),
});

export type AuditConfig = z.output<typeof auditConfigSchema>;
