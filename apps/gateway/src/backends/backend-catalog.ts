import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { modelNameProblem } from '@modelgate/acl';

export const ENGINE_KINDS = ['vllm', 'sglang', 'lmdeploy', 'openai'] as const;
export type EngineKind = (typeof ENGINE_KINDS)[number];

/** Where one model is served. */
export interface Backend {
  readonly model: string;
  readonly engine: EngineKind;
  /** The engine's OpenAI base URL, with `/v1` and without a trailing slash. */
  readonly baseUrl: string;
  /** Sent as `Authorization: Bearer` to the engine; never the client's own credential. */
  readonly apiKey: string | null;
}

const backendEntry = z.strictObject({
  engine: z.enum(ENGINE_KINDS),
  base_url: z.string().refine((v) => {
    try {
      const u = new URL(v);
      return (u.protocol === 'http:' || u.protocol === 'https:') && u.search === '' && u.hash === '';
    } catch {
      return false;
    }
  }, 'expected an http(s) URL without query or fragment (the OpenAI base URL, e.g. http://10.0.0.5:8000/v1)'),
  /** Name of the environment variable holding the engine's API key (no secret in the file). */
  api_key_env: z
    .string()
    .regex(/^[A-Z_][A-Z0-9_]*$/, 'expected an environment variable name')
    .optional(),
});

const backendsFile = z.strictObject({ models: z.record(z.string(), backendEntry) });

export class BackendsFileError extends Error {
  constructor(
    readonly file: string,
    readonly problems: readonly string[],
  ) {
    super(`${file}: ${problems.join('; ')}`);
    this.name = 'BackendsFileError';
  }
}

/** The models the gateway serves, from `BACKENDS_FILE`. Exact names only: no globs, no folding. */
export class BackendCatalog {
  private constructor(private readonly backends: ReadonlyMap<string, Backend>) {}

  /** Parses the YAML text; every problem at once, each naming its path. */
  static parse(text: string, env: NodeJS.ProcessEnv, file = 'BACKENDS_FILE'): BackendCatalog {
    let raw: unknown;
    try {
      raw = parseYaml(text, { uniqueKeys: true, maxAliasCount: 0 });
    } catch (error) {
      throw new BackendsFileError(file, [`not valid YAML: ${(error as Error).message.split('\n')[0]}`]);
    }
    const parsed = backendsFile.safeParse(raw);
    if (!parsed.success) {
      throw new BackendsFileError(
        file,
        parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`),
      );
    }
    const problems: string[] = [];
    const backends = new Map<string, Backend>();
    for (const [model, entry] of Object.entries(parsed.data.models)) {
      const problem = modelNameProblem(model, false);
      if (problem !== null) problems.push(`models.${JSON.stringify(model)}: model name ${problem}`);
      let apiKey: string | null = null;
      if (entry.api_key_env !== undefined) {
        apiKey = env[entry.api_key_env] ?? null;
        if (!apiKey) problems.push(`models.${model}.api_key_env: ${entry.api_key_env} is not set`);
      }
      backends.set(model, {
        model,
        engine: entry.engine,
        baseUrl: entry.base_url.replace(/\/+$/, ''),
        apiKey,
      });
    }
    if (backends.size === 0) problems.push('models: expected at least one model');
    if (problems.length > 0) throw new BackendsFileError(file, problems);
    return new BackendCatalog(backends);
  }

  static load(path: string, env: NodeJS.ProcessEnv = process.env): BackendCatalog {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      throw new BackendsFileError(path, [`cannot read: ${(error as Error).message}`]);
    }
    return BackendCatalog.parse(text, env, path);
  }

  get(model: string): Backend | undefined {
    return this.backends.get(model);
  }

  /** Every served model, sorted. */
  models(): string[] {
    return [...this.backends.keys()].sort();
  }

  all(): Backend[] {
    return this.models().map((m) => this.backends.get(m)!);
  }
}
