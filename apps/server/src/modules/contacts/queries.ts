import type { ContactDetail, ContactList, ContactListQuery } from '@parley/shared';
import { and, desc, eq, isNull, lt, type SQL, sql } from 'drizzle-orm';
import { conversationScope } from '../../auth/policies.ts';
import type { AccountActor } from '../../auth/principal.ts';
import type { DbOrTx } from '../../db/connect.ts';
import { contacts, conversations } from '../../db/schema.ts';
import { AppError, notFound } from '../../errors.ts';
import { presentConversation } from '../conversations/presenter.ts';
import { presentContact } from './presenter.ts';
import { contactVisibility, seesWholeAccount } from './visibility.ts';

export { presentContact } from './presenter.ts';

const RECENT_CONVERSATIONS = 50;

/**
 * A contact and their recent conversations. Admins, supervisors and tokens see every contact of the
 * account; an agent sees a contact only through a conversation they may see, so an agent of one inbox
 * cannot read the customers of another. A contact merged away is still readable by those who see the
 * whole account (its `mergedIntoId` says where its history went).
 */
export async function contactDetail(
  executor: DbOrTx,
  actor: AccountActor,
  contactId: string,
): Promise<ContactDetail> {
  const [row] = await executor
    .select()
    .from(contacts)
    .where(and(eq(contacts.id, contactId), eq(contacts.accountId, actor.accountId)))
    .limit(1);
  if (!row) throw notFound('contact_not_found', 'Contact');
  const visible = await executor
    .select()
    .from(conversations)
    .where(and(eq(conversations.contactId, contactId), conversationScope(actor)) as SQL)
    .orderBy(desc(conversations.lastActivityAt), desc(conversations.id))
    .limit(RECENT_CONVERSATIONS);
  if (!seesWholeAccount(actor) && visible.length === 0) throw notFound('contact_not_found', 'Contact');
  return {
    contact: presentContact(row),
    conversations: visible.map((c) => presentConversation(c, row.name)),
  };
}

/** `%`, `_` and `\` match themselves in a LIKE pattern built from what someone typed. */
const likeContains = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/**
 * The account's contacts the actor may see, newest first, without those merged away. `q` matches part of
 * the name, e-mail, company or phone number (phone numbers by their digits, however they were typed).
 */
export async function listContacts(
  executor: DbOrTx,
  actor: AccountActor,
  query: ContactListQuery,
): Promise<ContactList> {
  const conditions: SQL[] = [contactVisibility(actor), isNull(contacts.mergedIntoId)];
  if (query.cursor) {
    if (!/^[0-9a-f-]{36}$/.test(query.cursor)) throw new AppError('cursor_invalid', 400, 'Invalid cursor');
    conditions.push(lt(contacts.id, query.cursor));
  }
  const q = query.q?.trim();
  if (q) {
    const pattern = likeContains(q);
    const digits = q.replace(/\D/g, '');
    const matches: SQL[] = [
      sql`${contacts.name} ilike ${pattern}`,
      sql`${contacts.email} ilike ${pattern}`,
      sql`${contacts.company} ilike ${pattern}`,
      sql`${contacts.phone} ilike ${pattern}`,
    ];
    if (digits.length >= 3) {
      matches.push(
        sql`regexp_replace(coalesce(${contacts.phone}, ''), '\\D', '', 'g') like ${likeContains(digits)}`,
      );
    }
    conditions.push(sql`(${sql.join(matches, sql` or `)})`);
  }
  // Agents count only the conversations they may see.
  const counted = and(eq(conversations.contactId, contacts.id), conversationScope(actor)) as SQL;
  const rows = await executor
    .select({
      contact: contacts,
      conversationCount: sql<number>`(select count(*)::int from ${conversations} where ${counted})`,
      lastActivityAt: sql<
        string | null
      >`(select max(${conversations.lastActivityAt}) from ${conversations} where ${counted})`,
    })
    .from(contacts)
    .where(and(...conditions))
    // Ids are time-ordered (UUIDv7): newest first, and a stable cursor.
    .orderBy(desc(contacts.id))
    .limit(query.limit + 1);
  const page = rows.slice(0, query.limit);
  return {
    contacts: page.map((r) => ({
      ...presentContact(r.contact),
      conversationCount: Number(r.conversationCount),
      lastActivityAt: r.lastActivityAt === null ? null : new Date(r.lastActivityAt).toISOString(),
    })),
    nextCursor: rows.length > query.limit ? (page.at(-1)?.contact.id ?? null) : null,
  };
}
