// The engine's "model": a deterministic answer derived from the model id and the prompt, so
// that the same request always gets the same text and tests can predict every byte.
import { createHash } from 'node:crypto';

/** Completion tokens generated when the request names no `max_tokens`. */
export const DEFAULT_MAX_TOKENS = 16;

/** What fills the answer when the prompt has no words at all. */
const SILENCE = 'nothing';

export type FinishReason = 'stop' | 'length';

export interface Answer {
  /** One entry per completion token; the text is `tokens.join(' ')`. */
  readonly tokens: readonly string[];
  readonly finishReason: FinishReason;
}

/** Whitespace-separated words: the engine's unit of "tokens" in every usage count. */
export function words(text: string): string[] {
  return text.split(/\s+/u).filter((w) => w !== '');
}

export function countTokens(text: string): number {
  return words(text).length;
}

/**
 * `<model> says: <words of the prompt, repeated>` cut at exactly `maxTokens` tokens. Without
 * an explicit `max_tokens` the answer is DEFAULT_MAX_TOKENS long and ends with `stop`; with
 * one it is exactly that long and ends with `length` (it ran into the limit, as an engine does).
 */
export function answerFor(model: string, prompt: string, maxTokens: number | null | undefined): Answer {
  const limit = maxTokens ?? DEFAULT_MAX_TOKENS;
  const fill = words(prompt);
  if (fill.length === 0) fill.push(SILENCE);
  const tokens: string[] = [model, 'says:'];
  for (let i = 0; tokens.length < limit; i++) tokens.push(fill[i % fill.length]!);
  tokens.length = Math.min(tokens.length, limit);
  return { tokens, finishReason: maxTokens == null ? 'stop' : 'length' };
}

/** A stable id suffix for a request: same inputs, same id (no counter, no randomness). */
export function stableId(...parts: readonly string[]): string {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part).update('\0');
  return hash.digest('hex').slice(0, 24);
}

/** A unit vector of `dim` float32 values derived from the model and the input text. */
export function embeddingFor(model: string, input: string, dim = 8): number[] {
  const digest = createHash('sha256').update(model).update('\0').update(input).digest();
  const raw: number[] = [];
  for (let i = 0; i < dim; i++) raw.push((digest.readUInt32LE((i * 4) % 32) / 0xffffffff) * 2 - 1);
  const norm = Math.hypot(...raw) || 1;
  // Float32 values, so that the `float` and `base64` encodings carry the same numbers.
  return raw.map((v) => Math.fround(v / norm));
}

/** `dim` float32 little-endian values, base64: what OpenAI's `encoding_format: "base64"` returns. */
export function base64Embedding(vector: readonly number[]): string {
  const bytes = Buffer.alloc(vector.length * 4);
  vector.forEach((v, i) => bytes.writeFloatLE(v, i * 4));
  return bytes.toString('base64');
}

/** The size of a model's download: about a MiB, enough for a proxy to stream, small enough to hold. */
export const WEIGHTS_BYTES = 1 << 20;

/** Deterministic "weights": SHA-256 in counter mode over the model id. */
export function weightsFor(model: string): Buffer {
  const out = Buffer.alloc(WEIGHTS_BYTES);
  for (let block = 0, offset = 0; offset < out.length; block++, offset += 32) {
    createHash('sha256').update(model).update('\0').update(String(block)).digest().copy(out, offset);
  }
  return out;
}
