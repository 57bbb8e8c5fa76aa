import type { Logger } from 'pino';
import type { Database, Tx } from './db/connect.ts';
import type { Env } from './env.ts';
import type { JobRunner } from './jobs/runner.ts';
import type { RateLimiter } from './lib/rate-limiter.ts';
import type { Mailer } from './mail/mailer.ts';
import type { MessageWriter } from './modules/messages/writer.ts';
import type { WebhookDeliverer } from './modules/webhooks/deliverer.ts';
import type { Metrics } from './observability/metrics.ts';
import type { Bus } from './realtime/bus.ts';
import { type Outbox, PendingPublish } from './realtime/outbox.ts';

/** Everything a request handler or command needs, built once per process (or per test). */
export interface AppContext {
  env: Env;
  database: Database;
  bus: Bus;
  outbox: Outbox;
  log: Logger;
  metrics: Metrics;
  rateLimiter: RateLimiter;
  messageWriter: MessageWriter;
  jobs: JobRunner;
  mailer: Mailer;
  /** Sends webhook deliveries; set once the context exists (it needs the context). */
  webhooks: WebhookDeliverer;
  now: () => Date;
}

/**
 * Runs `fn` in one transaction and publishes what it collected only after the commit succeeded, so
 * no client ever hears of a change that was rolled back.
 */
export async function transact<T>(
  ctx: AppContext,
  fn: (tx: Tx, pending: PendingPublish) => Promise<T>,
): Promise<T> {
  const pending = new PendingPublish();
  const result = await ctx.database.db.transaction((tx) => fn(tx, pending));
  ctx.outbox.publish(pending);
  return result;
}
