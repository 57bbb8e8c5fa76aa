import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/** Prometheus metrics of one server process; a registry per app keeps tests independent. */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'parley_process_' });
  return {
    registry,
    httpDuration: new Histogram({
      name: 'parley_http_request_duration_seconds',
      help: 'HTTP request latency by route and status',
      labelNames: ['method', 'route', 'status'] as const,
      buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    openSockets: new Gauge({
      name: 'parley_realtime_open_sockets',
      help: 'WebSocket connections open on this node',
      registers: [registry],
    }),
    messagesCommitted: new Counter({
      name: 'parley_messages_committed_total',
      help: 'Messages durably stored by this node',
      registers: [registry],
    }),
    messageBatches: new Counter({
      name: 'parley_message_batches_total',
      help: 'Write batches of the message writer (group commit: messages committed ÷ batches = messages per commit), by how each was written',
      labelNames: ['mode'] as const,
      registers: [registry],
    }),
    eventsDelivered: new Counter({
      name: 'parley_events_delivered_total',
      help: 'Realtime frames delivered to sockets, by frame type',
      labelNames: ['type'] as const,
      registers: [registry],
    }),
    outboxLag: new Gauge({
      name: 'parley_outbox_lag_seconds',
      help: 'Age of the oldest committed event not yet published to the bus',
      registers: [registry],
    }),
    gapFills: new Counter({
      name: 'parley_realtime_gap_fills_total',
      help: 'Times a subscription read missed messages from the database instead of the bus',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
    resyncs: new Counter({
      name: 'parley_realtime_resync_required_total',
      help: 'Subscriptions answered with resync_required, by reason',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
