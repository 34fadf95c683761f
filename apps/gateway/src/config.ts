import { resolve } from 'node:path';
import { z } from 'zod';
import { TOPICS } from '@modelgate/contracts';
import {
  booleanFlag,
  commaList,
  kafkaTopic,
  milliseconds,
  positiveInt,
  serviceConfigShape,
  url,
} from '@modelgate/config';

const httpUrl = url(['http', 'https']);

/** Everything the gateway reads from its environment, validated at start. */
export const gatewayConfigSchema = z.object({
  ...serviceConfigShape({ port: 8080, bindAddress: '0.0.0.0' }),
  /** YAML: model → engine and base URL (see test/fixtures/backends.yaml). Required: a gateway with no backends serves nothing. */
  BACKENDS_FILE: z.string().min(1, 'expected the path of the backends YAML file'),
  /** Which header a trusted proxy writes the client address to (only one is believed). */
  FORWARDED_HEADER: z.enum(['x-forwarded-for', 'forwarded']).default('x-forwarded-for'),
  /** `host:port` of the decision service's gRPC endpoint. */
  DECISION_GRPC_URL: z
    .string()
    .regex(/^[A-Za-z0-9.\-_[\]:]+:\d{1,5}$/, 'expected host:port')
    .default('127.0.0.1:50051'),
  /** A decision later than this is no decision: 503, nothing sent upstream. */
  DECISION_DEADLINE_MS: milliseconds(250).refine((v) => v >= 1 && v <= 10_000, 'expected 1 to 10000 ms'),
  /** The owning services of the admin routes (one base URL for users). */
  IDENTITY_URL: httpUrl.default('http://127.0.0.1:3001'),
  POLICY_URL: httpUrl.default('http://127.0.0.1:3002'),
  DECISION_URL: httpUrl.default('http://127.0.0.1:3003'),
  AUDIT_URL: httpUrl.default('http://127.0.0.1:3004'),
  /** How long a resolved credential is trusted before identity is asked again (never past its expiry). */
  PRINCIPAL_CACHE_TTL_MS: milliseconds(10_000).refine((v) => v <= 300_000, 'expected at most 300000 ms'),
  IDENTITY_TIMEOUT_MS: milliseconds(2_000).refine((v) => v >= 1, 'expected at least 1 ms'),
  IDENTITY_EVENTS_TOPIC: kafkaTopic(TOPICS.identityEvents),
  DECISIONS_TOPIC: kafkaTopic(TOPICS.decisions),
  /** Largest request body forwarded to an engine. */
  MAX_BODY_BYTES: positiveInt(8 * 1024 * 1024, 256 * 1024 * 1024),
  /** Time to the engine's response headers (a queued request on a busy GPU waits for them). */
  UPSTREAM_HEADERS_TIMEOUT_MS: milliseconds(120_000).refine((v) => v >= 1, 'expected at least 1 ms'),
  /** Longest silence between two chunks of an engine's response. */
  UPSTREAM_BODY_TIMEOUT_MS: milliseconds(300_000).refine((v) => v >= 1, 'expected at least 1 ms'),
  /** A client that reads none of a response for this long is disconnected and the engine request cancelled. */
  CLIENT_STALL_TIMEOUT_MS: milliseconds(30_000).refine((v) => v >= 1, 'expected at least 1 ms'),
  /** Connections kept per engine origin. */
  UPSTREAM_CONNECTIONS: positiveInt(128, 10_000),
  /** Roles that may use the gateway's own admin reads (backends list, explain). */
  ADMIN_READ_ROLES: commaList.default(['acl-admin', 'acl-viewer']),
  /** The console's built files; served at /console/ when the folder exists. */
  CONSOLE_DIR: z.string().default(resolve(__dirname, '../../console/dist')),
  CONSOLE_ENABLED: booleanFlag(true),
});

export type GatewayConfig = z.output<typeof gatewayConfigSchema>;
