import { type BotPhase, type ConversationStatus, inboxSettingsSchema } from '@parley/shared';
import { and, eq } from 'drizzle-orm';
import { conversationScope } from '../../auth/policies.ts';
import type { AccountActor } from '../../auth/principal.ts';
import { type AppContext, transact } from '../../context.ts';
import { rawExecutorOf, type Tx } from '../../db/connect.ts';
import { contacts, conversations, inboxes } from '../../db/schema.ts';
import { conflict, notFound } from '../../errors.ts';
import { type EventInput, type PendingPublish, recordEvent } from '../../realtime/outbox.ts';
import type { ConversationRow } from '../conversations/presenter.ts';
import { type Author, appendMessage } from '../messages/commands.ts';
import { Followups } from '../routing/followups.ts';
import { runFollowups } from '../routing/router.ts';
import { assignOnTakeover } from '../routing/takeover.ts';
import { routeAfterHandoff } from './handoff.ts';

/**
 * The account itself acting (jobs: bots, rules). It is scoped to the account like an API token with no
 * scopes; it never authenticates a request.
 */
export function systemActor(accountId: string): AccountActor {
  return { kind: 'token', tokenId: '00000000-0000-0000-0000-000000000000', accountId, scopes: [] };
}

export const SYSTEM_AUTHOR: Author = { kind: 'system', id: null, name: null };

type JourneyActor = EventInput['actor'];

/** The phase a new conversation of this inbox starts in: `bot` when the inbox puts a bot in front. */
export async function initialBotPhase(tx: Tx, inboxId: string): Promise<BotPhase | null> {
  const [inbox] = await tx
    .select({ settings: inboxes.settings })
    .from(inboxes)
    .where(eq(inboxes.id, inboxId));
  if (!inbox) return null;
  const parsed = inboxSettingsSchema.shape.bot.safeParse(inbox.settings.bot);
  return parsed.success && parsed.data.enabled ? 'bot' : null;
}

/**
 * Moves a locked conversation to another bot phase: the row, a journey event and an activity item in the
 * thread (which bumps the version and publishes the conversation after commit), in the caller's
 * transaction.
 */
export async function changeBotPhase(
  tx: Tx,
  pending: PendingPublish,
  input: {
    conversation: ConversationRow;
    to: BotPhase;
    reason: string;
    actor: JourneyActor;
    /** Extra journey details (the rule, the message…). */
    details?: Record<string, unknown>;
  },
): Promise<void> {
  const { conversation, to } = input;
  const from = conversation.botPhase;
  if (from === to) return;
  await tx.update(conversations).set({ botPhase: to }).where(eq(conversations.id, conversation.id));
  await recordPhaseJourney(tx, pending, { ...input, from });
}

/** The journey event and the thread's activity item of a phase change already made to the row. */
export async function recordPhaseJourney(
  tx: Tx,
  pending: PendingPublish,
  input: {
    conversation: ConversationRow;
    from: BotPhase | null;
    to: BotPhase;
    reason: string;
    actor: JourneyActor;
    details?: Record<string, unknown>;
  },
): Promise<void> {
  const { conversation, from, to } = input;
  await recordEvent(tx, pending, {
    accountId: conversation.accountId,
    conversationId: conversation.id,
    contactId: conversation.contactId,
    type: 'conversation.bot_phase_changed',
    actor: input.actor,
    payload: { from, to, reason: input.reason, ...(input.details ?? {}) },
  });
  await appendMessage(rawExecutorOf(tx), pending, {
    actor: systemActor(conversation.accountId),
    conversationId: conversation.id,
    author: SYSTEM_AUTHOR,
    kind: 'activity',
    body: `bot_phase:${to}`,
    private: false,
    clientMsgId: null,
    attributes: { type: 'bot_phase', from, to, reason: input.reason },
  });
}

export async function lockConversation(
  tx: Tx,
  where: ReturnType<typeof and>,
): Promise<ConversationRow | undefined> {
  const [row] = await tx.select().from(conversations).where(where).for('update');
  return row;
}

/**
 * The customer (or the bot) asks for a person: `bot` → `requested`, then routing is told. Does nothing
 * when a person was already asked for or has taken over. Returns whether the phase changed.
 */
export async function requestHuman(
  ctx: AppContext,
  conversationId: string,
  input: { reason: string; actor: JourneyActor },
): Promise<boolean> {
  const changed = await transact(ctx, async (tx, pending) => {
    const conversation = await lockConversation(tx, eq(conversations.id, conversationId));
    if (conversation?.botPhase !== 'bot' || conversation.status === 'closed') return false;
    await changeBotPhase(tx, pending, { conversation, to: 'requested', ...input });
    return true;
  });
  if (changed) await routeAfterHandoff(ctx, conversationId);
  return changed;
}

async function presented(tx: Tx, conversationId: string) {
  const [found] = await tx
    .select({ row: conversations, contactName: contacts.name })
    .from(conversations)
    .innerJoin(contacts, eq(contacts.id, conversations.contactId))
    .where(eq(conversations.id, conversationId));
  if (!found) throw notFound('conversation_not_found', 'Conversation');
  return found;
}

/**
 * An agent intervenes ("accept"): the bot goes silent, and the agent becomes the assignee when the
 * conversation has none and they have room (routing/takeover.ts). Idempotent; 409 bot_not_active when
 * the conversation has no bot.
 */
export async function acceptConversation(ctx: AppContext, actor: AccountActor, conversationId: string) {
  const followups = new Followups();
  const result = await transact(ctx, async (tx, pending) => {
    const conversation = await lockConversation(
      tx,
      and(eq(conversations.id, conversationId), conversationScope(actor)),
    );
    if (!conversation) throw notFound('conversation_not_found', 'Conversation');
    if (conversation.botPhase === null) throw conflict('bot_not_active', 'This conversation has no bot');
    if (conversation.status === 'closed')
      throw conflict('conversation_closed', 'This conversation is closed');
    if (conversation.botPhase !== 'accepted') {
      await changeBotPhase(tx, pending, {
        conversation,
        to: 'accepted',
        reason: 'agent_accepted',
        actor: journeyActorOf(actor),
      });
      await assignOnTakeover(rawExecutorOf(tx), pending, ctx.now(), { conversationId, actor, followups });
    }
    return presented(tx, conversationId);
  });
  // Leaving the queue tells the customers still waiting their new places.
  await runFollowups(ctx, followups);
  return result;
}

/** Hands a conversation back to the bot without solving it. 409 bot_not_active without a bot. */
export async function resumeBot(ctx: AppContext, actor: AccountActor, conversationId: string) {
  return transact(ctx, async (tx, pending) => {
    const conversation = await lockConversation(
      tx,
      and(eq(conversations.id, conversationId), conversationScope(actor)),
    );
    if (!conversation) throw notFound('conversation_not_found', 'Conversation');
    if (conversation.botPhase === null) throw conflict('bot_not_active', 'This conversation has no bot');
    if (conversation.status === 'closed')
      throw conflict('conversation_closed', 'This conversation is closed');
    await changeBotPhase(tx, pending, {
      conversation,
      to: 'bot',
      reason: 'agent_resumed_bot',
      actor: journeyActorOf(actor),
    });
    return presented(tx, conversationId);
  });
}

export function journeyActorOf(actor: AccountActor): JourneyActor {
  return actor.kind === 'agent' ? { kind: 'agent', id: actor.userId } : { kind: 'token', id: actor.tokenId };
}

/**
 * Called by every status change inside its transaction: solving gives the conversation back to the bot
 * (AiSensy's "Resolve"), so the customer's next message is the bot's again.
 */
export async function botPhaseAfterStatusChange(
  tx: Tx,
  pending: PendingPublish,
  input: { conversation: ConversationRow; to: ConversationStatus; actor: JourneyActor },
): Promise<void> {
  const { conversation } = input;
  if (input.to !== 'solved') return;
  if (conversation.botPhase !== 'requested' && conversation.botPhase !== 'accepted') return;
  await changeBotPhase(tx, pending, {
    conversation,
    to: 'bot',
    reason: 'solved',
    actor: input.actor,
  });
}
