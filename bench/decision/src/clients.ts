// The gRPC client the propagation and cold-start phases probe replicas with (the compared
// loads go through the Go load generator, loadgen/).
import { credentials, loadPackageDefinition, type Client, type ServiceError } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { DECISION_PROTO_LOADER_OPTIONS, DECISION_PROTO_PATH } from '@modelgate/contracts/grpc';

export type Call = (body: Record<string, unknown>) => Promise<{ allow: boolean; policy_version: number }>;

export function grpcClient(url: string): { call: Call; close: () => void } {
  const definition = loadSync(DECISION_PROTO_PATH, { ...DECISION_PROTO_LOADER_OPTIONS });
  const pkg = loadPackageDefinition(definition) as unknown as {
    modelgate: {
      decision: { v1: { DecisionService: new (u: string, c: unknown) => Client & Record<string, unknown> } };
    };
  };
  const client = new pkg.modelgate.decision.v1.DecisionService(url, credentials.createInsecure());
  const check = client['Check'] as (
    req: unknown,
    cb: (e: ServiceError | null, r: { allow: boolean; policy_version: number }) => void,
  ) => void;
  return {
    call: (body) =>
      new Promise((resolve, reject) => check.call(client, body, (e, r) => (e ? reject(e) : resolve(r)))),
    close: () => client.close(),
  };
}
