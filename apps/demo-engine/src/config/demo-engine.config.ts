// The demo engine's configuration: read from the environment once at boot; a bad value
// stops start-up naming the variable (exit 78, as the services do). DEMO_API_KEY is secret.
import {
  commaList,
  ipAddress,
  loadConfig,
  logLevel,
  port,
  redactConfig,
  sensitive,
  type Env,
} from '@modelgate/config';
import { z } from 'zod';

/** The four models of the demo directory (ARCHITECTURE.md "Demo directory"). */
export const DEFAULT_DEMO_MODELS = ['qwen3-7b-chat', 'qwen3-medical', 'internlm3-finance', 'qwen3-vl-demo'];

/** A model id as engines print them: letters, digits and `._-`, no slash (it is a path segment here). */
const MODEL_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

const demoEngineSchema = z.object({
  PORT: port(8000),
  BIND_ADDRESS: ipAddress.default('127.0.0.1'),
  LOG_LEVEL: logLevel,
  DEMO_MODELS: commaList
    .refine((list) => list.length > 0, { message: 'expected at least one model id' })
    .refine((list) => list.every((id) => MODEL_ID.test(id)), {
      message: 'expected comma-separated model ids (letters, digits, ".", "_", "-"; no slash)',
    })
    .refine((list) => new Set(list).size === list.length, { message: 'expected each model id once' })
    .default(DEFAULT_DEMO_MODELS),
  // The key the gateway sends upstream (a backend's `api_key_env`); unset: no key required.
  DEMO_API_KEY: sensitive(
    'DEMO_API_KEY',
    z
      .string()
      .min(8, 'expected at least 8 characters')
      .refine((v) => /^[\x21-\x7e]+$/.test(v), { message: 'expected printable ASCII without spaces' })
      .optional(),
  ),
});

export type DemoEngineConfig = z.output<typeof demoEngineSchema>;

export function loadDemoEngineConfig(env: Env = process.env): DemoEngineConfig {
  return loadConfig(demoEngineSchema, env);
}

export function redactedDemoEngineConfig(config: DemoEngineConfig): Record<string, unknown> {
  return redactConfig(config);
}
