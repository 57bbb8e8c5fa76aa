import type { Message } from '@parley/shared';
import type { Logger } from 'pino';
import type { Database } from '../../db/connect.ts';
import type { Metrics } from '../../observability/metrics.ts';
import type { Outbox } from '../../realtime/outbox.ts';
import { PendingPublish } from '../../realtime/outbox.ts';
import {
  type AppendMessageInput,
  answerDuplicate,
  appendMessage,
  DuplicateMessage,
  findExistingMessage,
} from './commands.ts';

type Outcome = { message: Message; created: boolean };

interface Job {
  input: AppendMessageInput;
  resolve: (outcome: Outcome) => void;
  reject: (error: unknown) => void;
  attempts: number;
}

const MAX_BATCH = 64;
/** Deadlocks and serialization failures: the whole batch rolled back and may simply run again. */
const RETRYABLE = new Set(['40P01', '40001']);

/**
 * Group commit for messages. Each lane runs one transaction at a time; messages that arrive while it is
 * busy are committed together in its next transaction, each inside its own savepoint so one bad message
 * does not fail its neighbours. At low load a message is written at once (no timer); under load many
 * messages share one commit. A conversation always uses the same lane, and a batch locks its
 * conversations in id order, so lanes and nodes cannot deadlock on each other.
 */
export class MessageWriter {
  private readonly lanes: Job[][];
  private readonly busy: boolean[];
  private readonly database: Database;
  private readonly outbox: Outbox;
  private readonly metrics: Metrics;
  private readonly log: Logger;

  constructor(deps: { database: Database; outbox: Outbox; metrics: Metrics; log: Logger; lanes: number }) {
    this.database = deps.database;
    this.outbox = deps.outbox;
    this.metrics = deps.metrics;
    this.log = deps.log;
    this.lanes = Array.from({ length: Math.max(1, deps.lanes) }, () => []);
    this.busy = this.lanes.map(() => false);
  }

  submit(input: AppendMessageInput): Promise<Outcome> {
    return new Promise((resolve, reject) => {
      const lane = laneOf(input.conversationId, this.lanes.length);
      this.lanes[lane]?.push({ input, resolve, reject, attempts: 0 });
      void this.drain(lane);
    });
  }

  private async drain(lane: number): Promise<void> {
    if (this.busy[lane]) return;
    this.busy[lane] = true;
    try {
      const queue = this.lanes[lane] as Job[];
      while (queue.length > 0) {
        const batch = queue.splice(0, MAX_BATCH);
        await this.commit(batch, queue);
      }
    } finally {
      this.busy[lane] = false;
    }
  }

  private async commit(batch: Job[], queue: Job[]): Promise<void> {
    const ordered = [...batch].sort((a, b) => (a.input.conversationId < b.input.conversationId ? -1 : 1));
    let results: Array<{ job: Job; pending: PendingPublish; message?: Message; error?: unknown }>;
    try {
      results = await this.database.db.transaction(async (tx) => {
        const out: Array<{ job: Job; pending: PendingPublish; message?: Message; error?: unknown }> = [];
        for (const job of ordered) {
          const pending = new PendingPublish();
          try {
            const message =
              ordered.length === 1
                ? await appendMessage(tx, pending, job.input)
                : await tx.transaction((savepoint) => appendMessage(savepoint, pending, job.input));
            out.push({ job, pending, message });
          } catch (error) {
            if (ordered.length === 1) throw error;
            out.push({ job, pending, error });
          }
        }
        return out;
      });
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code && RETRYABLE.has(code)) {
        const retry = batch.filter((job) => ++job.attempts <= 3);
        for (const job of batch) if (job.attempts > 3) job.reject(error);
        queue.unshift(...retry);
        return;
      }
      if (batch.length === 1) {
        await this.settleFailure(batch[0] as Job, error);
        return;
      }
      // The transaction itself failed (connection lost…): nothing was stored; each job gets the error.
      this.log.warn({ err: error, size: batch.length }, 'message batch failed');
      for (const job of batch) job.reject(error);
      return;
    }
    for (const result of results) {
      if (result.message) {
        this.outbox.publish(result.pending);
        this.metrics.messagesCommitted.inc();
        result.job.resolve({ message: result.message, created: true });
      } else {
        await this.settleFailure(result.job, result.error);
      }
    }
  }

  private async settleFailure(job: Job, error: unknown): Promise<void> {
    if (!(error instanceof DuplicateMessage)) {
      job.reject(error);
      return;
    }
    try {
      const existing = await findExistingMessage(this.database.db, job.input);
      if (!existing) throw new Error('duplicate message vanished');
      job.resolve(answerDuplicate(existing, job.input));
    } catch (lookupError) {
      job.reject(lookupError);
    }
  }
}

function laneOf(conversationId: string, lanes: number): number {
  let hash = 0;
  for (let i = conversationId.length - 8; i < conversationId.length; i++) {
    hash = (hash * 31 + conversationId.charCodeAt(i)) >>> 0;
  }
  return hash % lanes;
}
