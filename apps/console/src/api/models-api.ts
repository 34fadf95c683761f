// Models: the ones the caller may view (OpenAI's list), and every model the backends serve (admin).
import type { HttpClient } from './http-client';

export interface BackendModel {
  readonly model: string;
  readonly engine: string;
}

export function modelsApi(http: HttpClient) {
  return {
    async visible(): Promise<string[]> {
      const body = (await http.json<{ data: { id: string }[] }>('/v1/models')).body;
      return body.data.map((m) => m.id);
    },
    async backends(): Promise<BackendModel[]> {
      return (await http.json<{ items: BackendModel[] }>('/v1/admin/backends')).body.items;
    },
  };
}

export type ModelsApi = ReturnType<typeof modelsApi>;
