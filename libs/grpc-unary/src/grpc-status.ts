// gRPC status codes and the `grpc-message` encoding, as both ends of a unary call need them
// (https://github.com/grpc/grpc/blob/master/doc/PROTOCOL-HTTP2.md).

/** The gRPC status codes, by name. */
export const GrpcCode = {
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  OUT_OF_RANGE: 11,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  DATA_LOSS: 15,
  UNAUTHENTICATED: 16,
} as const;

export type GrpcStatusCode = (typeof GrpcCode)[keyof typeof GrpcCode];

/** A call that did not end in OK: the status code and its details, as gRPC gives them. */
export class GrpcStatusError extends Error {
  constructor(
    readonly code: number,
    readonly details: string,
  ) {
    super(`${code}: ${details}`);
    this.name = 'GrpcStatusError';
  }
}

/**
 * `grpc-message` as the protocol writes it: the UTF-8 bytes, each outside 0x20-0x7E and `%`
 * itself percent-encoded. Byte by byte, so a lone surrogate (which encodeURIComponent throws
 * on) becomes U+FFFD rather than an exception in an error path.
 */
export function encodeGrpcMessage(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    out +=
      byte >= 0x20 && byte <= 0x7e && byte !== 0x25
        ? String.fromCharCode(byte)
        : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** The text of a `grpc-message` header; a value that is not valid percent-encoding is taken as written. */
export function decodeGrpcMessage(value: unknown): string {
  if (typeof value !== 'string') return '';
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
