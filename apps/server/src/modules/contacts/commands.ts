import type { Contact, ContactChange, UpdateContactBody } from '@parley/shared';
import { and, eq, ne, sql } from 'drizzle-orm';
import type { AccountActor } from '../../auth/principal.ts';
import { type AppContext, transact } from '../../context.ts';
import type { Tx } from '../../db/connect.ts';
import { contacts, conversations } from '../../db/schema.ts';
import { notFound } from '../../errors.ts';
import { type PendingPublish, recordEvent } from '../../realtime/outbox.ts';
import { presentConversation } from '../conversations/presenter.ts';
import { applyAttributeEdits, definitionRows } from './attributes.ts';
import { presentContact } from './presenter.ts';
import { journeyActorOf, visibleContact } from './visibility.ts';

const PROFILE_FIELDS = ['name', 'email', 'phone', 'company'] as const;

/**
 * Inbox lists show the contact's name on every conversation summary and keep the newest version of each:
 * a new name reaches them as new versions of the contact's conversations that are still live.
 */
async function announceNewName(tx: Tx, pending: PendingPublish, contactId: string, name: string | null) {
  const touched = await tx
    .update(conversations)
    .set({ version: sql`${conversations.version} + 1`, feedXid: sql`pg_current_xact_id()` })
    .where(and(eq(conversations.contactId, contactId), ne(conversations.status, 'closed')))
    .returning();
  for (const conversation of touched) {
    pending.add({
      t: 'conversation',
      accountId: conversation.accountId,
      inboxId: conversation.inboxId,
      conversation: presentConversation(conversation, name),
    });
  }
}

/**
 * Edits a contact's profile and custom attributes under its row lock. Only what really changes is
 * written, and the change (each field with its old and new value) becomes a `contact.updated` journey
 * event naming who made it.
 */
export async function updateContact(
  ctx: AppContext,
  actor: AccountActor,
  contactId: string,
  body: UpdateContactBody,
): Promise<Contact> {
  return transact(ctx, async (tx, pending) => {
    const row = await visibleContact(tx, actor, contactId, { forUpdate: true });
    const changes: ContactChange[] = [];
    const set: Partial<Pick<typeof contacts.$inferInsert, (typeof PROFILE_FIELDS)[number] | 'attributes'>> =
      {};
    for (const field of PROFILE_FIELDS) {
      const value = body[field];
      if (value === undefined || value === row[field]) continue;
      set[field] = value;
      changes.push({ field, from: row[field], to: value });
    }
    if (body.attributes) {
      const edited = applyAttributeEdits(
        await definitionRows(tx, actor.accountId),
        row.attributes,
        body.attributes,
      );
      if (edited.changes.length > 0) {
        set.attributes = edited.next;
        changes.push(...edited.changes);
      }
    }
    if (changes.length === 0) return presentContact(row);
    const [updated] = await tx
      .update(contacts)
      .set({ ...set, updatedAt: ctx.now() })
      .where(eq(contacts.id, row.id))
      .returning();
    if (!updated) throw notFound('contact_not_found', 'Contact');
    if (set.name !== undefined) await announceNewName(tx, pending, row.id, updated.name);
    await recordEvent(tx, pending, {
      accountId: row.accountId,
      contactId: row.id,
      type: 'contact.updated',
      actor: journeyActorOf(actor),
      payload: { changes },
    });
    return presentContact(updated);
  });
}

/**
 * Blocks or unblocks a contact. While blocked, the contact's new messages and conversations are refused
 * with contact_blocked (checked where a visitor writes: see messages/commands.ts and startConversation).
 */
export async function setContactBlocked(
  ctx: AppContext,
  actor: AccountActor,
  contactId: string,
  blocked: boolean,
): Promise<Contact> {
  return transact(ctx, async (tx, pending) => {
    const row = await visibleContact(tx, actor, contactId, { forUpdate: true });
    if ((row.blockedAt !== null) === blocked) return presentContact(row);
    const [updated] = await tx
      .update(contacts)
      .set({ blockedAt: blocked ? ctx.now() : null, updatedAt: ctx.now() })
      .where(eq(contacts.id, row.id))
      .returning();
    if (!updated) throw notFound('contact_not_found', 'Contact');
    await recordEvent(tx, pending, {
      accountId: row.accountId,
      contactId: row.id,
      type: blocked ? 'contact.blocked' : 'contact.unblocked',
      actor: journeyActorOf(actor),
      payload: {},
    });
    return presentContact(updated);
  });
}
