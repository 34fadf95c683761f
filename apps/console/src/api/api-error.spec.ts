import { describe, expect, it } from 'vitest';
import { apiErrorOf } from './api-error';

describe('apiErrorOf', () => {
  it("reads the OpenAI-shaped error with the policy API's issues", () => {
    const e = apiErrorOf(400, {
      error: {
        message: 'rules[0].x: unknown',
        type: 'invalid_request_error',
        code: 'invalid_policy',
        request_id: 'r1',
        issues: [{ path: 'rules[0].x', message: 'unknown' }, { bogus: 1 }],
      },
    });
    expect([e.status, e.code, e.message, e.requestId]).toEqual([
      400,
      'invalid_policy',
      'rules[0].x: unknown',
      'r1',
    ]);
    expect(e.issues).toEqual([{ path: 'rules[0].x', message: 'unknown' }]);
  });
  it('marks 412 as a conflict', () => {
    expect(apiErrorOf(412, { error: { message: 'stale', code: 'version_mismatch' } }).isConflict).toBe(true);
  });
  it('still names the status when the body is not the error shape', () => {
    const e = apiErrorOf(502, '<html>bad gateway</html>', 'Bad Gateway');
    expect([e.code, e.message]).toEqual(['http_502', 'HTTP 502 Bad Gateway']);
  });
});
