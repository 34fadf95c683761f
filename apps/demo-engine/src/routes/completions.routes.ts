// POST /v1/completions (legacy text completions), plain and streamed; one choice per prompt.
import type { FastifyInstance } from 'fastify';
import { answerFor, countTokens, stableId } from '../generation/answer';
import { completionBody, parseBody } from '../openai/request-bodies';
import { streamEvents } from '../streaming/stream-events';
import { requireModel, type EngineDeps } from './engine-deps';

export function registerCompletionRoutes(app: FastifyInstance, deps: EngineDeps): void {
  app.post('/v1/completions', async (request, reply) => {
    const body = parseBody(completionBody, request.body);
    const model = requireModel(deps.catalog, body.model);
    const prompts = typeof body.prompt === 'string' ? [body.prompt] : body.prompt;
    const answers = prompts.map((p) => answerFor(model.id, p, body.max_tokens));
    const promptTokens = prompts.reduce((n, p) => n + countTokens(p), 0);
    const completionTokens = answers.reduce((n, a) => n + a.tokens.length, 0);
    const usage = {
      prompt_tokens: promptTokens,
      completion_tokens: completionTokens,
      total_tokens: promptTokens + completionTokens,
    };
    const id = `cmpl-${stableId('completion', model.id, JSON.stringify(prompts), String(body.max_tokens))}`;
    const created = deps.nowSeconds();
    const head = { id, object: 'text_completion', created, model: model.id };

    if (body.stream !== true) {
      return {
        ...head,
        choices: answers.map((a, index) => ({
          index,
          text: a.tokens.join(' '),
          logprobs: null,
          finish_reason: a.finishReason,
        })),
        usage,
      };
    }

    const includeUsage = body.stream_options?.include_usage === true;
    const chunk = (index: number, text: string, finishReason: string | null): string =>
      JSON.stringify({
        ...head,
        choices: [{ index, text, logprobs: null, finish_reason: finishReason }],
        ...(includeUsage ? { usage: null } : {}),
      });
    function* events(): Generator<string> {
      for (const [index, a] of answers.entries()) {
        for (let i = 0; i < a.tokens.length; i++)
          yield chunk(index, i === 0 ? a.tokens[i]! : ` ${a.tokens[i]}`, null);
        yield chunk(index, '', a.finishReason);
      }
      if (includeUsage) yield JSON.stringify({ ...head, choices: [], usage });
    }
    await streamEvents(reply, request.demoRecord, events(), body.demo_token_delay_ms ?? 0);
  });
}
