// The LiteLLM proxy with the four demo models as `openai/<model>` at the engine's base URL,
// called with its master key. Virtual keys restricted to models need LiteLLM's database
// client (Prisma), whose engine binaries Prisma downloads from its own host at first use;
// this machine reaches package registries only, so virtual keys cannot run here.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startChild, waitForHttp, type Child } from '../processes';

export interface LitellmOptions {
  readonly dir: string;
  readonly bin: string;
  readonly listenPort: number;
  /** The engine's OpenAI base URL, with /v1. */
  readonly apiBase: string;
  /** The key the engine wants (sent upstream by LiteLLM, never by the client). */
  readonly engineKey: string;
  readonly models: readonly string[];
  readonly masterKey: string;
  readonly workers: number;
}

/** LiteLLM reads YAML; JSON is YAML, so the config is written as JSON. */
export function litellmConfig(o: LitellmOptions): Record<string, unknown> {
  return {
    model_list: o.models.map((m) => ({
      model_name: m,
      litellm_params: { model: `openai/${m}`, api_base: o.apiBase, api_key: o.engineKey },
    })),
    general_settings: { master_key: o.masterKey },
    litellm_settings: { telemetry: false, drop_params: true },
  };
}

/** uvicorn without its per-request access log (nginx runs without one too). */
const LOG_CONFIG = {
  version: 1,
  disable_existing_loggers: false,
  handlers: { stderr: { class: 'logging.StreamHandler', stream: 'ext://sys.stderr' } },
  root: { level: 'WARNING', handlers: ['stderr'] },
  loggers: {
    'uvicorn.access': { level: 'WARNING', handlers: ['stderr'], propagate: false },
    uvicorn: { level: 'WARNING', handlers: ['stderr'], propagate: false },
  },
};

/** No DATABASE_URL at all (LiteLLM takes even an empty one as a database to use; see above). */
function withoutDatabase(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { DATABASE_URL: _ignored, ...rest } = env;
  return rest;
}

export async function startLitellm(o: LitellmOptions, cpus: string): Promise<Child> {
  const conf = join(o.dir, 'litellm.json');
  const logConf = join(o.dir, 'litellm-logging.json');
  writeFileSync(conf, JSON.stringify(litellmConfig(o), null, 2));
  writeFileSync(logConf, JSON.stringify(LOG_CONFIG));
  const child = startChild(
    'litellm',
    o.bin,
    [
      '--config',
      conf,
      '--host',
      '127.0.0.1',
      '--port',
      String(o.listenPort),
      '--num_workers',
      String(o.workers),
      '--log_config',
      logConf,
    ],
    {
      logFile: join(o.dir, 'litellm.log'),
      cpus,
      env: withoutDatabase({ ...process.env, LITELLM_LOG: 'ERROR', LITELLM_TELEMETRY: 'False' }),
      cwd: o.dir,
    },
  );
  await waitForHttp(`http://127.0.0.1:${o.listenPort}/health/liveliness`, 180_000, child);
  return child;
}
