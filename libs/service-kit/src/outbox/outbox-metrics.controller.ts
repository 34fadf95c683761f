import { Controller, Get, Header } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { outboxLag } from '@modelgate/event-store';
import { OutboxRelayService } from './outbox-relay.service';

/**
 * `GET /metrics`, Prometheus text: the outbox lag (rows committed but not yet acknowledged
 * by Kafka, age of the oldest) and the relay's counters. Unauthenticated like every service's
 * metrics, and nothing of the events in it: keep the port private.
 */
@Controller('metrics')
export class OutboxMetricsController {
  constructor(
    private readonly dataSource: DataSource,
    private readonly relay: OutboxRelayService,
  ) {}

  @Get()
  @Header('content-type', 'text/plain; version=0.0.4')
  async metrics(): Promise<string> {
    const lag = await outboxLag(this.dataSource);
    const stats = this.relay.relay.stats;
    return [
      '# HELP modelgate_outbox_unpublished_rows Outbox rows committed but not yet acknowledged by Kafka.',
      '# TYPE modelgate_outbox_unpublished_rows gauge',
      `modelgate_outbox_unpublished_rows ${lag.unpublished}`,
      '# HELP modelgate_outbox_oldest_unpublished_seconds Age of the oldest unpublished outbox row.',
      '# TYPE modelgate_outbox_oldest_unpublished_seconds gauge',
      `modelgate_outbox_oldest_unpublished_seconds ${lag.oldestSeconds}`,
      '# HELP modelgate_outbox_relay_leader 1 when this replica relays the outbox.',
      '# TYPE modelgate_outbox_relay_leader gauge',
      `modelgate_outbox_relay_leader ${stats.leader ? 1 : 0}`,
      '# TYPE modelgate_outbox_published_total counter',
      `modelgate_outbox_published_total ${stats.published}`,
      '# TYPE modelgate_outbox_relay_failures_total counter',
      `modelgate_outbox_relay_failures_total ${stats.failures}`,
      '',
    ].join('\n');
  }
}
