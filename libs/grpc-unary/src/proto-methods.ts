// A service's unary methods from its proto file, with proto-loader's codecs: what both ends of
// a call serialise with, loaded the same way by each.
import { loadSync, type MethodDefinition, type Options } from '@grpc/proto-loader';

export type ProtoMethod = MethodDefinition<object, object>;

/**
 * `names` of `service` (fully qualified: `package.Service`) in `protoPath`, each with its path
 * and codecs. Throws when the proto lacks one or makes it streaming.
 */
export function loadUnaryMethods<N extends string>(
  protoPath: string,
  options: Options,
  service: string,
  names: readonly N[],
): Record<N, ProtoMethod> {
  const definition = loadSync(protoPath, { ...options });
  const methods = definition[service] as Record<string, ProtoMethod | undefined> | undefined;
  const found = {} as Record<N, ProtoMethod>;
  for (const name of names) {
    const method = methods?.[name];
    if (method === undefined || method.requestStream || method.responseStream) {
      throw new Error(`${service}.${name}: not a unary method of ${protoPath}`);
    }
    found[name] = method;
  }
  return found;
}
