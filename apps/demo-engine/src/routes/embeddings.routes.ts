// POST /v1/embeddings: deterministic unit vectors (dimension 8) from a hash of model and input.
import type { FastifyInstance } from 'fastify';
import { base64Embedding, countTokens, embeddingFor } from '../generation/answer';
import { embeddingBody, parseBody } from '../openai/request-bodies';
import { requireModel, type EngineDeps } from './engine-deps';

export const EMBEDDING_DIMENSION = 8;

export function registerEmbeddingRoutes(app: FastifyInstance, deps: EngineDeps): void {
  app.post('/v1/embeddings', (request, reply) => {
    const body = parseBody(embeddingBody, request.body);
    const model = requireModel(deps.catalog, body.model);
    const inputs = typeof body.input === 'string' ? [body.input] : body.input;
    // The `openai` npm client asks for base64 unless told otherwise, and decodes it itself.
    const base64 = body.encoding_format === 'base64';
    const tokens = inputs.reduce((n, text) => n + countTokens(text), 0);
    return reply.send({
      object: 'list',
      data: inputs.map((text, index) => {
        const vector = embeddingFor(model.id, text, EMBEDDING_DIMENSION);
        return { object: 'embedding', index, embedding: base64 ? base64Embedding(vector) : vector };
      }),
      model: model.id,
      usage: { prompt_tokens: tokens, total_tokens: tokens },
    });
  });
}
