// The audit API (ARCHITECTURE.md "Audit"): filtered, cursor-paged events, CSV export, chain verify.
import type { HttpClient } from './http-client';
import { withQuery } from './http-client';
import type { AuditEventV1, AuditVerifyResultV1 } from '@modelgate/contracts';
import type { Page } from './acl-api';

/** The audit API's filters, as its query parameters are named. */
export interface AuditFilters {
  readonly principal?: string;
  readonly model?: string;
  readonly operation?: string;
  readonly decision?: 'allow' | 'deny';
  /** RFC 3339 */
  readonly from?: string;
  readonly to?: string;
}

function query(filters: AuditFilters): Record<string, string | undefined> {
  return { ...filters };
}

export function auditApi(http: HttpClient) {
  return {
    async events(filters: AuditFilters, cursor: string | null, limit = 50): Promise<Page<AuditEventV1>> {
      return (
        await http.json<Page<AuditEventV1>>('/v1/audit/events', {
          query: { ...query(filters), cursor, limit },
        })
      ).body;
    },
    async verify(): Promise<AuditVerifyResultV1> {
      return (await http.json<AuditVerifyResultV1>('/v1/audit/verify')).body;
    },
    /** The CSV export as a Blob (fetched with the bearer token, so no token ever goes into a URL). */
    async exportCsv(filters: AuditFilters): Promise<{ blob: Blob; filename: string }> {
      const response = await http.raw(withQuery('/v1/audit/export.csv', query(filters)), {
        headers: { accept: 'text/csv' },
      });
      const disposition = response.headers.get('content-disposition') ?? '';
      const filename = /filename="([^"]+)"/.exec(disposition)?.[1] ?? 'audit.csv';
      return { blob: await response.blob(), filename };
    },
  };
}

export type AuditApi = ReturnType<typeof auditApi>;
