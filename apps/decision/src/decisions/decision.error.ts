// The decision service's errors and, in one table, what each is on each transport. The
// compiler checks the table is complete (`satisfies Record<DecisionErrorCode, ...>`).
import { HttpStatus } from '@nestjs/common';
import { GrpcCode, type GrpcStatusCode } from '@modelgate/grpc-unary';

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
  invalid_request: { http: HttpStatus.BAD_REQUEST, grpc: GrpcCode.INVALID_ARGUMENT },
  policy_not_loaded: { http: HttpStatus.SERVICE_UNAVAILABLE, grpc: GrpcCode.UNAVAILABLE },
  policy_stale: { http: HttpStatus.SERVICE_UNAVAILABLE, grpc: GrpcCode.UNAVAILABLE },
} as const satisfies Record<DecisionErrorCode, { http: HttpStatus; grpc: GrpcStatusCode }>;
