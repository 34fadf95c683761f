import { parsePolicyDocument, type PolicyDocument } from '@modelgate/acl';
import { describe, expect, it } from 'vitest';
import { MODEL_COUNT, generateDocuments, generateRequests, regenerateDocument } from './synthetic';

function parseAll(rules: number, seed: number): PolicyDocument[] {
  return generateDocuments(rules, seed).map((json) => {
    const parsed = parsePolicyDocument(json);
    if (!parsed.ok)
      throw new Error(parsed.issues.map((issue) => `${issue.path}: ${issue.message}`).join('; '));
    return parsed.value;
  });
}

describe('the synthetic policy set', () => {
  it('is the same for the same seed, valid, and has exactly the rules asked for', () => {
    expect(generateDocuments(3_000, 7)).toEqual(generateDocuments(3_000, 7));
    expect(generateDocuments(3_000, 7)).not.toEqual(generateDocuments(3_000, 8));
    const documents = parseAll(3_000, 7);
    expect(documents.reduce((sum, doc) => sum + doc.rules.length, 0)).toBe(3_000);
    expect(documents.some((doc) => doc.model === '*')).toBe(true);
    expect(documents.filter((doc) => !doc.model.includes('*')).length).toBeLessThanOrEqual(MODEL_COUNT);
  });

  it('regenerates a document with as many rules, still valid', () => {
    const [first] = generateDocuments(200, 1);
    const next = regenerateDocument(first!, 99);
    expect(next.rules).toHaveLength(first!.rules.length);
    expect(parsePolicyDocument(next).ok).toBe(true);
  });

  it('makes the same requests for the same seed, half of them for a user a rule names', () => {
    const documents = parseAll(2_000, 3);
    const requests = generateRequests(documents, 200, 5);
    expect(requests).toEqual(generateRequests(documents, 200, 5));
    const named = new Set(documents.flatMap((doc) => doc.rules.map((rule) => rule.principal.value)));
    const forNamed = requests.filter((request) => named.has(request.principal.id)).length;
    expect(forNamed).toBeGreaterThan(60);
  });
});
