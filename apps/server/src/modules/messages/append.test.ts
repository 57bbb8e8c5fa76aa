import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sql } from 'drizzle-orm';
import { openTestDatabase } from '../../../test/database.ts';
import type { Database } from '../../db/connect.ts';
import { APPEND_MESSAGES_SQL } from './append.ts';

let database: Database;
let cleanup: () => Promise<void>;
before(async () => {
  ({ database, cleanup } = await openTestDatabase());
});
after(async () => {
  await cleanup?.();
});

/**
 * Every connection keeps the generic plan of the batch statement it made first, often while the tables were
 * nearly empty, until the next ANALYZE. A plan that reads a table by scanning it is then paid for on every
 * message as the table grows: a hashed subplan over `messages` scanned every message once per statement.
 */
test('the batch statement planned on an empty database reads every table through an index', async () => {
  const plan = await database.db.transaction(async (tx) => {
    await database.rows(sql`set local plan_cache_mode = force_generic_plan`, tx);
    await database.rows(
      sql.raw(`prepare parley_plan_check(jsonb, jsonb, boolean) as ${APPEND_MESSAGES_SQL}`),
      tx,
    );
    const rows = await database.rows<{ 'QUERY PLAN': string }>(
      sql.raw(`explain execute parley_plan_check('[]', '[]', true)`),
      tx,
    );
    await database.rows(sql`deallocate parley_plan_check`, tx);
    return rows.map((row) => row['QUERY PLAN']).join('\n');
  });
  for (const table of ['messages', 'conversations', 'contacts', 'conversation_participants', 'events'])
    assert.doesNotMatch(plan, new RegExp(`Seq Scan on ${table}\\b`), `${table} is scanned:\n${plan}`);
  assert.doesNotMatch(plan, /hashed SubPlan/, `a subplan is hashed:\n${plan}`);
  assert.match(plan, /Index Scan using conversations_pkey/, 'the row locks probe the primary key');
});
