// All API areas over one HttpClient: what components get from useApi().
import { aclApi } from './acl-api';
import { auditApi } from './audit-api';
import { decisionsApi } from './decisions-api';
import type { HttpClient } from './http-client';
import { identityApi } from './identity-api';
import { modelsApi } from './models-api';

export function createApi(http: HttpClient) {
  return {
    acl: aclApi(http),
    audit: auditApi(http),
    decisions: decisionsApi(http),
    identity: identityApi(http),
    models: modelsApi(http),
  };
}

export type Api = ReturnType<typeof createApi>;
