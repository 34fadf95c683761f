import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { NodeSDK } from '@opentelemetry/sdk-node';

export interface Telemetry {
  shutdown(): Promise<void>;
}

/**
 * Starts the OpenTelemetry SDK for a service. Traces are exported only when an OTLP
 * endpoint is configured; without one the SDK still runs (context propagation, ids)
 * but sends nothing, so a dev machine never retries against a collector it lacks.
 */
export function startTelemetry(serviceName: string, otlpEndpoint?: string): Telemetry {
  const sdk = new NodeSDK({
    serviceName,
    autoDetectResources: false,
    instrumentations: [],
    ...(otlpEndpoint
      ? { traceExporter: new OTLPTraceExporter({ url: `${otlpEndpoint.replace(/\/$/, '')}/v1/traces` }) }
      : { spanProcessors: [] }),
  });
  sdk.start();
  return { shutdown: () => sdk.shutdown() };
}
