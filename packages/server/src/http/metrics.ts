import type { FastifyInstance } from 'fastify';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/** One registry per app, so several apps in one test process do not share counters. */
export function createMetrics(options: { processMetrics: boolean }) {
  const registry = new Registry();
  if (options.processMetrics) collectDefaultMetrics({ register: registry, prefix: 'vigil_' });
  const httpDuration = new Histogram({
    name: 'vigil_http_request_duration_seconds',
    help: 'HTTP request duration by route and status code',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  const incidentsOpened = new Counter({
    name: 'vigil_incidents_opened_total',
    help: 'Incidents opened, by how (manual, or the integration type that sent the alert)',
    labelNames: ['source'] as const,
    registers: [registry],
  });
  const ingestEvents = new Counter({
    name: 'vigil_ingest_events_total',
    help: 'Alert events accepted, by integration type and what they did (created, deduplicated, acknowledged, resolved, ignored)',
    labelNames: ['integration_type', 'result'] as const,
    registers: [registry],
  });
  const ingestRateLimited = new Counter({
    name: 'vigil_ingest_rate_limited_total',
    help: 'Ingest requests refused with 429',
    labelNames: ['integration_type'] as const,
    registers: [registry],
  });
  const ingestBatchSize = new Histogram({
    name: 'vigil_ingest_batch_size',
    help: 'Events written per group-commit transaction',
    buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500],
    registers: [registry],
  });
  const ingestBatchSeconds = new Histogram({
    name: 'vigil_ingest_batch_seconds',
    help: 'Time to plan and commit one ingest batch',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
    registers: [registry],
  });
  let queueDepth: () => number = () => 0;
  new Gauge({
    name: 'vigil_ingest_queue_depth',
    help: 'Ingest requests waiting for the next group commit',
    registers: [registry],
    collect() {
      this.set(queueDepth());
    },
  });
  const watchIngestQueue = (read: () => number) => {
    queueDepth = read;
  };
  const notificationsSent = new Counter({
    name: 'vigil_notifications_total',
    help: 'Notifications handled by the sender, by channel and outcome (sent, delivered, temporary, permanent, suppressed)',
    labelNames: ['channel', 'outcome'] as const,
    registers: [registry],
  });
  const engineCycleSeconds = new Histogram({
    name: 'vigil_engine_cycle_seconds',
    help: 'Time one engine cycle took (escalations reconciled and sends started)',
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  const engineLagSeconds = new Gauge({
    name: 'vigil_engine_lag_seconds',
    help: 'How late the oldest due escalation was when the last cycle started',
    registers: [registry],
  });
  const unreachable = new Counter({
    name: 'vigil_escalation_unreachable_total',
    help: 'Escalation steps that reached nobody (and escalated at once) or services without a policy',
    registers: [registry],
  });
  return {
    registry,
    notificationsSent,
    engineCycleSeconds,
    engineLagSeconds,
    unreachable,
    httpDuration,
    incidentsOpened,
    ingestEvents,
    ingestRateLimited,
    ingestBatchSize,
    ingestBatchSeconds,
    watchIngestQueue,
  };
}

export type Metrics = ReturnType<typeof createMetrics>;

export function installMetrics(app: FastifyInstance, metrics: Metrics) {
  app.addHook('onResponse', async (request, reply) => {
    metrics.httpDuration.observe(
      {
        method: request.method,
        route: request.routeOptions.url ?? 'unmatched',
        status_code: String(reply.statusCode),
      },
      reply.elapsedTime / 1000,
    );
  });
}
