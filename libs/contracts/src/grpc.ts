// The decision service's gRPC contract for Node (`@modelgate/contracts/grpc`): where its proto
// file is and how both ends load it. Apart from the main entry, which a browser can import.
import { resolve } from 'node:path';

/**
 * The decision service's proto file (`libs/contracts/proto/...`), found from this file in
 * both `src/` (tests) and `dist/` (builds): both sit one level below the package root.
 */
export const DECISION_PROTO_PATH = resolve(
  __dirname,
  '..',
  'proto',
  'modelgate',
  'decision',
  'v1',
  'decision.proto',
);
export const DECISION_GRPC_PACKAGE = 'modelgate.decision.v1';
export const DECISION_GRPC_SERVICE = 'DecisionService';

/**
 * proto-loader options of both ends (the decision service and its clients): wire names as
 * written (snake_case), int64 as numbers, no invented defaults (an unset field stays unset).
 */
export const DECISION_PROTO_LOADER_OPTIONS = {
  keepCase: true,
  longs: Number,
  enums: String,
  defaults: false,
  arrays: true,
  oneofs: true,
} as const;

/** The methods of `DecisionService`, all unary (`loadUnaryMethods` of @modelgate/grpc-unary checks). */
export const DECISION_GRPC_METHODS = ['Check', 'CheckBatch', 'ListVisibleModels', 'Explain'] as const;
export type DecisionGrpcMethod = (typeof DECISION_GRPC_METHODS)[number];

/** What either end loads the service's methods from (`loadUnaryMethods` of @modelgate/grpc-unary). */
export const DECISION_GRPC_CONTRACT = {
  protoPath: DECISION_PROTO_PATH,
  loaderOptions: DECISION_PROTO_LOADER_OPTIONS,
  service: `${DECISION_GRPC_PACKAGE}.${DECISION_GRPC_SERVICE}`,
  methods: DECISION_GRPC_METHODS,
} as const;
