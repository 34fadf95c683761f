export { createServiceApp, type ServiceDefinition } from './bootstrap/create-service-app';
export { runService, type RunServiceOptions } from './bootstrap/run-service';
export { CONFIG, LOGGER } from './bootstrap/tokens';
export { HealthModule } from './health/health.module';
export { ReadinessRegistry, type ReadinessCheck, type ReadinessReport } from './health/readiness';
export { apiError, errorTypeFor, replyWithApiError, type ApiErrorBody } from './errors/api-error';
export { GlobalExceptionFilter } from './errors/global-exception.filter';
export { KafkaModule, KAFKA, InjectKafka } from './kafka/kafka.module';
export { DatabaseModule, type DatabaseOptions } from './database/database.module';
