import { sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { Database, DbOrTx } from '../db/connect.ts';

export interface Job {
  id: number;
  kind: string;
  key: string;
  payload: Record<string, unknown>;
  /** 1 on the first run. */
  attempts: number;
  runAt: Date;
}

/**
 * Does the work of one job. It must be idempotent: a job whose node dies mid-way runs again elsewhere.
 * Throwing schedules a retry with backoff.
 */
export type JobHandler = (job: Job) => Promise<void>;

export interface ScheduleInput {
  kind: string;
  /** One pending job per key: scheduling the same key again moves it to the new time and payload. */
  key: string;
  runAt: Date;
  payload?: Record<string, unknown>;
}

/** Schedules (or reschedules) a job inside the caller's transaction, so it exists exactly when the change does. */
export async function scheduleJob(executor: DbOrTx, input: ScheduleInput): Promise<void> {
  await executor.execute(sql`
    insert into jobs (kind, key, run_at, payload)
    values (${input.kind}, ${input.key}, ${input.runAt.toISOString()}::timestamptz, ${JSON.stringify(input.payload ?? {})}::jsonb)
    on conflict (key) do update
      set kind = excluded.kind, run_at = excluded.run_at, payload = excluded.payload, attempts = 0,
          locked_until = null, last_error = null`);
}

export async function cancelJob(executor: DbOrTx, key: string): Promise<void> {
  await executor.execute(sql`delete from jobs where key = ${key}`);
}

const LEASE_SECONDS = 60;
const MAX_ATTEMPTS = 10;

/** Retry delay after the nth failed attempt: 5 s, 20 s, 45 s … capped at one hour. */
export const retryDelayMs = (attempts: number) => Math.min(3_600_000, 5_000 * attempts * attempts);

/**
 * Polls for due jobs on every node. Claiming uses FOR UPDATE SKIP LOCKED plus a lease, so two nodes never
 * run the same job at the same time; a finished job is deleted, a failed one retried later, and one that
 * keeps failing is parked (kept with its last error, no longer retried) after MAX_ATTEMPTS.
 * `now` is injectable so tests drive time.
 */
export class JobRunner {
  private readonly handlers = new Map<string, JobHandler>();
  private readonly database: Database;
  private readonly log: Logger;
  private readonly now: () => Date;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | null = null;
  private stopped = false;

  constructor(deps: { database: Database; log: Logger; now: () => Date }) {
    this.database = deps.database;
    this.log = deps.log;
    this.now = deps.now;
  }

  register(kind: string, handler: JobHandler): void {
    if (this.handlers.has(kind)) throw new Error(`a handler for ${kind} is registered already`);
    this.handlers.set(kind, handler);
  }

  start(everyMs: number): void {
    this.timer = setInterval(() => void this.runDue(), everyMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.running?.catch(() => 0);
  }

  /** Runs every job due now (by this runner's clock); returns how many ran. Tests call it directly. */
  runDue(): Promise<number> {
    if (this.running) return this.running;
    this.running = this.drain().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async drain(): Promise<number> {
    let total = 0;
    for (;;) {
      if (this.stopped) return total;
      const claimed = await this.claim(20).catch((err: unknown) => {
        this.log.warn({ err }, 'could not claim jobs');
        return [] as Job[];
      });
      if (claimed.length === 0) return total;
      for (const job of claimed) {
        await this.execute(job);
        total += 1;
      }
    }
  }

  private async claim(limit: number): Promise<Job[]> {
    const kinds = [...this.handlers.keys()];
    if (kinds.length === 0) return [];
    const now = this.now().toISOString();
    const rows = await this.database.rows<{
      id: number | string;
      kind: string;
      key: string;
      payload: Record<string, unknown>;
      attempts: number;
      run_at: string | Date;
    }>(sql`
      update jobs set locked_until = ${now}::timestamptz + make_interval(secs => ${LEASE_SECONDS}),
                      attempts = attempts + 1
      where id in (
        select id from jobs
        where run_at <= ${now}::timestamptz and attempts < ${MAX_ATTEMPTS}
          and (locked_until is null or locked_until < ${now}::timestamptz)
          and kind in (${sql.join(
            kinds.map((k) => sql`${k}`),
            sql`, `,
          )})
        order by run_at
        limit ${limit}
        for update skip locked
      )
      returning id, kind, key, payload, attempts, run_at`);
    return rows.map((r) => ({
      id: Number(r.id),
      kind: r.kind,
      key: r.key,
      payload: r.payload ?? {},
      attempts: Number(r.attempts),
      runAt: new Date(r.run_at),
    }));
  }

  private async execute(job: Job): Promise<void> {
    const handler = this.handlers.get(job.kind);
    try {
      if (!handler) throw new Error(`no handler for ${job.kind}`);
      await handler(job);
      // Deleted only if nobody rescheduled the same key meanwhile (its attempts were reset to 0).
      await this.database.db.execute(
        sql`delete from jobs where id = ${job.id} and attempts = ${job.attempts}`,
      );
    } catch (error) {
      this.log.warn({ err: error, kind: job.kind, key: job.key, attempts: job.attempts }, 'job failed');
      const retryAt = new Date(this.now().getTime() + retryDelayMs(job.attempts)).toISOString();
      await this.database.db
        .execute(sql`
          update jobs set run_at = ${retryAt}::timestamptz, locked_until = null,
                          last_error = ${String((error as Error)?.message ?? error).slice(0, 1000)}
          where id = ${job.id} and attempts = ${job.attempts}`)
        .catch((err: unknown) => this.log.warn({ err }, 'could not record job failure'));
    }
  }
}
