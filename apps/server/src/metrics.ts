import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export type DeliveryResult = 'queued' | 'ignored' | 'duplicate' | 'unauthorized' | 'bad-request' | 'unavailable';

export interface ServerMetrics {
  registry: Registry;
  deliveries: Counter<'event' | 'result'>;
  duplicates: Counter<'event'>;
  enqueueSeconds: Histogram<'event'>;
}

/** A registry per server instance, so several servers in one process (tests) don't clash. */
export function createServerMetrics(options: { defaultMetrics?: boolean } = {}): ServerMetrics {
  const registry = new Registry();
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: 'testgate_' });
  return {
    registry,
    deliveries: new Counter({
      name: 'testgate_webhook_deliveries_total',
      help: 'Webhook deliveries received, by event and result',
      labelNames: ['event', 'result'],
      registers: [registry],
    }),
    duplicates: new Counter({
      name: 'testgate_webhook_duplicates_total',
      help: 'Deliveries dropped because their X-GitHub-Delivery was seen before',
      labelNames: ['event'],
      registers: [registry],
    }),
    enqueueSeconds: new Histogram({
      name: 'testgate_webhook_enqueue_seconds',
      help: 'Time to dedupe and durably enqueue a gate job',
      labelNames: ['event'],
      buckets: [0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
      registers: [registry],
    }),
  };
}
