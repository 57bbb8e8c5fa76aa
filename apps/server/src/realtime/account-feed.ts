import type { Conversation } from '@parley/shared';
import { sql } from 'drizzle-orm';
import type { Database } from '../db/connect.ts';
import { presentConversation } from '../modules/conversations/presenter.ts';
import { conversationRowFromSql } from '../modules/conversations/row-from-sql.ts';

/** Beyond this many changed conversations a feed cursor is answered with resync_required. */
export const FEED_CATCH_UP_LIMIT = 500;

const SNAPSHOT = /^\d{1,20}:\d{1,20}:(\d{1,20}(,\d{1,20})*)?$/;

/**
 * Feed cursors are PostgreSQL snapshots (`xmin:xmax:xip…`), opaque to clients. A conversation changed
 * since a cursor is one whose last writing transaction that snapshot could not see: exact, and
 * independent of clocks.
 */
export function encodeFeedCursor(snapshot: string): string {
  return Buffer.from(snapshot).toString('base64url');
}

export function decodeFeedCursor(cursor: string): string | null {
  try {
    const snapshot = Buffer.from(cursor, 'base64url').toString('utf8');
    return SNAPSHOT.test(snapshot) && snapshot.length < 3000 ? snapshot : null;
  } catch {
    return null;
  }
}

export async function currentFeedCursor(database: Database): Promise<string> {
  const [row] = await database.rows<{ snap: string }>(sql`select pg_current_snapshot()::text as snap`);
  if (!row) throw new Error('no snapshot');
  return encodeFeedCursor(row.snap);
}

type FeedRow = { snap: string; contact_name: string | null; conversation: Record<string, unknown> | null };

/** Conversations of the account changed since `snapshot`, and the cursor that follows them. */
export async function changedSince(
  database: Database,
  accountId: string,
  snapshot: string,
): Promise<{ conversations: Conversation[]; cursor: string; truncated: boolean }> {
  // One statement, so the returned snapshot is exactly the one the rows were read under.
  const rows = await database.rows<FeedRow>(sql`
    with s as (select pg_current_snapshot() as snap)
    select row_to_json(c) as conversation, ct.name as contact_name, s.snap::text as snap
    from s
    left join conversations c
      on c.account_id = ${accountId} and not pg_visible_in_snapshot(c.feed_xid, ${snapshot}::pg_snapshot)
    left join contacts ct on ct.id = c.contact_id
    order by c.last_activity_at
    limit ${FEED_CATCH_UP_LIMIT + 1}`);
  const snap = rows[0]?.snap;
  if (!snap) throw new Error('no snapshot');
  const found = rows.flatMap((r) =>
    r.conversation ? [{ conversation: r.conversation, contactName: r.contact_name }] : [],
  );
  return {
    conversations: found
      .slice(0, FEED_CATCH_UP_LIMIT)
      .map((r) => presentConversation(conversationRowFromSql(r.conversation), r.contactName)),
    cursor: encodeFeedCursor(snap),
    truncated: found.length > FEED_CATCH_UP_LIMIT,
  };
}
