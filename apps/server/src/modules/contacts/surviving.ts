import { eq } from 'drizzle-orm';
import type { DbOrTx } from '../../db/connect.ts';
import { contacts } from '../../db/schema.ts';
import type { ContactRow } from './presenter.ts';

/**
 * The contact a merged one now lives on (following merges of merges), or the contact itself. A verified
 * visitor whose external id stayed on a contact merged away signs in as the contact that remains.
 */
export async function survivingContact(executor: DbOrTx, row: ContactRow): Promise<ContactRow> {
  let current = row;
  // Merges form a chain towards the contact that remains; the bound only guards against a corrupt loop.
  for (let hop = 0; hop < 20 && current.mergedIntoId; hop++) {
    const [next] = await executor
      .select()
      .from(contacts)
      .where(eq(contacts.id, current.mergedIntoId))
      .limit(1);
    if (!next) break;
    current = next;
  }
  return current;
}
