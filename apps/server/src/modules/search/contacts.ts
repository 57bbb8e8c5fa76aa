import type { ContactSearchHit, SearchQuery } from '@parley/shared';
import { type SQL, sql } from 'drizzle-orm';
import { conversationScope } from '../../auth/policies.ts';
import type { AccountActor } from '../../auth/principal.ts';
import type { AppContext } from '../../context.ts';
import type { SearchCursor } from './cursor.ts';
import { headline } from './highlight.ts';
import { presentContactHit } from './presenter.ts';
import { type SearchTerms, tsQuery } from './terms.ts';
import { type RankedRow, searchWindows } from './windows.ts';

export type ContactHitRow = RankedRow & {
  name: string | null;
  email: string | null;
  phone: string | null;
  company: string | null;
  created_at: string | Date;
  name_marked: string | null;
  email_marked: string | null;
  phone_marked: string | null;
  company_marked: string | null;
  latest_id: string | null;
  latest_number: number | null;
};

/**
 * Contacts by name, e-mail, phone, company and external id. Admins, supervisors and tokens search the
 * whole account; an agent limited to some inboxes finds only contacts of conversations they may see
 * (as everywhere contacts are read). Merged-away contacts are left out.
 */
export async function searchContacts(
  ctx: AppContext,
  actor: AccountActor,
  query: SearchQuery,
  terms: SearchTerms,
  cursor: SearchCursor,
): Promise<{ hits: ContactSearchHit[]; nextCursor: string | null }> {
  const tsquery = tsQuery(terms);
  const limited = actor.kind === 'agent' && actor.role === 'agent';
  const visible = (row: SQL): SQL => {
    const conditions: SQL[] = [];
    if (limited || query.inboxId) {
      // One conversation the caller may see is enough; asked per match (a subquery with LIMIT stays
      // per row) so the account's conversations are never all read to answer it.
      const inbox = query.inboxId ? sql`and conversations.inbox_id = ${query.inboxId}::uuid` : sql``;
      conditions.push(sql`(select true from conversations
        where conversations.contact_id = ${row}.id and ${conversationScope(actor)} ${inbox} limit 1)`);
    }
    if (query.tagId) {
      conditions.push(sql`exists (select 1 from contact_tags
        where contact_tags.contact_id = ${row}.id and contact_tags.tag_id = ${query.tagId}::uuid)`);
    }
    return sql.join(
      conditions.map((c) => sql` and ${c}`),
      sql``,
    );
  };
  const field = (column: string) =>
    sql`case when contacts.${sql.raw(column)} is null then null
      else ${headline(sql`contacts.${sql.raw(column)}`, tsquery, 'field')} end as ${sql.raw(`${column}_marked`)}`;
  const { rows, nextCursor } = await searchWindows<ContactHitRow>(
    ctx,
    {
      table: sql`contacts`,
      query: tsquery,
      own: sql`contacts.account_id = ${actor.accountId}::uuid and contacts.merged_into_id is null`,
      carried: sql``,
      visibleJoins: () => sql``,
      visibleWhere: visible,
      columns: sql`contacts.name, contacts.email, contacts.phone, contacts.company, contacts.created_at,
        ${field('name')}, ${field('email')}, ${field('phone')}, ${field('company')},
        latest.id as latest_id, latest.number as latest_number`,
      joins: sql`join contacts on contacts.id = page.id
        left join lateral (
          select conversations.id, conversations.number from conversations
          where conversations.contact_id = contacts.id and ${conversationScope(actor)}
          order by conversations.last_activity_at desc, conversations.id desc
          limit 1
        ) latest on true`,
    },
    cursor,
    query.limit,
  );
  return { hits: rows.map(presentContactHit), nextCursor };
}
