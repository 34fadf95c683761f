// vLLM's own operational routes. A real engine serves them on the same port as the OpenAI
// API; the demo engine serves them too, so that tests can prove the gateway never forwards
// a request to them (the request log shows whatever reached the engine).
import type { FastifyInstance } from 'fastify';
import { MAX_MODEL_LEN } from '../catalog/model-catalog';
import { words } from '../generation/answer';

export const ENGINE_VERSION = '0.0.0-modelgate-demo';

interface TextBody {
  prompt?: unknown;
  tokens?: unknown;
  lora_name?: unknown;
}

export function registerEngineAdminRoutes(app: FastifyInstance): void {
  const adapterName = (body: TextBody | undefined): string =>
    typeof body?.lora_name === 'string' ? body.lora_name : '(unnamed)';

  app.post<{ Body: TextBody }>('/v1/load_lora_adapter', (request, reply) =>
    reply.type('text/plain').send(`Success: LoRA adapter '${adapterName(request.body)}' added successfully.`),
  );
  app.post<{ Body: TextBody }>('/v1/unload_lora_adapter', (request, reply) =>
    reply
      .type('text/plain')
      .send(`Success: LoRA adapter '${adapterName(request.body)}' removed successfully.`),
  );
  app.post('/reset_prefix_cache', (_request, reply) => reply.code(200).send());
  app.post('/sleep', (_request, reply) => reply.code(200).send());
  app.post('/wake_up', (_request, reply) => reply.code(200).send());
  app.get('/health', (_request, reply) => reply.code(200).send());
  app.get('/version', (_request, reply) => reply.send({ version: ENGINE_VERSION }));
  app.get('/metrics', (_request, reply) =>
    reply
      .type('text/plain; version=0.0.4')
      .send(
        '# HELP vllm:num_requests_running Demo engine.\n# TYPE vllm:num_requests_running gauge\nvllm:num_requests_running 0\n',
      ),
  );
  app.post<{ Body: TextBody }>('/tokenize', (request, reply) => {
    const tokens = words(typeof request.body?.prompt === 'string' ? request.body.prompt : '').map(
      (_, i) => i + 1,
    );
    return reply.send({ count: tokens.length, max_model_len: MAX_MODEL_LEN, tokens });
  });
  app.post<{ Body: TextBody }>('/detokenize', (request, reply) => {
    const tokens = Array.isArray(request.body?.tokens) ? request.body.tokens : [];
    return reply.send({ prompt: tokens.map((t) => `t${String(t)}`).join(' ') });
  });
}
