import type { MessageSearchHit, SearchQuery } from '@parley/shared';
import { type SQL, sql } from 'drizzle-orm';
import { conversationScope } from '../../auth/policies.ts';
import type { AccountActor } from '../../auth/principal.ts';
import type { AppContext } from '../../context.ts';
import type { SearchCursor } from './cursor.ts';
import { headline } from './highlight.ts';
import { presentMessageHit } from './presenter.ts';
import { type SearchTerms, tsQuery } from './terms.ts';
import { type RankedRow, searchWindows } from './windows.ts';

export type MessageHitRow = RankedRow & {
  seq: number;
  kind: MessageSearchHit['message']['kind'];
  sender_kind: MessageSearchHit['message']['senderKind'];
  sender_name: string | null;
  private: boolean;
  created_at: string | Date;
  conversation_id: string;
  conversation_number: number;
  inbox_id: string;
  status: MessageSearchHit['conversation']['status'];
  contact_id: string;
  contact_name: string | null;
  snippet: string;
};

const and = (conditions: SQL[]): SQL =>
  sql.join(
    conditions.map((c) => sql` and ${c}`),
    sql``,
  );

/** The filters on a match's conversation. */
function conversationFilters(query: SearchQuery): SQL {
  const filters: SQL[] = [];
  if (query.inboxId) filters.push(sql`conversations.inbox_id = ${query.inboxId}::uuid`);
  if (query.status) filters.push(sql`conversations.status = ${query.status}`);
  if (query.assigneeId === 'none') filters.push(sql`conversations.assignee_id is null`);
  else if (query.assigneeId) filters.push(sql`conversations.assignee_id = ${query.assigneeId}::uuid`);
  if (query.tagId) filters.push(sql`${query.tagId}::uuid = any(conversations.tag_ids)`);
  return and(filters);
}

/**
 * Messages of the conversations the actor may see (`conversationScope`, checked on each match's
 * conversation), activity lines excluded. Private notes are included: only agents and API tokens
 * reach this route, never visitors. See windows.ts for how the cost stays bounded.
 */
export async function searchMessages(
  ctx: AppContext,
  actor: AccountActor,
  query: SearchQuery,
  terms: SearchTerms,
  cursor: SearchCursor,
): Promise<{ hits: MessageSearchHit[]; nextCursor: string | null }> {
  const tsquery = tsQuery(terms);
  const dates: SQL[] = [];
  if (query.from) dates.push(sql`messages.created_at >= ${query.from}::timestamptz`);
  if (query.to) dates.push(sql`messages.created_at < ${query.to}::timestamptz`);
  const { rows, nextCursor } = await searchWindows<MessageHitRow>(
    ctx,
    {
      table: sql`messages`,
      query: tsquery,
      own: sql`messages.account_id = ${actor.accountId}::uuid and messages.kind <> 'activity'${and(dates)}`,
      carried: sql`, messages.conversation_id`,
      visibleJoins: (row) => sql`join conversations on conversations.id = ${row}.conversation_id`,
      visibleWhere: () => sql` and ${conversationScope(actor)}${conversationFilters(query)}`,
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
