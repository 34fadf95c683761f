import { z } from 'zod';
import { ConfigError, type ConfigProblem } from './config-error';

export type Env = Readonly<Record<string, string | undefined>>;

/**
 * Validates the environment against one schema per app. Keys of the schema are the
 * variable names, so every error names the variable the operator has to fix.
 * Empty strings count as unset: `FOO=` in a shell file must not silently become "".
 */
export function loadConfig<S extends z.ZodObject>(schema: S, env: Env = process.env): z.output<S> {
  const input: Record<string, string> = {};
  for (const key of Object.keys(schema.shape)) {
    const value = env[key];
    if (value !== undefined && value !== '') input[key] = value;
  }
  const result = schema.safeParse(input);
  if (!result.success) {
    const problems: ConfigProblem[] = result.error.issues.map((issue) => ({
      variable: issue.path.map(String).join('.') || '(environment)',
      message: issue.message,
    }));
    throw new ConfigError(problems);
  }
  return result.data;
}

const SENSITIVE = new Set<string>();

/** Marks a variable as secret: it is never printed by {@link redactConfig}. */
export function sensitive<T extends z.ZodType>(name: string, type: T): T {
  SENSITIVE.add(name);
  return type;
}

/** The config with every sensitive value replaced, safe to log at start-up. */
export function redactConfig(config: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(config).map(([k, v]) => [
      k,
      SENSITIVE.has(k) && v !== undefined ? '[redacted]' : redactUrl(v),
    ]),
  );
}

/** Passwords embedded in URLs (postgres://user:secret@host) are secrets too. */
function redactUrl(value: unknown): unknown {
  if (typeof value !== 'string' || !value.includes('://')) return value;
  try {
    const url = new URL(value);
    if (url.password) url.password = 'redacted';
    return url.toString();
  } catch {
    return value;
  }
}
