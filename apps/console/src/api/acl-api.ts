// The policy API (ARCHITECTURE.md "Policy"), reached through the gateway at /v1/acl.
import type { HttpClient } from './http-client';
import type { ValidationIssue } from './api-error';

export type PolicyMode = 'enforce' | 'shadow';

export interface PolicyDocument {
  readonly model: string;
  readonly mode: PolicyMode;
  readonly rules: readonly Record<string, unknown>[];
}

export interface Actor {
  readonly id: string;
  readonly type: string;
  readonly ip?: string | null;
}

export interface AclDocument {
  readonly model: string;
  readonly version: number;
  readonly enforce: PolicyDocument | null;
  readonly shadow: PolicyDocument | null;
  readonly updated_at: string | null;
  readonly updated_by: Actor | null;
}

export interface AclWriteResult extends AclDocument {
  readonly changed: boolean;
}

export interface SlotDiff {
  readonly change: 'created' | 'deleted' | 'changed';
  readonly added: readonly Record<string, unknown>[];
  readonly removed: readonly Record<string, unknown>[];
  readonly changed: readonly {
    readonly id: string;
    readonly before: Record<string, unknown>;
    readonly after: Record<string, unknown>;
  }[];
}

export interface HistoryEntry {
  readonly version: number;
  readonly event_id: string;
  readonly type: string;
  readonly occurred_at: string;
  readonly actor: Actor | null;
  readonly user_agent: string | null;
  readonly request_id: string | null;
  readonly rolled_back_to: number | null;
  readonly diff: Partial<Record<PolicyMode, SlotDiff>>;
}

export interface Page<T> {
  readonly items: T[];
  readonly next_cursor: string | null;
}

export type ValidationResult =
  | { readonly valid: true; readonly document: PolicyDocument }
  | { readonly valid: false; readonly issues: ValidationIssue[] };

const path = (model: string): string => `/v1/acl/models/${encodeURIComponent(model)}`;
const ifMatch = (version: number | null): Record<string, string> =>
  version === null ? {} : { 'if-match': `"${version}"` };

export function aclApi(http: HttpClient) {
  return {
    /** Every document, following cursors (the console shows them all on one page). */
    async listAll(): Promise<AclDocument[]> {
      const all: AclDocument[] = [];
      let cursor: string | null = null;
      do {
        const page: Page<AclDocument> = (
          await http.json<Page<AclDocument>>('/v1/acl/models', { query: { limit: 200, cursor } })
        ).body;
        all.push(...page.items);
        cursor = page.next_cursor;
      } while (cursor !== null);
      return all;
    },
    async get(model: string): Promise<AclDocument> {
      return (await http.json<AclDocument>(path(model))).body;
    },
    /** Replaces the document of `document.mode`; 412 (ApiError.isConflict) when `version` is stale. */
    async put(model: string, document: PolicyDocument, version: number | null): Promise<AclWriteResult> {
      const empty = document.rules.length === 0 ? { confirm_empty: 'true' } : undefined;
      return (
        await http.json<AclWriteResult>(path(model), {
          method: 'PUT',
          body: document,
          headers: ifMatch(version),
          query: empty,
        })
      ).body;
    },
    async history(model: string, cursor: string | null): Promise<Page<HistoryEntry>> {
      return (await http.json<Page<HistoryEntry>>(`${path(model)}/history`, { query: { limit: 50, cursor } }))
        .body;
    },
    async rollback(model: string, toVersion: number, version: number): Promise<AclWriteResult> {
      return (
        await http.json<AclWriteResult>(`${path(model)}/rollback`, {
          method: 'POST',
          body: { version: toVersion },
          headers: ifMatch(version),
        })
      ).body;
    },
    async promote(model: string, version: number): Promise<AclWriteResult> {
      return (
        await http.json<AclWriteResult>(`${path(model)}/promote`, {
          method: 'POST',
          headers: ifMatch(version),
        })
      ).body;
    },
    /** Drops the shadow candidate unpromoted; the enforced document stays as it is. */
    async discardShadow(model: string, version: number): Promise<AclWriteResult> {
      return (
        await http.json<AclWriteResult>(`${path(model)}/shadow`, {
          method: 'DELETE',
          headers: ifMatch(version),
        })
      ).body;
    },
    async remove(model: string, version: number): Promise<AclWriteResult> {
      return (await http.json<AclWriteResult>(path(model), { method: 'DELETE', headers: ifMatch(version) }))
        .body;
    },
    async validate(document: unknown): Promise<ValidationResult> {
      return (await http.json<ValidationResult>('/v1/acl/validate', { method: 'POST', body: document })).body;
    },
  };
}

export type AclApi = ReturnType<typeof aclApi>;
