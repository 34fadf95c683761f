// GET /v1/models, GET /v1/models/{model} and GET /v1/models/{model}/download.
import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { weightsFor } from '../generation/answer';
import { requireModel, type EngineDeps } from './engine-deps';

interface ModelParams {
  model: string;
}

export function registerModelRoutes(app: FastifyInstance, deps: EngineDeps): void {
  // Built on first download and kept: about a MiB per model, and the same bytes every time.
  const weights = new Map<string, { bytes: Buffer; etag: string }>();

  app.get('/v1/models', (_request, reply) => reply.send(deps.catalog.list()));

  app.get<{ Params: ModelParams }>('/v1/models/:model', (request, reply) =>
    reply.send(requireModel(deps.catalog, request.params.model)),
  );

  app.get<{ Params: ModelParams }>('/v1/models/:model/download', (request, reply) => {
    const model = requireModel(deps.catalog, request.params.model);
    let file = weights.get(model.id);
    if (!file) {
      const bytes = weightsFor(model.id);
      file = { bytes, etag: `"${createHash('sha256').update(bytes).digest('hex').slice(0, 32)}"` };
      weights.set(model.id, file);
    }
    return reply
      .header('content-type', 'application/octet-stream')
      .header('content-length', file.bytes.length)
      .header('content-disposition', `attachment; filename="${model.id}.bin"`)
      .header('etag', file.etag)
      .send(file.bytes);
  });
}
