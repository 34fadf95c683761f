// The upstream key check vLLM does with `--api-key`: every /v1 route needs
// `Authorization: Bearer <key>`; other paths (health, metrics) are open, as in vLLM.
import { createHash, timingSafeEqual } from 'node:crypto';

export type ApiKeyCheck = (path: string, authorization: string | undefined) => boolean;

const digest = (value: string): Buffer => createHash('sha256').update(value).digest();

export function apiKeyCheck(apiKey: string | undefined): ApiKeyCheck {
  if (apiKey === undefined) return () => true;
  // Compared as hashes: equal lengths for timingSafeEqual, and no early exit on the first byte.
  const expected = digest(`Bearer ${apiKey}`);
  return (path, authorization) => {
    if (path !== '/v1' && !path.startsWith('/v1/')) return true;
    return authorization !== undefined && timingSafeEqual(digest(authorization), expected);
  };
}
