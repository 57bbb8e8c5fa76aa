import type { Message } from '@parley/shared';
import type { Logger } from 'pino';
import type { Database, RawExecutor } from '../../db/connect.ts';
import { AppError } from '../../errors.ts';
import type { Metrics } from '../../observability/metrics.ts';
import type { Outbox } from '../../realtime/outbox.ts';
import { PendingPublish } from '../../realtime/outbox.ts';
import {
  type AppendedState,
  type AppendMessageInput,
  answerDuplicate,
  appendMessageWithState,
  DuplicateMessage,
  findExistingMessage,
} from './commands.ts';

/**
 * Runs inside a batch's transaction after its messages were appended (the lifecycle's reopening of
 * conversations a customer wrote to); may return work to run after the commit.
 */
export type AfterAppendHook = (
  executor: RawExecutor,
  appended: Array<AppendedState & { input: AppendMessageInput; pending: PendingPublish }>,
) => Promise<(() => Promise<void>) | null>;

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
 * busy are committed together in its next transaction, and one refused message (not found, closed,
 * duplicate) does not fail its neighbours. At low load a message is written at once (no timer); under load many
 * messages share one commit. A conversation always uses the same lane, and a batch locks its
 * conversations in id order, so lanes and nodes cannot deadlock on each other.
 */
export class MessageWriter {
  private readonly lanes: Job[][];
  private readonly emailFollowups: boolean;
  private readonly busy: boolean[];
  private readonly database: Database;
  private readonly outbox: Outbox;
  private readonly metrics: Metrics;
  private readonly log: Logger;
  private afterAppend: AfterAppendHook | null = null;

  constructor(deps: {
    database: Database;
    outbox: Outbox;
    metrics: Metrics;
    log: Logger;
    lanes: number;
    /** The server can send e-mail, so agents' replies schedule their follow-up (modules/followups). */
    emailFollowups?: boolean;
  }) {
    this.emailFollowups = deps.emailFollowups === true;
    this.database = deps.database;
    this.outbox = deps.outbox;
    this.metrics = deps.metrics;
    this.log = deps.log;
    this.lanes = Array.from({ length: Math.max(1, deps.lanes) }, () => []);
    this.busy = this.lanes.map(() => false);
  }

  /** Installed once at start-up by the lifecycle module. */
  setAfterAppend(hook: AfterAppendHook): void {
    this.afterAppend = hook;
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
        // PGlite answers on microtasks, so without this a deep queue would be written in one stretch that
        // never lets the event loop read a socket or flush an ack (seconds at a thousand senders).
        if (queue.length > 0) await new Promise((resolve) => setImmediate(resolve));
      }
    } finally {
      this.busy[lane] = false;
    }
  }

  private async commit(batch: Job[], queue: Job[]): Promise<void> {
    const ordered = [...batch].sort((a, b) => (a.input.conversationId < b.input.conversationId ? -1 : 1));
    type Result = { job: Job; pending: PendingPublish; message?: Message; error?: unknown };
    let results: Result[];
    const after: { run: (() => Promise<void>) | null } = { run: null };
    try {
      results = await this.database.rawTransaction(async (tx) => {
        const out: Result[] = [];
        const appended: Array<AppendedState & { input: AppendMessageInput; pending: PendingPublish }> = [];
        for (const job of ordered) {
          const pending = new PendingPublish();
          try {
            const state = await appendMessageWithState(tx, pending, {
              ...job.input,
              emailFollowup: this.emailFollowups,
            });
            appended.push({ ...state, input: job.input, pending });
            out.push({ job, pending, message: state.message });
          } catch (error) {
            // Errors appendMessage raises itself leave the transaction usable; a database error does not,
            // so it ends the batch and its jobs are retried one by one below.
            if (!(error instanceof AppError) && !(error instanceof DuplicateMessage)) throw error;
            out.push({ job, pending, error });
          }
        }
        // After every conversation lock of the batch, so agent locks come last (see routing/router.ts).
        if (this.afterAppend && appended.length > 0) after.run = await this.afterAppend(tx, appended);
        return out;
      });
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code && RETRYABLE.has(code)) {
        for (const job of batch) {
          if (++job.attempts > 3) job.reject(error);
        }
        queue.unshift(...batch.filter((job) => job.attempts <= 3));
        return;
      }
      if (batch.length > 1) {
        // Nothing of this batch was stored; run each job alone so only the faulty one fails.
        for (const job of batch) await this.commit([job], queue);
        return;
      }
      (batch[0] as Job).reject(error);
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
    after
      .run?.()
      .catch((err: unknown) => this.log.warn({ err }, 'after-commit work of a message batch failed'));
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
