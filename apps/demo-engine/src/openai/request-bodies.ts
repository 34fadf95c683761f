// The request bodies the engine accepts, checked field by field: a bad body answers 400 with
// the field's name (`param`, and first in the message), as vLLM does. Fields the engine does
// not use (temperature, top_p, tools, ...) are accepted and ignored, as clients send them.
import { z } from 'zod';
import { MAX_MODEL_LEN } from '../catalog/model-catalog';
import { invalidField } from './openai-error';

const modelId = z.string({ message: 'expected a model id (string)' }).min(1, 'expected a model id');

const maxTokens = z
  .number({ message: 'expected a whole number' })
  .int('expected a whole number')
  .min(1, 'expected at least 1')
  .max(MAX_MODEL_LEN, `expected at most ${MAX_MODEL_LEN}`)
  .nullable()
  .optional();

const streamOptions = z
  .object({ include_usage: z.boolean({ message: 'expected true or false' }).nullable().optional() })
  .nullable()
  .optional();

/** Test knob, not OpenAI: milliseconds between streamed tokens, to make a slow stream. */
const tokenDelay = z
  .number({ message: 'expected milliseconds (whole number)' })
  .int('expected milliseconds (whole number)')
  .min(0, 'expected 0 to 1000')
  .max(1000, 'expected 0 to 1000')
  .optional();

const contentPart = z.object({
  type: z.string({ message: 'expected a content part type' }),
  text: z.string({ message: 'expected text' }).optional(),
});

const message = z.object({
  role: z.enum(['system', 'developer', 'user', 'assistant', 'tool', 'function'], {
    message: 'expected system, developer, user, assistant, tool or function',
  }),
  content: z
    .union([z.string(), z.array(contentPart)], { message: 'expected a string or an array of content parts' })
    .nullable()
    .optional(),
});

export const chatCompletionBody = z.object({
  model: modelId,
  messages: z
    .array(message, { message: 'expected an array of messages' })
    .min(1, 'expected at least one message'),
  stream: z.boolean({ message: 'expected true or false' }).nullable().optional(),
  stream_options: streamOptions,
  max_tokens: maxTokens,
  max_completion_tokens: maxTokens,
  demo_token_delay_ms: tokenDelay,
});
export type ChatCompletionBody = z.output<typeof chatCompletionBody>;
export type ChatMessage = z.output<typeof message>;

const textOrTexts = (what: string) =>
  z.union([z.string(), z.array(z.string()).min(1)], {
    message: `expected a string or a non-empty array of strings (${what})`,
  });

export const completionBody = z.object({
  model: modelId,
  prompt: textOrTexts('prompts'),
  stream: z.boolean({ message: 'expected true or false' }).nullable().optional(),
  stream_options: streamOptions,
  max_tokens: maxTokens,
  demo_token_delay_ms: tokenDelay,
});
export type CompletionBody = z.output<typeof completionBody>;

export const embeddingBody = z.object({
  model: modelId,
  input: textOrTexts('inputs'),
  encoding_format: z.enum(['float', 'base64'], { message: 'expected float or base64' }).optional(),
});
export type EmbeddingBody = z.output<typeof embeddingBody>;

export const fineTuningJobBody = z.object({
  model: modelId,
  training_file: z.string({ message: 'expected a file id (string)' }).min(1, 'expected a file id'),
  validation_file: z.string({ message: 'expected a file id (string)' }).nullable().optional(),
  suffix: z
    .string({ message: 'expected a string' })
    .max(64, 'expected at most 64 characters')
    .nullable()
    .optional(),
  seed: z.number({ message: 'expected a whole number' }).int('expected a whole number').nullable().optional(),
});
export type FineTuningJobBody = z.output<typeof fineTuningJobBody>;

/** `messages[0].role` style, as OpenAI names parameters; `body` for the body as a whole. */
export function paramName(path: readonly PropertyKey[]): string {
  if (path.length === 0) return 'body';
  return path
    .map((key, i) => (typeof key === 'number' ? `[${key}]` : `${i === 0 ? '' : '.'}${String(key)}`))
    .join('');
}

/** The body parsed by `schema`, or an OpenAiError (400) naming the first bad field. */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  const result = schema.safeParse(body ?? undefined);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const param = paramName(issue.path);
  const message = issue.path.length === 0 && body == null ? 'expected a JSON object' : issue.message;
  throw invalidField(param, message);
}
