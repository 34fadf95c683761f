import type { DynamicModule } from '@nestjs/common';
import { KafkaModule } from '@modelgate/service-kit';
import type { GatewayConfig } from './config';

/** The gateway's modules. It faces users; its Kafka producer carries refusals to the audit log. */
export function gatewayModules(config: GatewayConfig): DynamicModule[] {
  return [
    KafkaModule.forRoot({
      brokers: config.KAFKA_BROKERS,
      clientId: config.KAFKA_CLIENT_ID ?? 'modelgate-gateway',
    }),
  ];
}
