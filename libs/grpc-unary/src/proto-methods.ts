// A service's unary methods from its proto file, with proto-loader's codecs: what both ends of
// a call serialise with, loaded the same way by each.
import { loadSync, type MethodDefinition, type Options } from '@grpc/proto-loader';

export type ProtoMethod = MethodDefinition<object, object>;

/** Where a service's methods are: its proto file, how to load it, its name, its methods. */
export interface ProtoService<N extends string> {
  readonly protoPath: string;
  readonly loaderOptions: Options;
  /** Fully qualified: `package.Service`. */
  readonly service: string;
  readonly methods: readonly N[];
}

/** Each method of the service with its path and codecs. Throws when the proto lacks one or makes it streaming. */
export function loadUnaryMethods<N extends string>({
  protoPath,
  loaderOptions,
  service,
  methods: names,
}: ProtoService<N>): Record<N, ProtoMethod> {
  const definition = loadSync(protoPath, { ...loaderOptions });
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
