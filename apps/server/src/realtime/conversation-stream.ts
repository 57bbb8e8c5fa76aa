import type { Message } from '@parley/shared';
import { and, asc, eq, gt } from 'drizzle-orm';
import type { Database } from '../db/connect.ts';
import { messages } from '../db/schema.ts';
import { presentMessage } from '../modules/messages/presenter.ts';

const PAGE = 500;

/**
 * One client's subscription to one conversation. It delivers every message after the client's cursor
 * exactly once and in seq order: live messages arrive from the bus, and whenever one arrives out of
 * turn (a gap) or the bus may have dropped some, the missing range is read from the database.
 */
export class ConversationStream {
  readonly conversationId: string;
  readonly accountId: string;
  readonly inboxId: string;
  /** Highest seq handled (delivered or, for visitors, skipped as private). */
  lastSeq: number;
  private lastDelivered: number;
  private readonly hidePrivate: boolean;
  private readonly send: (conversationId: string, prevSeq: number, message: Message) => void;
  private readonly database: Database;
  private readonly onError: (error: unknown) => void;
  private buffer: Message[] = [];
  private pumping = false;
  /** Until `start()`, live messages are only buffered: nothing may reach the client before `subscribed`. */
  private started = false;
  private needsFill = false;
  active = true;

  constructor(options: {
    conversationId: string;
    accountId: string;
    inboxId: string;
    afterSeq: number;
    hidePrivate: boolean;
    database: Database;
    send: (conversationId: string, prevSeq: number, message: Message) => void;
    /** A background catch-up failed (say, its connection was lost); the next reconcile tries again. */
    onError: (error: unknown) => void;
  }) {
    this.conversationId = options.conversationId;
    this.accountId = options.accountId;
    this.inboxId = options.inboxId;
    this.lastSeq = options.afterSeq;
    this.lastDelivered = options.afterSeq;
    this.hidePrivate = options.hidePrivate;
    this.database = options.database;
    this.send = options.send;
    this.onError = options.onError;
  }

  /** A message from the bus. Returns true if it revealed a gap that needs the database. */
  onLive(message: Message): boolean {
    if (!this.active) return false;
    if (this.pumping || !this.started) {
      this.buffer.push(message);
      return false;
    }
    if (message.seq <= this.lastSeq) return false;
    if (message.seq === this.lastSeq + 1) {
      this.deliver(message);
      return false;
    }
    this.buffer.push(message);
    this.pumpInBackground();
    return true;
  }

  /** The conversation is known to have reached `headSeq`; fetch anything this stream lacks. */
  onHead(headSeq: number): boolean {
    if (!this.active || !this.started || headSeq <= this.lastSeq) return false;
    this.pumpInBackground();
    return true;
  }

  /** Nobody awaits these pumps: a rejection must not escape (it would end the process). */
  private pumpInBackground(): void {
    this.pump().catch(this.onError);
  }

  /** Called once `subscribed` is sent: delivers everything after the cursor, then what came live. */
  start(): Promise<void> {
    this.started = true;
    return this.pump();
  }

  /** Reads from the database until caught up, then drains what the bus delivered meanwhile. */
  async pump(): Promise<void> {
    if (this.pumping) {
      this.needsFill = true;
      return;
    }
    this.pumping = true;
    try {
      do {
        this.needsFill = false;
        await this.fill();
        this.buffer.sort((a, b) => a.seq - b.seq);
        while (this.buffer.length > 0 && this.active) {
          const next = this.buffer[0] as Message;
          if (next.seq <= this.lastSeq) {
            this.buffer.shift();
          } else if (next.seq === this.lastSeq + 1) {
            this.buffer.shift();
            this.deliver(next);
          } else {
            this.needsFill = true;
            break;
          }
        }
      } while (this.needsFill && this.active);
    } finally {
      this.pumping = false;
    }
  }

  private async fill(): Promise<void> {
    for (;;) {
      if (!this.active) return;
      const rows = await this.database.db
        .select()
        .from(messages)
        .where(and(eq(messages.conversationId, this.conversationId), gt(messages.seq, this.lastSeq)))
        .orderBy(asc(messages.seq))
        .limit(PAGE);
      for (const row of rows) {
        if (row.seq === this.lastSeq + 1) this.deliver(presentMessage(row));
      }
      if (rows.length < PAGE) return;
    }
  }

  private deliver(message: Message): void {
    this.lastSeq = message.seq;
    if (this.hidePrivate && message.private) return;
    const prev = this.lastDelivered;
    this.lastDelivered = message.seq;
    this.send(this.conversationId, prev, message);
  }
}
