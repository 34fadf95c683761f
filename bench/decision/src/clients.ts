// The two transports as a load generator sees them: one call, resolved when answered.
import { Agent, request } from 'node:http';
import { credentials, loadPackageDefinition, type Client, type ServiceError } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { DECISION_PROTO_PATH } from '@modelgate/contracts';

export type Call = (body: Record<string, unknown>) => Promise<{ allow: boolean; policy_version: number }>;

export function grpcClient(url: string): { call: Call; close: () => void } {
  const definition = loadSync(DECISION_PROTO_PATH, {
    keepCase: true,
    longs: Number,
    enums: String,
    defaults: false,
    arrays: true,
    oneofs: true,
  });
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

export function restClient(base: string): { call: Call; close: () => void } {
  const url = new URL('/v1/decisions', base);
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  return {
    call: (body) =>
      new Promise((resolve, reject) => {
        const payload = JSON.stringify(body);
        const req = request(
          url,
          {
            method: 'POST',
            agent,
            headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => {
              if (res.statusCode !== 200)
                return reject(new Error(`HTTP ${res.statusCode}: ${Buffer.concat(chunks).toString()}`));
              resolve(
                JSON.parse(Buffer.concat(chunks).toString()) as { allow: boolean; policy_version: number },
              );
            });
          },
        );
        req.on('error', reject);
        req.end(payload);
      }),
    close: () => agent.destroy(),
  };
}
