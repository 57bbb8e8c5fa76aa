import { type Exec, iso } from '../routing/sql.ts';

/*
 * The lifecycle's durable timers, one per conversation and purpose, kept in the jobs table and written in
 * the transaction that decides them (so a timer exists exactly when its cause committed). The key makes
 * rescheduling move the one timer instead of adding another; a handler re-checks the conversation's
 * state, so a timer that fires late, twice, or after its cause was undone does nothing wrong.
 */

export const CLOSE_JOB = 'lifecycle.close';
export const SNOOZE_JOB = 'lifecycle.snooze';

export const closeKey = (conversationId: string) => `close:${conversationId}`;
export const snoozeKey = (conversationId: string) => `snooze:${conversationId}`;

/** Same statement as jobs/runner.ts scheduleJob, for positional-SQL transactions. */
export async function scheduleTimer(
  exec: Exec,
  input: { kind: string; key: string; runAt: Date; payload: Record<string, unknown> },
): Promise<void> {
  await exec.query(
    `insert into jobs (kind, key, run_at, payload)
     values ($1::text, $2::text, $3::timestamptz, $4::jsonb)
     on conflict (key) do update
       set kind = excluded.kind, run_at = excluded.run_at, payload = excluded.payload, attempts = 0,
           locked_until = null, last_error = null`,
    [input.kind, input.key, iso(input.runAt), JSON.stringify(input.payload)],
  );
}

export async function cancelTimers(exec: Exec, keys: string[]): Promise<void> {
  // Lists travel as JSON: the query builder's raw executor would expand an array into separate values.
  await exec.query('delete from jobs where key in (select jsonb_array_elements_text($1::jsonb))', [
    JSON.stringify(keys),
  ]);
}
