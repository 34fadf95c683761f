export {
  GrpcCode,
  GrpcStatusError,
  decodeGrpcMessage,
  encodeGrpcMessage,
  type GrpcStatusCode,
} from './grpc-status';
export { GrpcUnaryChannel, type ChannelOptions, type UnaryMethod } from './unary-channel';
export {
  GrpcUnaryServer,
  firstMetadata,
  type GrpcStatus,
  type UnaryHandler,
  type UnaryServerOptions,
} from './unary-server';
export { loadUnaryMethods, type ProtoMethod, type ProtoService } from './proto-methods';
