import type { DynamicModule } from '@nestjs/common';
import { KafkaModule } from '@modelgate/service-kit';
import type { DecisionConfig } from './config';
import { DecisionModule, type DecisionSeams } from './decision.module';

/** The decision service's modules: Kafka carries policy in and decision records out. */
export function decisionModules(config: DecisionConfig, seams: DecisionSeams = {}): DynamicModule[] {
  return [
    KafkaModule.forRoot({
      brokers: config.KAFKA_BROKERS,
      clientId: config.KAFKA_CLIENT_ID ?? `modelgate-decision-${config.REPLICA_ID}`,
    }),
    DecisionModule.forRoot(config, seams),
  ];
}
