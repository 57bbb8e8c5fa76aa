import { eq } from 'drizzle-orm';
import type { DbOrTx } from '../../db/connect.ts';
import { contacts } from '../../db/schema.ts';
import { AppError } from '../../errors.ts';

/** What a blocked contact's widget shows; the code is what clients branch on. */
export const contactBlocked = () =>
  new AppError('contact_blocked', 403, 'You can no longer send messages in this chat');

/** Refuses a blocked contact's new conversation (their messages are refused by the append statement). */
export async function assertContactNotBlocked(executor: DbOrTx, contactId: string): Promise<void> {
  const [row] = await executor
    .select({ blockedAt: contacts.blockedAt })
    .from(contacts)
    .where(eq(contacts.id, contactId))
    .limit(1);
  if (row?.blockedAt) throw contactBlocked();
}
