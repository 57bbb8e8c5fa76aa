import { sql } from 'drizzle-orm';
import type { AppContext } from '../../context.ts';
import { scheduleJob } from '../../jobs/runner.ts';
import { storageOf } from './store.ts';

export const CLEANUP_JOB = 'attachments.cleanup';
const CLEANUP_KEY = 'attachments:cleanup';
const CLEANUP_EVERY_MS = 60 * 60_000;
/** An upload nobody sent within a day was abandoned (a closed tab, a failed send). */
export const UNSENT_TTL_MS = 24 * 60 * 60_000;
const BATCH = 500;

/**
 * Deletes uploads no message carries (never sent, or their message is gone) older than a day: the rows
 * first — re-checked in the same statement, so a file claimed meanwhile stays — then their bytes.
 * Returns how many were deleted.
 */
export async function deleteStaleUploads(ctx: AppContext): Promise<number> {
  const cutoff = new Date(ctx.now().getTime() - UNSENT_TTL_MS).toISOString();
  const rows = await ctx.database.rows<{ storage_key: string }>(sql`
    delete from attachments
    where id in (
      select id from attachments where message_id is null and created_at < ${cutoff}::timestamptz limit ${BATCH}
    ) and message_id is null
    returning storage_key`);
  const storage = storageOf(ctx);
  for (const row of rows) {
    await storage
      .remove(row.storage_key)
      .catch((err: unknown) =>
        ctx.log.warn({ err, key: row.storage_key }, 'could not delete a stale upload'),
      );
  }
  return rows.length;
}

/** A durable hourly job (one per database however many nodes run). */
export function registerAttachmentJobs(ctx: AppContext): void {
  ctx.jobs.register(CLEANUP_JOB, async () => {
    const deleted = await deleteStaleUploads(ctx);
    if (deleted > 0) ctx.log.info({ deleted }, 'stale uploads deleted');
    await scheduleJob(ctx.database.db, {
      kind: CLEANUP_JOB,
      key: CLEANUP_KEY,
      runAt: new Date(ctx.now().getTime() + CLEANUP_EVERY_MS),
    });
  });
  // The first run on a fresh database; an existing schedule is left where it is (several nodes start).
  const runAt = new Date(ctx.now().getTime() + CLEANUP_EVERY_MS).toISOString();
  ctx.database.db
    .execute(sql`
      insert into jobs (kind, key, run_at, payload)
      values (${CLEANUP_JOB}, ${CLEANUP_KEY}, ${runAt}::timestamptz, '{}'::jsonb)
      on conflict (key) do nothing`)
    .catch((err: unknown) => ctx.log.warn({ err }, 'could not schedule the attachments cleanup'));
}
