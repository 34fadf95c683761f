import { Controller, Get, Header, Inject } from '@nestjs/common';
import { renderAuditMetrics, type AuditMetricsSnapshot } from './audit-metrics';
import { PROMETHEUS_CONTENT_TYPE } from './prometheus-text';

/** Reads the current figures when scraped (provided by the audit module). */
export const AUDIT_METRICS_SNAPSHOT = Symbol('AUDIT_METRICS_SNAPSHOT');
export type AuditMetricsSource = () => AuditMetricsSnapshot;

/**
 * Prometheus scrape endpoint. Unauthenticated, as the decision service's: it holds counts,
 * lags and forwarder names (the SIEM host:port), never a record; the service binds to
 * 127.0.0.1 unless BIND_ADDRESS says otherwise.
 */
@Controller('metrics')
export class MetricsController {
  constructor(@Inject(AUDIT_METRICS_SNAPSHOT) private readonly snapshot: AuditMetricsSource) {}

  @Get()
  @Header('content-type', PROMETHEUS_CONTENT_TYPE)
  @Header('cache-control', 'no-store')
  render(): string {
    return renderAuditMetrics(this.snapshot());
  }
}
