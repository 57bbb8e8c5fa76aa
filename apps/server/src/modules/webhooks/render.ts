import { and, eq } from 'drizzle-orm';
import type { DbOrTx } from '../../db/connect.ts';
import { contacts, conversations, events, messageColumns, messages } from '../../db/schema.ts';
import { presentContact } from '../contacts/presenter.ts';
import { presentConversation } from '../conversations/presenter.ts';
import { presentMessage } from '../messages/presenter.ts';

export interface DeliveryRef {
  eventId: number;
  conversationId: string | null;
  contactId: string | null;
  occurredAt: string;
}

export class EventGone extends Error {}

/**
 * The body of a delivery: `{ type, timestamp, data }` with the same presenters as the API. The event's
 * own payload (what changed) rides along as `data.change`. Objects are shown as they are when the body
 * is first rendered (right after the change, normally), and the body is then frozen for every retry.
 */
export async function renderDelivery(executor: DbOrTx, type: string, ref: DeliveryRef): Promise<string> {
  const [event] = await executor.select().from(events).where(eq(events.id, ref.eventId)).limit(1);
  if (!event) throw new EventGone('the event no longer exists');
  const data: Record<string, unknown> = {};
  if (ref.conversationId) {
    const [row] = await executor
      .select({ conversation: conversations, contactName: contacts.name })
      .from(conversations)
      .innerJoin(contacts, eq(contacts.id, conversations.contactId))
      .where(eq(conversations.id, ref.conversationId))
      .limit(1);
    if (!row) throw new EventGone('the conversation no longer exists');
    data.conversation = presentConversation(row.conversation, row.contactName);
  }
  if (type === 'message.created') {
    const messageId = typeof event.payload.messageId === 'string' ? event.payload.messageId : null;
    const [message] = messageId
      ? await executor
          .select(messageColumns)
          .from(messages)
          .where(
            and(eq(messages.id, messageId), eq(messages.conversationId, ref.conversationId ?? messageId)),
          )
          .limit(1)
      : [];
    if (!message) throw new EventGone('the message no longer exists');
    data.message = presentMessage(message);
  }
  if (type.startsWith('contact.') && ref.contactId) {
    const [contact] = await executor.select().from(contacts).where(eq(contacts.id, ref.contactId)).limit(1);
    if (!contact) throw new EventGone('the contact no longer exists');
    data.contact = presentContact(contact);
  }
  data.change = { type: event.type, actor: { kind: event.actorKind, id: event.actorId }, ...event.payload };
  return JSON.stringify({ type, timestamp: new Date(ref.occurredAt).toISOString(), data });
}
