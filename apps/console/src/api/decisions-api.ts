// The access simulator's call: POST /v1/decisions/explain through the gateway (acl-viewer/acl-admin).
import type { ExplainAnswerV1 } from '@modelgate/contracts';
import type { HttpClient } from './http-client';

export interface ExplainRequest {
  readonly principal: { id: string; type: string; roles: string[]; groups: string[] };
  readonly model: string;
  readonly operation: string;
  readonly context: { ip?: string; time?: string };
}

export function decisionsApi(http: HttpClient) {
  return {
    async explain(request: ExplainRequest): Promise<ExplainAnswerV1> {
      return (await http.json<ExplainAnswerV1>('/v1/decisions/explain', { method: 'POST', body: request }))
        .body;
    },
  };
}

export type DecisionsApi = ReturnType<typeof decisionsApi>;
