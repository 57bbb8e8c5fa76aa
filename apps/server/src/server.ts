import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { buildApp } from './app.ts';
import type { AppContext } from './context.ts';
import { connectDatabase, type Database } from './db/connect.ts';
import type { Env } from './env.ts';
import { registerJobHandlers } from './jobs/handlers.ts';
import { JobRunner } from './jobs/runner.ts';
import { RateLimiter } from './lib/rate-limiter.ts';
import { createMailer } from './mail/mailer.ts';
import { MessageWriter } from './modules/messages/writer.ts';
import { WebhookDeliverer } from './modules/webhooks/deliverer.ts';
import { createLogger } from './observability/logger.ts';
import { createMetrics } from './observability/metrics.ts';
import { type Bus, MemoryBus } from './realtime/bus.ts';
import { RealtimeGateway } from './realtime/gateway.ts';
import { Outbox } from './realtime/outbox.ts';
import { RedisBus } from './realtime/redis-bus.ts';

export interface RunningServer {
  ctx: AppContext;
  app: FastifyInstance;
  gateway: RealtimeGateway;
  url: string;
  port: number;
  /** Graceful: stop accepting, ask sockets to reconnect elsewhere, finish in-flight work, close. */
  stop(): Promise<void>;
}

export interface StartOptions {
  env: Env;
  /** Reuse an open database (tests); otherwise one is opened from the environment. */
  database?: Database;
  logger?: Logger;
  now?: () => Date;
  reconcileEveryMs?: number;
  sweep?: { everyMs: number; afterMs: number };
  /** How often due jobs are polled; 0 leaves polling to the caller (tests call ctx.jobs.runDue()). */
  jobPollMs?: number;
}

async function createBus(env: Env, log: Logger): Promise<Bus> {
  if (!env.REDIS_URL) return new MemoryBus();
  return RedisBus.connect(env.REDIS_URL, env.nodeName, log);
}

export async function startServer(options: StartOptions): Promise<RunningServer> {
  const { env } = options;
  const log = options.logger ?? createLogger(env.LOG_LEVEL, env.nodeName);
  const database =
    options.database ??
    (await connectDatabase({
      databaseUrl: env.DATABASE_URL,
      dataDir: env.DATA_DIR,
      poolSize: env.DATABASE_POOL_SIZE,
    }));
  await database.migrate();
  const metrics = createMetrics();
  const bus = await createBus(env, log);
  const outbox = new Outbox({ database, bus, log, metrics });
  const now = options.now ?? (() => new Date());
  const mailer = createMailer(env, log);
  const ctx: AppContext = {
    env,
    database,
    bus,
    outbox,
    log,
    metrics,
    rateLimiter: new RateLimiter(),
    // PGlite runs one transaction at a time, so one lane. On PostgreSQL each lane is one transaction at a
    // time: more lanes write in parallel, fewer make bigger batches; bench/write-path on 2 cores measured
    // 5,300 messages/s with 8 lanes, 6,300 with 4 and 5,900 with 2 (100 writers). Never the whole pool.
    messageWriter: new MessageWriter({
      database,
      outbox,
      metrics,
      log,
      lanes:
        database.kind === 'pglite'
          ? 1
          : Math.max(1, Math.min(env.MESSAGE_WRITER_LANES, env.DATABASE_POOL_SIZE - 2)),
      emailFollowups: mailer.configured,
    }),
    jobs: new JobRunner({ database, log, now }),
    mailer,
    now,
  } as Omit<AppContext, 'webhooks'> as AppContext;
  ctx.webhooks = new WebhookDeliverer(ctx);
  registerJobHandlers(ctx);
  const app = await buildApp(ctx);
  let draining = false;
  // While stopping, a response ends its keep-alive connection: a browser would otherwise hold an idle
  // connection open and keep the process from exiting until the shutdown grace runs out.
  app.addHook('onSend', async (_request, reply, payload) => {
    if (draining) reply.header('connection', 'close');
    return payload;
  });
  const gateway = new RealtimeGateway(ctx, { reconcileEveryMs: options.reconcileEveryMs });
  gateway.attach(app.server);
  if (options.jobPollMs !== 0) {
    ctx.jobs.start(options.jobPollMs ?? 1_000);
    ctx.webhooks.start(options.jobPollMs ?? 1_000);
  }
  outbox.start({
    sweepEveryMs: options.sweep?.everyMs ?? 2_000,
    sweepAfterMs: options.sweep?.afterMs ?? 5_000,
  });
  await app.listen({ port: env.PORT, host: env.HOST });
  const port = (app.server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;
  log.info({ url, database: database.kind, bus: bus.kind }, 'parley is listening');

  let stopping: Promise<void> | null = null;
  const stop = () => {
    stopping ??= (async () => {
      log.info('shutting down');
      draining = true;
      await gateway.shutdown();
      await app.close();
      await ctx.jobs.stop();
      await ctx.webhooks.stop();
      await outbox.stop();
      ctx.mailer.close();
      await bus.close();
      if (!options.database) await database.close();
    })();
    return stopping;
  };
  return { ctx, app, gateway, url, port, stop };
}
