import type { Conversation } from '@parley/shared';
import { sql } from 'drizzle-orm';
import type { Database } from '../db/connect.ts';
import type { ConversationRow } from '../modules/conversations/presenter.ts';
import { presentConversation } from '../modules/conversations/presenter.ts';

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

type FeedRow = Record<string, unknown> & { snap: string; contact_name: string | null; id: string | null };

/** Conversations of the account changed since `snapshot`, and the cursor that follows them. */
export async function changedSince(
  database: Database,
  accountId: string,
  snapshot: string,
): Promise<{ conversations: Conversation[]; cursor: string; truncated: boolean }> {
  // One statement, so the returned snapshot is exactly the one the rows were read under.
  const rows = await database.rows<FeedRow>(sql`
    with s as (select pg_current_snapshot() as snap)
    select c.id, c.account_id, c.inbox_id, c.contact_id, c.number, c.status, c.priority, c.assignee_id,
           c.team_id, c.last_seq, c.version, c.last_message_preview, c.first_reply_at, c.waiting_since,
           c.last_activity_at, c.created_at, ct.name as contact_name, s.snap::text as snap
    from s
    left join conversations c
      on c.account_id = ${accountId} and not pg_visible_in_snapshot(c.feed_xid, ${snapshot}::pg_snapshot)
    left join contacts ct on ct.id = c.contact_id
    order by c.last_activity_at
    limit ${FEED_CATCH_UP_LIMIT + 1}`);
  const snap = rows[0]?.snap;
  if (!snap) throw new Error('no snapshot');
  const found = rows.filter((r) => r.id !== null);
  return {
    conversations: found
      .slice(0, FEED_CATCH_UP_LIMIT)
      .map((r) => presentConversation(rowFromSql(r), r.contact_name)),
    cursor: encodeFeedCursor(snap),
    truncated: found.length > FEED_CATCH_UP_LIMIT,
  };
}

const toDate = (value: unknown): Date | null =>
  value === null || value === undefined ? null : value instanceof Date ? value : new Date(String(value));

function rowFromSql(r: FeedRow): ConversationRow {
  return {
    id: String(r.id),
    accountId: String(r.account_id),
    inboxId: String(r.inbox_id),
    contactId: String(r.contact_id),
    number: Number(r.number),
    status: r.status as ConversationRow['status'],
    priority: r.priority as ConversationRow['priority'],
    assigneeId: (r.assignee_id as string | null) ?? null,
    teamId: (r.team_id as string | null) ?? null,
    lastSeq: Number(r.last_seq),
    version: Number(r.version),
    feedXid: '',
    lastMessagePreview: (r.last_message_preview as string | null) ?? null,
    firstReplyAt: toDate(r.first_reply_at),
    waitingSince: toDate(r.waiting_since),
    lastActivityAt: toDate(r.last_activity_at) ?? new Date(0),
    createdAt: toDate(r.created_at) ?? new Date(0),
  };
}
