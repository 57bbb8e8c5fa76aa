import type { Contact, V1CreateContactBody } from '@parley/shared';
import { and, asc, eq, isNull, sql } from 'drizzle-orm';
import type { AccountActor } from '../../auth/principal.ts';
import { type AppContext, transact } from '../../context.ts';
import type { Tx } from '../../db/connect.ts';
import { accounts, contacts, conversations } from '../../db/schema.ts';
import { AppError, sqlStateOf } from '../../errors.ts';
import { newId } from '../../lib/ids.ts';
import { recordEvent } from '../../realtime/outbox.ts';
import { applyAttributeEdits, definitionRows } from './attributes.ts';
import { type ContactRow, presentContact } from './presenter.ts';
import { journeyActorOf, visibleContact } from './visibility.ts';

/*
 * Contacts created and deleted outside a conversation (the public API). Widget visitors become
 * contacts through their sessions instead (visitors/session.ts).
 */

/**
 * Serializes the creations of one account's contacts, so two requests for one e-mail address cannot
 * both create it (addresses are not unique in the table: merged and widget contacts may share one).
 */
export async function lockAccountContacts(tx: Tx, accountId: string): Promise<void> {
  await tx.select({ id: accounts.id }).from(accounts).where(eq(accounts.id, accountId)).for('update');
}

/** The account's contact with this e-mail address in any case (the oldest, not one merged away). */
export async function findContactByEmail(
  tx: Tx,
  accountId: string,
  email: string,
): Promise<ContactRow | undefined> {
  const [row] = await tx
    .select()
    .from(contacts)
    .where(
      and(
        eq(contacts.accountId, accountId),
        sql`lower(${contacts.email}) = ${email.toLowerCase()}`,
        isNull(contacts.mergedIntoId),
      ),
    )
    .orderBy(asc(contacts.createdAt), asc(contacts.id))
    .limit(1);
  return row;
}

export async function insertContact(
  tx: Tx,
  accountId: string,
  fields: Pick<
    typeof contacts.$inferInsert,
    'name' | 'email' | 'phone' | 'company' | 'externalId' | 'attributes'
  >,
): Promise<ContactRow> {
  const [row] = await tx
    .insert(contacts)
    .values({ id: newId(), accountId, ...fields, email: fields.email?.toLowerCase() ?? null })
    .returning();
  if (!row) throw new Error('contact insert returned nothing');
  return row;
}

const contactExists = (contactId: string | null, field: 'email' | 'externalId') =>
  new AppError(
    'contact_exists',
    409,
    `A contact with this ${field === 'email' ? 'e-mail address' : 'external id'} exists already`,
    {
      details: { field, contactId },
    },
  );

/** Creates a contact; its custom attributes are checked against the account's definitions. */
export async function createContact(
  ctx: AppContext,
  actor: AccountActor,
  body: V1CreateContactBody,
): Promise<Contact> {
  try {
    return await transact(ctx, async (tx, pending) => {
      await lockAccountContacts(tx, actor.accountId);
      if (body.email) {
        const existing = await findContactByEmail(tx, actor.accountId, body.email);
        if (existing) throw contactExists(existing.id, 'email');
      }
      const attributes = body.attributes
        ? applyAttributeEdits(await definitionRows(tx, actor.accountId), {}, body.attributes).next
        : {};
      const row = await insertContact(tx, actor.accountId, {
        name: body.name ?? null,
        email: body.email ?? null,
        phone: body.phone ?? null,
        company: body.company ?? null,
        externalId: body.externalId ?? null,
        attributes,
      });
      await recordEvent(tx, pending, {
        accountId: row.accountId,
        contactId: row.id,
        type: 'contact.created',
        actor: journeyActorOf(actor),
        payload: {},
      });
      return presentContact(row);
    });
  } catch (error) {
    // The external id is unique per account (an index); its owner is looked up for the answer.
    if (sqlStateOf(error) === '23505' && body.externalId) {
      const [owner] = await ctx.database.db
        .select({ id: contacts.id })
        .from(contacts)
        .where(and(eq(contacts.accountId, actor.accountId), eq(contacts.externalId, body.externalId)))
        .limit(1);
      throw contactExists(owner?.id ?? null, 'externalId');
    }
    throw error;
  }
}

/**
 * Deletes a contact that has no conversations (a contact with a history is kept: merge or block it
 * instead), with its identities and tags.
 */
export async function deleteContact(ctx: AppContext, actor: AccountActor, contactId: string): Promise<void> {
  await transact(ctx, async (tx, pending) => {
    const row = await visibleContact(tx, actor, contactId, { forUpdate: true });
    const [used] = await tx
      .select({ id: conversations.id })
      .from(conversations)
      .where(eq(conversations.contactId, row.id))
      .limit(1);
    if (used) {
      throw new AppError(
        'contact_in_use',
        409,
        'This contact has conversations; merge or block them instead of deleting',
      );
    }
    await tx.delete(contacts).where(eq(contacts.id, row.id));
    await recordEvent(tx, pending, {
      accountId: row.accountId,
      contactId: row.id,
      type: 'contact.deleted',
      actor: journeyActorOf(actor),
      payload: {},
    });
  });
}
