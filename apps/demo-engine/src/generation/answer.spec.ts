import { describe, expect, it } from 'vitest';
import { answerFor, countTokens, DEFAULT_MAX_TOKENS, embeddingFor, weightsFor } from './answer';

describe('answerFor', () => {
  it('echoes the prompt words after the model name, cut at the limit', () => {
    expect(answerFor('m', 'a  b\n c', 6)).toEqual({
      tokens: ['m', 'says:', 'a', 'b', 'c', 'a'],
      finishReason: 'length',
    });
    expect(answerFor('m', 'a', 1).tokens).toEqual(['m']);
  });

  it('is DEFAULT_MAX_TOKENS long and stops without a limit', () => {
    const answer = answerFor('m', 'x', undefined);
    expect(answer.tokens).toHaveLength(DEFAULT_MAX_TOKENS);
    expect(answer.finishReason).toBe('stop');
  });

  it('fills an empty prompt with a placeholder word', () => {
    expect(answerFor('m', '   ', 3).tokens).toEqual(['m', 'says:', 'nothing']);
  });

  it('counts whitespace-separated words', () => {
    expect(countTokens('')).toBe(0);
    expect(countTokens(' one\ttwo  three\n')).toBe(3);
  });
});

describe('embeddingFor and weightsFor', () => {
  it('depend on model and input only', () => {
    expect(embeddingFor('m', 'x')).toEqual(embeddingFor('m', 'x'));
    expect(embeddingFor('m', 'x')).not.toEqual(embeddingFor('n', 'x'));
    expect(weightsFor('m').subarray(0, 64).equals(weightsFor('m').subarray(0, 64))).toBe(true);
    expect(weightsFor('m').subarray(0, 64).equals(weightsFor('n').subarray(0, 64))).toBe(false);
  });
});
