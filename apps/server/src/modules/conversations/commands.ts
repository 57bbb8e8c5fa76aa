import type { ConversationStatus, VisitorStartConversationBody } from '@parley/shared';
import { and, eq, sql } from 'drizzle-orm';
import { conversationScope } from '../../auth/policies.ts';
import type { AccountActor, VisitorActor } from '../../auth/principal.ts';
import { type AppContext, transact } from '../../context.ts';
import { rawExecutorOf } from '../../db/connect.ts';
import {
  accounts,
  contactIdentities,
  contacts,
  conversationParticipants,
  conversations,
  messages,
} from '../../db/schema.ts';
import { AppError, notFound } from '../../errors.ts';
import { newId } from '../../lib/ids.ts';
import { recordEvent } from '../../realtime/outbox.ts';
import { appendMessage, authorOf } from '../messages/commands.ts';
import { type ConversationRow, presentConversation } from './presenter.ts';
import { canTransition } from './status.ts';

/**
 * A visitor starts a conversation, optionally with its first message. Retrying with the same first
 * clientMsgId returns the conversation the first attempt created.
 */
export async function startConversation(
  ctx: AppContext,
  visitor: VisitorActor,
  body: VisitorStartConversationBody,
): Promise<{ conversation: ConversationRow; created: boolean }> {
  const result = await transact(ctx, async (tx, pending) => {
    // Serializes one visitor's starts, so two retries cannot both create a conversation.
    await tx
      .select({ id: contactIdentities.id })
      .from(contactIdentities)
      .where(eq(contactIdentities.id, visitor.identityId))
      .for('update');
    if (body.message) {
      const [previous] = await tx
        .select({ conversation: conversations })
        .from(messages)
        .innerJoin(conversations, eq(conversations.id, messages.conversationId))
        .where(
          and(
            eq(messages.senderKind, 'contact'),
            eq(messages.senderId, visitor.contactId),
            eq(messages.clientMsgId, body.message.clientMsgId),
            eq(conversations.inboxId, visitor.inboxId),
          ),
        )
        .limit(1);
      if (previous) return { conversation: previous.conversation, created: false };
    }
    const [account] = await tx
      .update(accounts)
      .set({ lastConversationNumber: sql`${accounts.lastConversationNumber} + 1` })
      .where(eq(accounts.id, visitor.accountId))
      .returning({ number: accounts.lastConversationNumber });
    if (!account) throw notFound('account_not_found', 'Account');
    const [created] = await tx
      .insert(conversations)
      .values({
        id: newId(),
        accountId: visitor.accountId,
        inboxId: visitor.inboxId,
        contactId: visitor.contactId,
        number: account.number,
      })
      .returning();
    if (!created) throw new Error('conversation insert returned nothing');
    await tx.insert(conversationParticipants).values({
      conversationId: created.id,
      participantKind: 'contact',
      participantId: visitor.contactId,
    });
    await recordEvent(tx, pending, {
      accountId: visitor.accountId,
      conversationId: created.id,
      contactId: visitor.contactId,
      type: 'conversation.created',
      actor: { kind: 'contact', id: visitor.contactId },
      payload: { number: created.number, inboxId: created.inboxId },
    });
    let conversation = created;
    if (body.message) {
      await appendMessage(rawExecutorOf(tx), pending, {
        actor: visitor,
        conversationId: created.id,
        author: authorOf(visitor),
        kind: 'text',
        body: body.message.body,
        private: false,
        clientMsgId: body.message.clientMsgId,
      });
      const [fresh] = await tx.select().from(conversations).where(eq(conversations.id, created.id));
      conversation = fresh ?? created;
    } else {
      pending.add({
        t: 'conversation',
        accountId: created.accountId,
        inboxId: created.inboxId,
        conversation: presentConversation(created, visitor.contactName),
      });
    }
    return { conversation, created: true };
  });
  if (result.created && body.message) ctx.metrics.messagesCommitted.inc();
  return result;
}

/** Changes status along the allowed transitions, leaving an activity item in the thread and the journey. */
export async function changeStatus(
  ctx: AppContext,
  actor: AccountActor,
  conversationId: string,
  to: ConversationStatus,
): Promise<{ row: ConversationRow; contactName: string | null }> {
  return transact(ctx, async (tx, pending) => {
    const [current] = await tx
      .select()
      .from(conversations)
      .where(and(eq(conversations.id, conversationId), conversationScope(actor)))
      .for('update');
    if (!current) throw notFound('conversation_not_found', 'Conversation');
    if (current.status === to) {
      const [contact] = await tx
        .select({ name: contacts.name })
        .from(contacts)
        .where(eq(contacts.id, current.contactId));
      return { row: current, contactName: contact?.name ?? null };
    }
    if (!canTransition(current.status, to)) {
      throw new AppError(
        'invalid_status_transition',
        409,
        `A conversation cannot go from ${current.status} to ${to}`,
        {
          details: { from: current.status, to },
        },
      );
    }
    await tx
      .update(conversations)
      .set({
        status: to,
        ...(to === 'solved' || to === 'closed' ? { waitingSince: null } : {}),
      })
      .where(eq(conversations.id, conversationId));
    await recordEvent(tx, pending, {
      accountId: current.accountId,
      conversationId,
      contactId: current.contactId,
      type: 'conversation.status_changed',
      actor:
        actor.kind === 'agent' ? { kind: 'agent', id: actor.userId } : { kind: 'token', id: actor.tokenId },
      payload: { from: current.status, to },
    });
    // The activity message bumps seq, version and the feed, and publishes both after commit.
    await appendMessage(rawExecutorOf(tx), pending, {
      actor,
      conversationId,
      author: authorOf(actor),
      kind: 'activity',
      body: `status:${to}`,
      private: false,
      clientMsgId: null,
      attributes: { type: 'status_changed', from: current.status, to },
    });
    const [row] = await tx.select().from(conversations).where(eq(conversations.id, conversationId));
    const [contact] = await tx
      .select({ name: contacts.name })
      .from(contacts)
      .where(eq(contacts.id, current.contactId));
    if (!row) throw notFound('conversation_not_found', 'Conversation');
    return { row, contactName: contact?.name ?? null };
  });
}
