import type { MessageSearchHit, SearchQuery } from '@parley/shared';
import { type SQL, sql } from 'drizzle-orm';
import { conversationScope } from '../../auth/policies.ts';
import type { AccountActor } from '../../auth/principal.ts';
import type { AppContext } from '../../context.ts';
import type { SearchCursor } from './cursor.ts';
import { headline } from './highlight.ts';
import { presentMessageHit } from './presenter.ts';
import { type SearchTerms, tsQuery } from './terms.ts';
import { searchWindows, type WindowRow } from './windows.ts';

export type MessageHitRow = WindowRow & {
  seq: number;
  kind: MessageSearchHit['message']['kind'];
  sender_kind: MessageSearchHit['message']['senderKind'];
  sender_name: string | null;
  private: boolean;
  created_at: string;
  conversation_id: string;
  conversation_number: number;
  inbox_id: string;
  status: MessageSearchHit['conversation']['status'];
  contact_id: string;
  contact_name: string | null;
  snippet: string;
};

/** The conversation filters, on the conversation row joined to each candidate message. */
function conversationFilters(query: SearchQuery): SQL[] {
  const filters: SQL[] = [];
  if (query.inboxId) filters.push(sql`conversations.inbox_id = ${query.inboxId}::uuid`);
  if (query.status) filters.push(sql`conversations.status = ${query.status}`);
  if (query.assigneeId === 'none') filters.push(sql`conversations.assignee_id is null`);
  else if (query.assigneeId) filters.push(sql`conversations.assignee_id = ${query.assigneeId}::uuid`);
  if (query.tagId) filters.push(sql`${query.tagId}::uuid = any(conversations.tag_ids)`);
  if (query.from) filters.push(sql`messages.created_at >= ${query.from}::timestamptz`);
  if (query.to) filters.push(sql`messages.created_at < ${query.to}::timestamptz`);
  return filters;
}

/**
 * Messages of the conversations the actor may see (`conversationScope`), activity lines excluded.
 * Private notes are included: only agents and API tokens reach this route, never visitors. The
 * candidate scan is newest first and stops at a window's worth of matches: for a common word
 * PostgreSQL walks `messages_account_recent_idx` backwards and checks each document, for a rare one
 * it reads the word's matches from the GIN index and keeps the newest; either way a page costs about
 * the same however long the history.
 */
export async function searchMessages(
  ctx: AppContext,
  actor: AccountActor,
  query: SearchQuery,
  terms: SearchTerms,
  cursor: SearchCursor,
): Promise<{ hits: MessageSearchHit[]; nextCursor: string | null }> {
  const tsquery = tsQuery(terms);
  const filters = conversationFilters(query);
  const { rows, nextCursor } = await searchWindows<MessageHitRow>(
    ctx,
    {
      query: tsquery,
      position: sql`(messages.created_at, messages.id)`,
      candidates: (bound) => sql`
        select messages.id, messages.created_at, messages.search
        from messages
        join conversations on conversations.id = messages.conversation_id
        where messages.account_id = ${actor.accountId}::uuid
          and messages.kind <> 'activity'
          and messages.search @@ ${tsquery}
          and ${conversationScope(actor)}
          ${sql.join(
            filters.map((f) => sql` and ${f}`),
            sql``,
          )}
          and ${bound}
        order by messages.created_at desc, messages.id desc`,
      columns: sql`messages.seq, messages.kind, messages.sender_kind, messages.sender_name, messages.private,
        messages.created_at, conversations.id as conversation_id, conversations.number as conversation_number,
        conversations.inbox_id, conversations.status, contacts.id as contact_id, contacts.name as contact_name,
        ${headline(sql`messages.body`, tsquery, 'passage')} as snippet`,
      joins: sql`join messages on messages.id = page.id
        join conversations on conversations.id = messages.conversation_id
        join contacts on contacts.id = conversations.contact_id`,
    },
    cursor,
    query.limit,
  );
  return { hits: rows.map(presentMessageHit), nextCursor };
}
