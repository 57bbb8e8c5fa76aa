import { eq } from 'drizzle-orm';
import type { DbOrTx } from '../../db/connect.ts';
import { contacts } from '../../db/schema.ts';
import type { PendingPublish } from '../../realtime/outbox.ts';
import { type ConversationRow, presentConversation } from './presenter.ts';

/** Adds the `conversation` frame inbox lists update from, for a row a command has just changed. */
export async function announceConversation(
  executor: DbOrTx,
  pending: PendingPublish,
  row: ConversationRow,
): Promise<void> {
  const [contact] = await executor
    .select({ name: contacts.name })
    .from(contacts)
    .where(eq(contacts.id, row.contactId));
  pending.add({
    t: 'conversation',
    accountId: row.accountId,
    inboxId: row.inboxId,
    conversation: presentConversation(row, contact?.name ?? null),
  });
}
