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
import { type EventInput, recordEvent } from '../../realtime/outbox.ts';
import { initialBotPhase } from '../bots/phase.ts';
import { assertContactNotBlocked } from '../contacts/blocking.ts';
import { applyStatusChange } from '../lifecycle/status.ts';
import { type Author, appendMessage, authorOf } from '../messages/commands.ts';
import { notifyNewConversation } from '../notifications/notify.ts';
import { Followups } from '../routing/followups.ts';
import { routableFromRow, routeConversation, runFollowups } from '../routing/router.ts';
import { afterConversationCreated, afterStatusSteps } from '../rules/triggers.ts';
import { applyAutoTags } from '../tags/commands.ts';
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
  options: {
    /** Started through the public API: the integration's name ('' when it gave none). */
    integrationSource?: string | null;
    /** false: the caller assigns it itself (and routes it if that fails). */
    route?: boolean;
  } = {},
): Promise<{ conversation: ConversationRow; created: boolean }> {
  const result = await transact(ctx, async (tx, pending) => {
    // Serializes one visitor's starts, so two retries cannot both create a conversation.
    await tx
      .select({ id: contactIdentities.id })
      .from(contactIdentities)
      .where(eq(contactIdentities.id, visitor.identityId))
      .for('update');
    await assertContactNotBlocked(tx, visitor.contactId);
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
    const [inserted] = await tx
      .insert(conversations)
      .values({
        id: newId(),
        accountId: visitor.accountId,
        inboxId: visitor.inboxId,
        contactId: visitor.contactId,
        number: account.number,
        botPhase: await initialBotPhase(tx, visitor.inboxId),
        integrationSource: options.integrationSource ?? null,
      })
      .returning();
    if (!inserted) throw new Error('conversation insert returned nothing');
    await tx.insert(conversationParticipants).values({
      conversationId: inserted.id,
      participantKind: 'contact',
      participantId: visitor.contactId,
    });
    await recordEvent(tx, pending, {
      accountId: visitor.accountId,
      conversationId: inserted.id,
      contactId: visitor.contactId,
      type: 'conversation.created',
      actor: { kind: 'contact', id: visitor.contactId },
      payload: { number: inserted.number, inboxId: inserted.inboxId, botPhase: inserted.botPhase },
    });
    await notifyNewConversation(rawExecutorOf(tx), pending, inserted);
    // The inbox's automatic tags belong to the conversation from its first moment (rules then see them).
    const created = await applyAutoTags(tx, pending, inserted);
    await afterConversationCreated(ctx, tx, created, { withMessage: body.message !== undefined });
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
        ...(body.message.attributes ? { attributes: body.message.attributes } : {}),
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
  if (result.created && body.message) {
    ctx.metrics.messagesCommitted.inc();
    if (options.route === false) return result;
    // Routed in its own transactions after the creation committed: the creation holds the account's
    // number lock, which routing must not extend. A conversation started without a message is routed
    // on the customer's first message (see lifecycle/reopen.ts).
    await routeConversation(ctx, result.conversation.id);
  }
  return result;
}

/** Changes status along the allowed transitions, leaving an activity item in the thread and the journey. */
export async function changeStatus(
  ctx: AppContext,
  actor: AccountActor,
  conversationId: string,
  to: ConversationStatus,
  options: {
    /** Automation changing the status on the account's behalf (rules): who the journey names. */
    by?: { author: Author; actor: EventInput['actor']; details?: Record<string, unknown> };
    /** Rules whose actions led here; status_changed rules do not run them again. */
    ruleChain?: string[];
  } = {},
): Promise<{ row: ConversationRow; contactName: string | null }> {
  const followups = new Followups();
  const result = await transact(ctx, async (tx, pending) => {
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
    const eventActor: EventInput['actor'] =
      options.by?.actor ??
      (actor.kind === 'agent' ? { kind: 'agent', id: actor.userId } : { kind: 'token', id: actor.tokenId });
    // Timestamps, journey, activity item, timers of the inbox's conversation style, capacity.
    const after = await applyStatusChange(
      rawExecutorOf(tx),
      pending,
      ctx.now(),
      routableFromRow(current),
      {
        to,
        actor: options.by ? null : actor,
        journeyActor: eventActor,
        reason: options.by ? 'rule' : 'agent',
        ...(options.by ? { author: options.by.author, details: options.by.details ?? {} } : {}),
      },
      followups,
    );
    // Bots and rules: solving hands the conversation back to the bot; status_changed rules are scheduled
    // (for the close too when solving a live chat closed it).
    await afterStatusSteps(ctx, tx, pending, {
      conversation: current,
      to,
      reached: after.status as ConversationStatus,
      actor: eventActor,
      ...(options.ruleChain ? { ruleChain: options.ruleChain } : {}),
    });
    const [row] = await tx.select().from(conversations).where(eq(conversations.id, conversationId));
    const [contact] = await tx
      .select({ name: contacts.name })
      .from(contacts)
      .where(eq(contacts.id, current.contactId));
    if (!row) throw notFound('conversation_not_found', 'Conversation');
    return { row, contactName: contact?.name ?? null };
  });
  // Freed capacity is served from the queue, a reopened conversation that cannot go back is routed.
  await runFollowups(ctx, followups);
  return result;
}
