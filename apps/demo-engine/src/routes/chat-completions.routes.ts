// POST /v1/chat/completions, plain and streamed, in OpenAI's shapes.
import type { FastifyInstance } from 'fastify';
import { answerFor, countTokens, stableId, type Answer } from '../generation/answer';
import { parseBody, chatCompletionBody, type ChatMessage } from '../openai/request-bodies';
import { streamEvents } from '../streaming/stream-events';
import { requireModel, type EngineDeps } from './engine-deps';

/** A message's text: the string, or its text parts joined (images and the like carry none). */
export function messageText(message: ChatMessage): string {
  const content = message.content;
  if (content == null) return '';
  if (typeof content === 'string') return content;
  return content
    .map((part) => part.text ?? '')
    .filter((t) => t !== '')
    .join(' ');
}

/** The last user message is what the answer echoes; without one, the last message. */
function promptOf(messages: readonly ChatMessage[]): string {
  const user = messages.findLast((m) => m.role === 'user') ?? messages[messages.length - 1];
  return user ? messageText(user) : '';
}

interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

export function usageOf(promptTokens: number, answer: Answer): Usage {
  const completion = answer.tokens.length;
  return {
    prompt_tokens: promptTokens,
    completion_tokens: completion,
    total_tokens: promptTokens + completion,
  };
}

export function registerChatCompletionRoutes(app: FastifyInstance, deps: EngineDeps): void {
  app.post('/v1/chat/completions', async (request, reply) => {
    const body = parseBody(chatCompletionBody, request.body);
    const model = requireModel(deps.catalog, body.model);
    const maxTokens = body.max_completion_tokens ?? body.max_tokens;
    const answer = answerFor(model.id, promptOf(body.messages), maxTokens);
    const usage = usageOf(
      body.messages.reduce((n, m) => n + countTokens(messageText(m)), 0),
      answer,
    );
    const id = `chatcmpl-${stableId('chat', model.id, JSON.stringify(body.messages), String(maxTokens))}`;
    const created = deps.nowSeconds();

    if (body.stream !== true) {
      return {
        id,
        object: 'chat.completion',
        created,
        model: model.id,
        choices: [
          {
            index: 0,
            message: { role: 'assistant', content: answer.tokens.join(' ') },
            logprobs: null,
            finish_reason: answer.finishReason,
          },
        ],
        usage,
      };
    }

    const includeUsage = body.stream_options?.include_usage === true;
    const head = { id, object: 'chat.completion.chunk', created, model: model.id };
    // With include_usage OpenAI puts `"usage": null` on every chunk but the last.
    const chunk = (delta: object, finishReason: string | null): string =>
      JSON.stringify({
        ...head,
        choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
        ...(includeUsage ? { usage: null } : {}),
      });
    function* events(): Generator<string> {
      yield chunk({ role: 'assistant', content: '' }, null);
      for (let i = 0; i < answer.tokens.length; i++) {
        yield chunk({ content: i === 0 ? answer.tokens[i] : ` ${answer.tokens[i]}` }, null);
      }
      yield chunk({}, answer.finishReason);
      if (includeUsage) yield JSON.stringify({ ...head, choices: [], usage });
    }
    await streamEvents(reply, request.demoRecord, events(), body.demo_token_delay_ms ?? 0);
  });
}
