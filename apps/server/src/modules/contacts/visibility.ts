import { and, eq, isNull, type SQL, sql } from 'drizzle-orm';
import { conversationScope } from '../../auth/policies.ts';
import type { AccountActor } from '../../auth/principal.ts';
import type { DbOrTx } from '../../db/connect.ts';
import { contacts, conversations } from '../../db/schema.ts';
import { notFound } from '../../errors.ts';
import type { EventInput } from '../../realtime/outbox.ts';
import type { ContactRow } from './presenter.ts';

/** Admins, supervisors and tokens see every contact of the account; agents only through a conversation. */
export const seesWholeAccount = (actor: AccountActor): boolean =>
  actor.kind === 'token' || actor.role !== 'agent';

/**
 * The contacts an actor may see, as a condition on `contacts`: an agent sees a contact only through a
 * conversation they may see, so an agent of one inbox cannot read the customers of another.
 */
export function contactVisibility(actor: AccountActor): SQL {
  const inAccount = eq(contacts.accountId, actor.accountId);
  if (seesWholeAccount(actor)) return inAccount;
  return and(
    inAccount,
    sql`exists (select 1 from ${conversations} where ${conversations.contactId} = ${contacts.id} and ${conversationScope(actor)})`,
  ) as SQL;
}

/**
 * The contact, if the actor may see it, else 404 contact_not_found (also for other accounts' contacts).
 * Writes take the row lock and refuse contacts merged away (they are kept only as a pointer).
 */
export async function visibleContact(
  executor: DbOrTx,
  actor: AccountActor,
  contactId: string,
  options: { forUpdate?: boolean; includeMerged?: boolean } = {},
): Promise<ContactRow> {
  const conditions: SQL[] = [eq(contacts.id, contactId), contactVisibility(actor)];
  if (!options.includeMerged) conditions.push(isNull(contacts.mergedIntoId));
  const query = executor
    .select()
    .from(contacts)
    .where(and(...conditions))
    .limit(1);
  const [row] = options.forUpdate ? await query.for('update') : await query;
  if (!row) throw notFound('contact_not_found', 'Contact');
  return row;
}

/** Who a contact's journey names for a change made through the dashboard or the API. */
export const journeyActorOf = (actor: AccountActor): EventInput['actor'] =>
  actor.kind === 'agent' ? { kind: 'agent', id: actor.userId } : { kind: 'token', id: actor.tokenId };
