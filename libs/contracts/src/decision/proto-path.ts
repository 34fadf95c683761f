import { resolve } from 'node:path';

/**
 * The decision service's proto file (`libs/contracts/proto/...`), found from this file in
 * both `src/` (tests) and `dist/` (builds): both sit one level below the package root.
 */
export const DECISION_PROTO_PATH = resolve(
  __dirname,
  '..',
  '..',
  'proto',
  'modelgate',
  'decision',
  'v1',
  'decision.proto',
);
export const DECISION_GRPC_PACKAGE = 'modelgate.decision.v1';
export const DECISION_GRPC_SERVICE = 'DecisionService';
