export { createKafka, type KafkaConnection, type MessagingLogger } from './kafka-client';
export {
  ACKS_ALL,
  SAFE_PRODUCER_CONFIG,
  SafeProducer,
  UnsafeProducerConfigError,
  assertSafeProducer,
} from './safe-producer';
export { createEnvelope, decodeEnvelope, encodeEnvelope, type NewEvent } from './envelope-codec';
export { ensureTopics } from './ensure-topics';
export { retryRetriable } from './retry-retriable';
