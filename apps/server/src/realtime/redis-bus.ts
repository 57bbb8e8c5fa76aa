import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Bus, BusHandler, BusMessage } from './bus.ts';

const CHANNEL = 'parley:bus:v1';

/**
 * Several nodes: every node publishes to one Redis channel and hears every other node. Local
 * subscribers are served straight away, so a node never waits on Redis for its own sockets, and Redis
 * being down only delays what crosses nodes. When the subscription comes back, `onRecovered` handlers
 * run so the gateway re-reads anything it may have missed from the database.
 */
export class RedisBus implements Bus {
  readonly kind = 'redis';
  private readonly pub: Redis;
  private readonly sub: Redis;
  private readonly handlers = new Set<BusHandler>();
  private readonly recoveredHandlers = new Set<() => void>();
  private readonly nodeId: string;
  private readonly log: Logger;
  private subscribed = false;
  /** Set once `connect()` has returned: any subscription after that follows a period of deafness. */
  private started = false;

  private constructor(url: string, nodeId: string, log: Logger) {
    // Names are for people and may repeat (the default derives from the pid, 1 in every container):
    // telling this process's own messages apart needs an id no other process has.
    this.nodeId = `${nodeId}/${randomUUID()}`;
    this.log = log;
    const options = {
      maxRetriesPerRequest: 1,
      enableOfflineQueue: false,
      retryStrategy: (times: number) => Math.min(times * 200, 2_000),
      lazyConnect: true,
    };
    this.pub = new Redis(url, options);
    this.sub = new Redis(url, { ...options, enableOfflineQueue: true });
    this.pub.on('error', () => {});
    this.sub.on('error', () => {});
    this.sub.on('close', () => {
      if (this.subscribed) this.log.warn('redis bus subscription lost; cross-node delivery degraded');
      this.subscribed = false;
    });
    this.sub.on('ready', () => {
      void this.sub.subscribe(CHANNEL).then(
        () => {
          this.subscribed = true;
          if (this.started) {
            this.log.info('redis bus subscription restored');
            for (const handler of this.recoveredHandlers) handler();
          }
        },
        (err: unknown) => this.log.warn({ err }, 'redis subscribe failed'),
      );
    });
    this.sub.on('message', (_channel: string, raw: string) => {
      let envelope: { n: string; m: BusMessage };
      try {
        envelope = JSON.parse(raw) as { n: string; m: BusMessage };
      } catch {
        return;
      }
      if (envelope.n === this.nodeId) return;
      this.deliver(envelope.m);
    });
  }

  static async connect(url: string, nodeId: string, log: Logger): Promise<RedisBus> {
    const bus = new RedisBus(url, nodeId, log);
    // Both connections keep retrying in the background (retryStrategy): a node starts even while Redis
    // is down, reports itself degraded, and joins the bus (with a reconcile) when Redis is back.
    bus.pub.connect().catch(() => {});
    bus.sub.connect().catch(() => {});
    // Wait a little for the subscription, so that normally nothing published after start-up is missed.
    const deadline = Date.now() + 5_000;
    while (!bus.subscribed && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    if (!bus.subscribed)
      log.warn('redis unreachable at start-up; cross-node delivery degraded until it is back');
    bus.started = true;
    return bus;
  }

  get healthy(): boolean {
    return this.subscribed && this.pub.status === 'ready';
  }

  publish(message: BusMessage): Promise<boolean> {
    queueMicrotask(() => this.deliver(message));
    if (this.pub.status !== 'ready') return Promise.resolve(false);
    // Redis answers PUBLISH once the message is handed to every subscribed connection.
    return this.pub.publish(CHANNEL, JSON.stringify({ n: this.nodeId, m: message })).then(
      () => true,
      () => false,
    );
  }

  subscribe(handler: BusHandler): () => void {
    this.handlers.add(handler);
    return () => this.handlers.delete(handler);
  }

  onRecovered(handler: () => void): () => void {
    this.recoveredHandlers.add(handler);
    return () => this.recoveredHandlers.delete(handler);
  }

  async ping(): Promise<void> {
    await this.pub.ping();
  }

  async close(): Promise<void> {
    this.handlers.clear();
    this.recoveredHandlers.clear();
    this.sub.disconnect();
    this.pub.disconnect();
  }

  private deliver(message: BusMessage): void {
    for (const handler of this.handlers) handler(message);
  }
}
