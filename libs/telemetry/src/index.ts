export { createLogger, REDACTED_PATHS, type Logger } from './logger';
export { startTelemetry, type Telemetry } from './tracing';
export { newTraceparent, traceIdOf } from './trace-context';
