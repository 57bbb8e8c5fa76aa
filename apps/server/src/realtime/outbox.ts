import { inArray, sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { Database, Tx } from '../db/connect.ts';
import { conversations, events } from '../db/schema.ts';
import { markPublishedAndDispatch } from '../modules/webhooks/dispatch.ts';
import type { Metrics } from '../observability/metrics.ts';
import type { Bus, BusMessage } from './bus.ts';

/** What one transaction wants published once it has committed. */
export class PendingPublish {
  readonly messages: BusMessage[] = [];
  readonly eventIds: number[] = [];

  add(message: BusMessage): void {
    this.messages.push(message);
  }
}

export interface EventInput {
  accountId: string;
  conversationId?: string | null;
  contactId?: string | null;
  type: string;
  actor: { kind: 'contact' | 'agent' | 'bot' | 'system' | 'token'; id: string | null };
  payload?: Record<string, unknown>;
}

/** Writes a journey/outbox event inside the caller's transaction. */
export async function recordEvent(tx: Tx, pending: PendingPublish, input: EventInput): Promise<void> {
  const [row] = await tx
    .insert(events)
    .values({
      accountId: input.accountId,
      conversationId: input.conversationId ?? null,
      contactId: input.contactId ?? null,
      type: input.type,
      actorKind: input.actor.kind,
      actorId: input.actor.id,
      payload: input.payload ?? {},
    })
    .returning({ id: events.id });
  if (row) pending.eventIds.push(row.id);
}

const SWEEP_LOCK_KEY = 727_274_002;

/**
 * Publishes after commit and makes sure nothing committed stays unpublished: events are marked once
 * their bus messages went out, and a sweeper re-announces any event a crashed node left behind. Marking
 * is also when an event becomes webhook deliveries (modules/webhooks/dispatch.ts), exactly once.
 */
export class Outbox {
  private readonly toMark: number[] = [];
  private markTimer: NodeJS.Timeout | undefined;
  private sweepTimer: NodeJS.Timeout | undefined;
  private readonly database: Database;
  private readonly bus: Bus;
  private readonly log: Logger;
  private readonly metrics: Metrics;
  private stopped = false;

  constructor(deps: { database: Database; bus: Bus; log: Logger; metrics: Metrics }) {
    this.database = deps.database;
    this.bus = deps.bus;
    this.log = deps.log;
    this.metrics = deps.metrics;
  }

  start(options: { sweepEveryMs: number; sweepAfterMs: number }): void {
    this.markTimer = setInterval(() => void this.flushMarks(), 200);
    this.sweepTimer = setInterval(() => void this.sweep(options.sweepAfterMs), options.sweepEveryMs);
    this.markTimer.unref();
    this.sweepTimer.unref();
  }

  publish(pending: PendingPublish): void {
    const sent = pending.messages.map((message) => this.bus.publish(message));
    if (pending.eventIds.length === 0) return;
    const ids = pending.eventIds;
    // Only what every node could hear is done. If the bus was unreachable, the events stay unmarked and
    // the sweeper announces them again: stream followers would also catch up by the periodic reconcile,
    // but account feeds on other nodes hear of the change only through the bus.
    void Promise.all(sent).then((results) => {
      if (results.every(Boolean)) this.toMark.push(...ids);
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.markTimer);
    clearInterval(this.sweepTimer);
    await this.flushMarks();
  }

  async flushMarks(): Promise<void> {
    if (this.toMark.length === 0) return;
    const ids = this.toMark.splice(0, this.toMark.length);
    try {
      await markPublishedAndDispatch(this.database, ids);
    } catch (err) {
      // Leaving them unmarked only means the sweeper announces them again; clients dedupe by seq.
      this.log.warn({ err }, 'could not mark events published');
    }
  }

  /** One node at a time re-announces conversations whose events were never marked published. */
  async sweep(olderThanMs: number): Promise<void> {
    if (this.stopped) return;
    try {
      await this.database.db.transaction(async (tx) => {
        if (this.database.kind === 'postgres') {
          const [lock] = await this.database.rows<{ ok: boolean }>(
            sql`select pg_try_advisory_xact_lock(${SWEEP_LOCK_KEY}) as ok`,
            tx,
          );
          if (!lock?.ok) return;
        }
        const [lag] = await this.database.rows<{ seconds: number | null }>(
          sql`select extract(epoch from now() - min(created_at))::float8 as seconds
              from events where published_at is null`,
          tx,
        );
        this.metrics.outboxLag.set(lag?.seconds ?? 0);
        // A node that cannot reach the bus leaves the announcing to the nodes that can.
        if (!this.bus.healthy) return;
        const stale = await this.database.rows<{ id: number; conversation_id: string | null }>(
          sql`select id, conversation_id from events
              where published_at is null and created_at < now() - make_interval(secs => ${olderThanMs / 1000})
              order by id limit 1000`,
          tx,
        );
        if (stale.length === 0) return;
        const conversationIds = [...new Set(stale.map((e) => e.conversation_id).filter((id) => id !== null))];
        if (conversationIds.length > 0) {
          const heads = await tx
            .select({
              id: conversations.id,
              accountId: conversations.accountId,
              lastSeq: conversations.lastSeq,
            })
            .from(conversations)
            .where(inArray(conversations.id, conversationIds));
          const sent = await Promise.all(
            heads.map((head) =>
              this.bus.publish({
                t: 'hint',
                accountId: head.accountId,
                conversationId: head.id,
                lastSeq: head.lastSeq,
              }),
            ),
          );
          // Announced to nobody: keep them for the next sweep.
          if (!sent.every(Boolean)) return;
        }
        await markPublishedAndDispatch(
          this.database,
          stale.map((e) => e.id),
          tx,
        );
        this.log.info({ count: stale.length }, 'outbox sweeper re-announced unpublished events');
      });
    } catch (err) {
      this.log.warn({ err }, 'outbox sweep failed');
    }
  }
}
