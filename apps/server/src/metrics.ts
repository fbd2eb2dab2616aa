import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export type DeliveryResult =
  'queued' | 'ignored' | 'duplicate' | 'unauthorized' | 'bad-request' | 'unavailable';

export interface ServerMetrics {
  registry: Registry;
  deliveries: Counter<'event' | 'result'>;
  duplicates: Counter<'event'>;
  enqueueSeconds: Histogram<'event'>;
  /** `deliveries.inc({ event, result })` through a cached child: no label hashing per delivery. */
  countDelivery(event: string, result: DeliveryResult): void;
  countDuplicate(event: string): void;
  observeEnqueue(event: string, seconds: number): void;
}

const MAX_CACHED_LABEL_SETS = 256;

/** A registry per server instance, so several servers in one process (tests) don't clash. */
export function createServerMetrics(
  options: {
    defaultMetrics?: boolean;
    /** Deliveries stored but not yet moved into BullMQ by a worker; read on each scrape. */
    intakeBacklog?: () => Promise<number>;
    /** Times a worker recreated the intake's lost consumer group; read on each scrape. */
    intakeGroupsRecreated?: () => Promise<number>;
    /** Check runs open past their job's deadline; read on each scrape. */
    runsPastDeadline?: () => Promise<number>;
    /** The workers' counters (publish retries, stale deliveries, abandoned runs); read on each scrape. */
    gateCounters?: () => Promise<Record<string, number>>;
  } = {},
): ServerMetrics {
  const registry = new Registry();
  /** A gauge read from Redis on each scrape; NaN while Redis is down (/readyz reports it). */
  const gauge = (name: string, help: string, read: (() => Promise<number>) | undefined): void => {
    if (read === undefined) return;
    new Gauge({
      name,
      help,
      registers: [registry],
      async collect() {
        this.set(await read().catch(() => Number.NaN));
      },
    });
  };
  const counter = (key: string) =>
    options.gateCounters === undefined
      ? undefined
      : () => options.gateCounters!().then((counts) => counts[key] ?? 0);
  gauge(
    'testgate_intake_groups_recreated',
    'Times a worker found the intake consumer group gone (Redis lost its data) and recreated it; above 0 means Redis is not persistent',
    options.intakeGroupsRecreated,
  );
  gauge(
    'testgate_check_runs_past_deadline',
    "Check runs still in progress after their job's deadline; the sweeper finishes them, so this should stay 0",
    options.runsPastDeadline,
  );
  gauge(
    'testgate_publish_retries',
    'Times publishing a computed verdict to GitHub failed and was tried again later',
    counter('publish-retries'),
  );
  gauge(
    'testgate_stale_deliveries_skipped',
    'Deliveries for a head the pull request had already moved past, skipped',
    counter('stale-skipped'),
  );
  gauge(
    'testgate_check_runs_finished_for_dead_jobs',
    'Check runs finished by another worker because their job died or failed for good',
    counter('runs-abandoned'),
  );
  gauge(
    'testgate_intake_backlog',
    'Webhook deliveries queued in the intake stream that no worker has moved into BullMQ yet',
    options.intakeBacklog,
  );
  if (options.defaultMetrics ?? true)
    collectDefaultMetrics({ register: registry, prefix: 'testgate_' });
  const deliveries = new Counter({
    name: 'testgate_webhook_deliveries_total',
    help: 'Webhook deliveries received, by event and result',
    labelNames: ['event', 'result'] as const,
    registers: [registry],
  });
  const duplicates = new Counter({
    name: 'testgate_webhook_duplicates_total',
    help: 'Deliveries dropped because their X-GitHub-Delivery was seen before',
    labelNames: ['event'] as const,
    registers: [registry],
  });
  const enqueueSeconds = new Histogram({
    name: 'testgate_webhook_enqueue_seconds',
    help: 'Time to dedupe and durably store a delivery in the intake',
    labelNames: ['event'] as const,
    buckets: [0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
    registers: [registry],
  });
  // prom-client hashes the label object on every inc/observe; the label sets are few
  // (GitHub's event names times six results), so the bound children are cached. An
  // unsigned request can name any event, so the caches are capped rather than unbounded.
  const deliveryChildren = new Map<string, ReturnType<typeof deliveries.labels>>();
  const duplicateChildren = new Map<string, ReturnType<typeof duplicates.labels>>();
  const enqueueChildren = new Map<string, ReturnType<typeof enqueueSeconds.labels>>();
  function cached<C>(cache: Map<string, C>, key: string, make: () => C): C {
    let child = cache.get(key);
    if (child === undefined) {
      child = make();
      if (cache.size < MAX_CACHED_LABEL_SETS) cache.set(key, child);
    }
    return child;
  }
  return {
    registry,
    deliveries,
    duplicates,
    enqueueSeconds,
    countDelivery(event, result) {
      cached(deliveryChildren, `${event}\u0000${result}`, () =>
        deliveries.labels({ event, result }),
      ).inc();
    },
    countDuplicate(event) {
      cached(duplicateChildren, event, () => duplicates.labels({ event })).inc();
    },
    observeEnqueue(event, seconds) {
      cached(enqueueChildren, event, () => enqueueSeconds.labels({ event })).observe(seconds);
    },
  };
}
