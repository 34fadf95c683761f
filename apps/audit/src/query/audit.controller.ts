import { Readable } from 'node:stream';
import { Controller, Get, Inject, Query, Res, UseFilters, UseGuards } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type { AuditEventV1, AuditVerifyResultV1 } from '@modelgate/contracts';
import { AuditAccessGuard, visibleFilter, Viewer, type AuditViewer } from '../auth/audit-access.guard';
import { verifyAuditChain } from '../chain/verify-audit-chain';
import { csvHeader, csvLine, ndjsonLine } from '../export/csv';
import { ExportStats } from '../metrics/audit-metrics';
import { AuditLogRepository, type AuditFilter } from '../storage/audit-log.repository';
import { AuditError } from './audit-error';
import { AuditExceptionFilter } from './audit-exception.filter';
import { encodeCursor, parseAuditQuery } from './audit-query';

@Controller('v1/audit')
@UseGuards(AuditAccessGuard)
@UseFilters(AuditExceptionFilter)
export class AuditController {
  constructor(
    @Inject(AuditLogRepository) private readonly repository: AuditLogRepository,
    @Inject(ExportStats) private readonly exportStats: ExportStats,
  ) {}

  /** Newest first; `next_cursor` continues after the last item (keyset on seq: stable while rows arrive). */
  @Get('events')
  async events(
    @Query() query: unknown,
    @Viewer() viewer: AuditViewer,
  ): Promise<{ items: AuditEventV1[]; next_cursor: string | null }> {
    const q = parseAuditQuery(query);
    const filter = visibleFilter(viewer, q.filter);
    const items = await this.repository.page(filter, q.beforeSeq, q.limit + 1);
    const page = items.slice(0, q.limit);
    const last = page.at(-1);
    return {
      items: page,
      next_cursor: items.length > q.limit && last ? encodeCursor(last.seq, q.filter) : null,
    };
  }

  @Get('export.csv')
  exportCsv(
    @Query() query: unknown,
    @Viewer() viewer: AuditViewer,
    @Res() reply: FastifyReply,
  ): FastifyReply {
    const q = parseAuditQuery(query);
    return this.export(q.format ?? 'csv', visibleFilter(viewer, q.filter), reply);
  }

  @Get('export.ndjson')
  exportNdjson(
    @Query() query: unknown,
    @Viewer() viewer: AuditViewer,
    @Res() reply: FastifyReply,
  ): FastifyReply {
    const q = parseAuditQuery(query);
    if (q.format === 'csv') throw new AuditError('invalid_request', 'format: export.ndjson is NDJSON');
    return this.export('ndjson', visibleFilter(viewer, q.filter), reply);
  }

  @Get('verify')
  async verify(@Viewer() viewer: AuditViewer): Promise<AuditVerifyResultV1> {
    if (!viewer.seesAll)
      throw new AuditError('forbidden', 'verifying the audit trail needs the auditor role');
    return verifyAuditChain(this.repository);
  }

  /**
   * Streams every matching row, oldest first, through a server-side cursor: one FETCH of
   * rows at a time, pulled only as fast as the client reads (Readable.from pulls the
   * generator on demand, Fastify pipes with backpressure). A client that goes away
   * destroys the stream, which closes the cursor and its transaction.
   */
  private export(format: 'csv' | 'ndjson', filter: AuditFilter, reply: FastifyReply): FastifyReply {
    const rows = this.repository.stream(filter, 'asc');
    const stats = this.exportStats;
    async function* lines(): AsyncGenerator<string> {
      let sent = 0;
      let completed = false;
      try {
        if (format === 'csv') yield csvHeader();
        let chunk = '';
        let inChunk = 0;
        for await (const e of rows) {
          chunk += format === 'csv' ? csvLine(e) : ndjsonLine(e);
          inChunk += 1;
          if (chunk.length >= 64 * 1024) {
            yield chunk;
            sent += inChunk;
            chunk = '';
            inChunk = 0;
          }
        }
        if (chunk) yield chunk;
        sent += inChunk;
        completed = true;
      } finally {
        // Also when the client goes away: the stream is destroyed and the generator returns.
        stats.record(format, completed ? 'completed' : 'aborted', sent);
      }
    }
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    return reply
      .header(
        'content-type',
        format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8',
      )
      .header('content-disposition', `attachment; filename="audit-${stamp}.${format}"`)
      .header('cache-control', 'no-store')
      .send(Readable.from(lines(), { objectMode: false, highWaterMark: 256 * 1024 }));
  }
}
