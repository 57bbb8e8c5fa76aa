import type { Contact, ContactDetail } from '@parley/shared';
import { and, desc, eq, type SQL } from 'drizzle-orm';
import { conversationScope } from '../../auth/policies.ts';
import type { AccountActor } from '../../auth/principal.ts';
import type { DbOrTx } from '../../db/connect.ts';
import { contacts, conversations } from '../../db/schema.ts';
import { notFound } from '../../errors.ts';
import { presentConversation } from '../conversations/presenter.ts';

type ContactRow = typeof contacts.$inferSelect;

export const presentContact = (row: ContactRow): Contact => ({
  id: row.id,
  accountId: row.accountId,
  name: row.name,
  email: row.email,
  phone: row.phone,
  externalId: row.externalId,
  attributes: row.attributes,
  createdAt: row.createdAt.toISOString(),
  updatedAt: row.updatedAt.toISOString(),
});

const RECENT_CONVERSATIONS = 10;

/**
 * A contact and their recent conversations. Admins, supervisors and tokens see every contact of the
 * account; an agent sees a contact only through a conversation they may see, so an agent of one inbox
 * cannot read the customers of another.
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
  const seesWholeAccount = actor.kind === 'token' || actor.role !== 'agent';
  if (!seesWholeAccount && visible.length === 0) throw notFound('contact_not_found', 'Contact');
  return {
    contact: presentContact(row),
    conversations: visible.map((c) => presentConversation(c, row.name)),
  };
}
