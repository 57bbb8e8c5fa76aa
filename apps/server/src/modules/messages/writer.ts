import type { Message } from '@parley/shared';
import type { Logger } from 'pino';
import type { Database, RawExecutor } from '../../db/connect.ts';
import { AppError } from '../../errors.ts';
import type { Metrics } from '../../observability/metrics.ts';
import type { Outbox } from '../../realtime/outbox.ts';
import { PendingPublish } from '../../realtime/outbox.ts';
import { claimAttachments } from '../attachments/message-link.ts';
import { type AppendRow, runAppendStatement } from './append.ts';
import {
  type AppendedState,
  type AppendMessageInput,
  answerDuplicate,
  DuplicateMessage,
  findExistingMessage,
  settleAppended,
} from './commands.ts';

/**
 * Runs inside a batch's transaction after its messages were appended (the lifecycle's reopening of
 * conversations a customer wrote to, an agent taking over from the bot); may return work to run after the
 * commit. A message written alone, as its own transaction, reaches it only when it reopened and took over
 * nothing (see append.ts), with an executor outside any transaction.
 */
export type AfterAppendHook = (
  executor: RawExecutor,
  appended: Appended[],
) => Promise<(() => Promise<void>) | null>;

type Appended = AppendedState & { input: AppendMessageInput; pending: PendingPublish };

type Outcome = { message: Message; created: boolean };

interface Job {
  input: AppendMessageInput;
  resolve: (outcome: Outcome) => void;
  reject: (error: unknown) => void;
  attempts: number;
}

/**
 * Messages per batch. The batch statement joins its rows to each other by nested loops (its plan
 * expects a handful, so that every probe of a table is an index probe), which costs the square of the
 * batch: bench/write-path at 1,000 writers measured 2,300 messages/s with 64, 4,200 with 32, 5,950 with
 * 16 and 5,600 with 8.
 */
const MAX_BATCH = 16;
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
  /** PGlite: a lane whose start waits for the end of the event loop's I/O phase. */
  private readonly scheduled: boolean[];
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
    this.scheduled = this.lanes.map(() => false);
  }

  /** Installed once at start-up by the lifecycle module. */
  setAfterAppend(hook: AfterAppendHook): void {
    this.afterAppend = hook;
  }

  submit(input: AppendMessageInput): Promise<Outcome> {
    return new Promise((resolve, reject) => {
      const lane = laneOf(input.conversationId, this.lanes.length);
      this.lanes[lane]?.push({ input, resolve, reject, attempts: 0 });
      // PGlite writes on microtasks, so a batch started at once would be written before the next socket's
      // frame is even read: every batch would hold one message. Starting after the event loop's I/O phase
      // lets the frames read in that phase share one commit.
      if (this.database.kind !== 'pglite') void this.drain(lane);
      else if (!this.busy[lane] && !this.scheduled[lane]) {
        // One start per lane: a busy lane's loop picks up what arrives meanwhile.
        this.scheduled[lane] = true;
        setImmediate(() => {
          this.scheduled[lane] = false;
          void this.drain(lane);
        });
      }
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

  private async commit(given: Job[], queue: Job[]): Promise<void> {
    // Conversation order: a batch's locks are taken in ascending id order, and a conversation's messages
    // keep the order they were submitted in (the sort is stable).
    let ordered = [...given].sort((a, b) => (a.input.conversationId < b.input.conversationId ? -1 : 1));
    if (rounds(ordered).length === 1 && ordered.every((job) => !job.input.attachmentIds)) {
      ordered = await this.commitAsStatement(ordered, queue);
      if (ordered.length === 0) return;
    }
    const batch = ordered;
    const lockIds = [...new Set(ordered.map((job) => job.input.conversationId))];
    type Result = { job: Job; pending: PendingPublish; message?: Message; error?: unknown };
    let results: Result[];
    const after: { run: (() => Promise<void>) | null } = { run: null };
    try {
      results = await this.database.rawTransaction(async (tx) => {
        const out: Result[] = [];
        const appended: Appended[] = [];
        // Claiming files locks their conversation on its own: take every lock first, in order.
        if (ordered.some((job) => job.input.attachmentIds))
          await tx.query('select id from conversations where id = any($1::uuid[]) order by id for update', [
            `{${lockIds.join(',')}}`,
          ]);
        for (const round of rounds(ordered)) {
          const admitted: Array<{ job: Job; input: AppendMessageInput }> = [];
          for (const job of round) {
            const given = { ...job.input, emailFollowup: this.emailFollowups };
            try {
              admitted.push({ job, input: given.attachmentIds ? await claimAttachments(tx, given) : given });
            } catch (error) {
              if (!(error instanceof AppError)) throw error;
              out.push({ job, pending: new PendingPublish(), error });
            }
          }
          if (admitted.length === 0) continue;
          const rows = await runAppendStatement(
            tx,
            admitted.map((a) => a.input),
            { lockIds, ownTransaction: false },
          );
          for (const [index, { job, input }] of admitted.entries()) {
            const pending = new PendingPublish();
            try {
              const state = await settleAppended(tx, pending, input, rows[index] as AppendRow);
              appended.push({ ...state, input: job.input, pending });
              out.push({ job, pending, message: state.message });
            } catch (error) {
              // Refusals leave the transaction usable; a database error does not, so it ends the batch
              // and its jobs are retried one by one below.
              if (!(error instanceof AppError) && !(error instanceof DuplicateMessage)) throw error;
              out.push({ job, pending, error });
            }
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
    this.metrics.messageBatches.labels('transaction').inc();
    for (const result of results) {
      if (result.message) this.published(result.job, result.pending, result.message);
      else await this.settleFailure(result.job, result.error);
    }
    this.runAfterCommit(after.run);
  }

  /**
   * A batch with one message per conversation and no files (every batch at low load, most under load)
   * is written by the statement alone, as its own transaction: one round trip instead of three. Returns
   * the jobs it left to the writer's transaction: the messages that need it (a reopening or a takeover,
   * see append.ts, which the statement leaves unwritten), or the whole batch if the statement failed.
   */
  private async commitAsStatement(ordered: Job[], queue: Job[]): Promise<Job[]> {
    const inputs = ordered.map((job) => ({ ...job.input, emailFollowup: this.emailFollowups }));
    const executor = this.database.raw;
    let rows: AppendRow[];
    try {
      rows = await runAppendStatement(executor, inputs, {
        lockIds: inputs.map((input) => input.conversationId),
        ownTransaction: true,
      });
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (!code || !RETRYABLE.has(code)) return ordered;
      for (const job of ordered) if (++job.attempts > 3) job.reject(error);
      queue.unshift(...ordered.filter((job) => job.attempts <= 3));
      return [];
    }
    const later: Job[] = [];
    const appended: Appended[] = [];
    const done: Array<{ job: Job; pending: PendingPublish; message: Message }> = [];
    for (const [index, job] of ordered.entries()) {
      const row = rows[index] as AppendRow;
      if (row.needs_transaction) {
        later.push(job);
        continue;
      }
      const pending = new PendingPublish();
      try {
        const state = await settleAppended(executor, pending, inputs[index] as AppendMessageInput, row);
        appended.push({ ...state, input: job.input, pending });
        done.push({ job, pending, message: state.message });
      } catch (error) {
        await this.settleFailure(job, error);
      }
    }
    // The hook has no transaction to work in here, and needs none: these messages reopened nothing and
    // took nothing over (the statement would have left them unwritten); what it returns runs after the
    // commit.
    const after =
      this.afterAppend && appended.length > 0
        ? await this.afterAppend(executor, appended).catch((err: unknown) => {
            this.log.warn({ err }, 'after-append work of a message batch failed');
            return null;
          })
        : null;
    if (later.length < ordered.length) this.metrics.messageBatches.labels('single_statement').inc();
    for (const { job, pending, message } of done) this.published(job, pending, message);
    this.runAfterCommit(after);
    return later;
  }

  private published(job: Job, pending: PendingPublish, message: Message): void {
    this.outbox.publish(pending);
    this.metrics.messagesCommitted.inc();
    job.resolve({ message, created: true });
  }

  private runAfterCommit(run: (() => Promise<void>) | null): void {
    run?.().catch((err: unknown) => this.log.warn({ err }, 'after-commit work of a message batch failed'));
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

/**
 * Splits a batch (sorted by conversation, stable) into rounds with at most one message per conversation
 * for the batch statement: a conversation's k-th message goes to round k, so its messages keep their order.
 */
function rounds(ordered: Job[]): Job[][] {
  const out: Job[][] = [];
  let previous: string | null = null;
  let k = 0;
  for (const job of ordered) {
    k = job.input.conversationId === previous ? k + 1 : 0;
    previous = job.input.conversationId;
    const round = out[k] ?? [];
    round.push(job);
    out[k] = round;
  }
  return out;
}

function laneOf(conversationId: string, lanes: number): number {
  let hash = 0;
  for (let i = conversationId.length - 8; i < conversationId.length; i++) {
    hash = (hash * 31 + conversationId.charCodeAt(i)) >>> 0;
  }
  return hash % lanes;
}
