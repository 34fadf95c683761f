import { Kafka, logLevel as KafkaLogLevel, type KafkaConfig, type LogEntry } from 'kafkajs';

export interface KafkaConnection {
  readonly brokers: readonly string[];
  readonly clientId: string;
}

/** Minimal logger port so this lib does not care which logger the app uses. */
export interface MessagingLogger {
  error(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  debug(obj: object, msg: string): void;
}

/** One way to build a Kafka client for every service: kafkajs, logs routed to the app's logger. */
export function createKafka(connection: KafkaConnection, logger?: MessagingLogger): Kafka {
  const config: KafkaConfig = {
    clientId: connection.clientId,
    brokers: [...connection.brokers],
    connectionTimeout: 3_000,
    requestTimeout: 30_000,
    retry: { initialRetryTime: 200, retries: 8, maxRetryTime: 5_000 },
    logLevel: KafkaLogLevel.WARN,
    ...(logger ? { logCreator: () => (entry: LogEntry) => route(logger, entry) } : {}),
  };
  return new Kafka(config);
}

function route(logger: MessagingLogger, { level, log, namespace }: LogEntry): void {
  const { message, ...extra } = log;
  const obj = { kafka: namespace, ...extra };
  if (level === KafkaLogLevel.ERROR) logger.error(obj, message);
  else if (level === KafkaLogLevel.WARN) logger.warn(obj, message);
  else if (level === KafkaLogLevel.INFO) logger.info(obj, message);
  else logger.debug(obj, message);
}
