// POST /v1/fine_tuning/jobs: accepts the job and answers OpenAI's fine_tuning.job, `queued`.
// Nothing is trained; the route exists so that `train` has an upstream to reach.
import type { FastifyInstance } from 'fastify';
import { stableId } from '../generation/answer';
import { fineTuningJobBody, parseBody } from '../openai/request-bodies';
import { requireModel, type EngineDeps } from './engine-deps';

export function registerFineTuningRoutes(app: FastifyInstance, deps: EngineDeps): void {
  app.post('/v1/fine_tuning/jobs', (request, reply) => {
    const body = parseBody(fineTuningJobBody, request.body);
    const model = requireModel(deps.catalog, body.model);
    const key = stableId(
      'ftjob',
      model.id,
      body.training_file,
      body.validation_file ?? '',
      body.suffix ?? '',
    );
    return reply.send({
      object: 'fine_tuning.job',
      id: `ftjob-${key}`,
      model: model.id,
      created_at: deps.nowSeconds(),
      finished_at: null,
      fine_tuned_model: null,
      organization_id: 'org-modelgate-demo',
      result_files: [],
      status: 'queued',
      validation_file: body.validation_file ?? null,
      training_file: body.training_file,
      hyperparameters: { n_epochs: 'auto', batch_size: 'auto', learning_rate_multiplier: 'auto' },
      trained_tokens: null,
      error: null,
      seed: body.seed ?? Number.parseInt(key.slice(0, 8), 16) % 2_147_483_647,
      estimated_finish: null,
      integrations: [],
    });
  });
}
