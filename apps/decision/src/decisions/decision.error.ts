// The decision service's errors and, in one table, what each is on each transport. The
// compiler checks the table is complete (`satisfies Record<DecisionErrorCode, ...>`).
import { status as GrpcStatus } from '@grpc/grpc-js';
import { HttpStatus } from '@nestjs/common';

export type DecisionErrorCode = 'invalid_request' | 'policy_not_loaded' | 'policy_stale';

export class DecisionError extends Error {
  constructor(
    readonly code: DecisionErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'DecisionError';
  }
}

export const DECISION_ERROR_STATUS = {
  invalid_request: { http: HttpStatus.BAD_REQUEST, grpc: GrpcStatus.INVALID_ARGUMENT },
  policy_not_loaded: { http: HttpStatus.SERVICE_UNAVAILABLE, grpc: GrpcStatus.UNAVAILABLE },
  policy_stale: { http: HttpStatus.SERVICE_UNAVAILABLE, grpc: GrpcStatus.UNAVAILABLE },
} as const satisfies Record<DecisionErrorCode, { http: HttpStatus; grpc: GrpcStatus }>;
