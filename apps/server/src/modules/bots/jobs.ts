import { type BotSettings, HUMAN_BUTTON_ID, type InboxSettings, inboxSettingsSchema } from '@parley/shared';
import { and, desc, eq, lte } from 'drizzle-orm';
import { z } from 'zod';
import { type AppContext, transact } from '../../context.ts';
import { contacts, conversations, events, inboxes, messages } from '../../db/schema.ts';
import { AppError } from '../../errors.ts';
import { type Allowlist, parseAllowlist } from '../../http/outbound.ts';
import type { Job } from '../../jobs/runner.ts';
import { postMessage } from '../messages/commands.ts';
import type { Bot, BotAction, BotEventBase, BotHistoryItem } from './bot.ts';
import { BuiltinBot } from './builtin.ts';
import { BOT_JOBS } from './kinds.ts';
import { lockConversation, recordPhaseJourney, requestHuman, systemActor } from './phase.ts';
import { botWebhookSecret } from './secret.ts';
import { BotAnswerInvalid, WebhookBot } from './webhook.ts';

/**
 * Bot work runs from durable jobs, after the change that caused it has committed, and is retried when it
 * fails (a webhook bot that is down). Every effect is idempotent: replies carry a clientMsgId derived
 * from the triggering message, handoffs and takeovers check the phase they move from.
 *
 * - bot.conversation_started: a conversation started without a message in an inbox with a bot;
 * - bot.customer_message: a customer wrote while the bot holds the conversation (scheduled by the
 *   message statement itself, see messages/commands.ts);
 * - bot.accepted: an agent's reply took the conversation from the bot; records the journey entry.
 */

const payloadSchema = z.object({
  accountId: z.uuid(),
  conversationId: z.uuid(),
  messageId: z.uuid().optional(),
});

interface BotState {
  conversation: typeof conversations.$inferSelect;
  inbox: typeof inboxes.$inferSelect;
  settings: InboxSettings;
  contact: typeof contacts.$inferSelect;
}

async function loadState(ctx: AppContext, conversationId: string): Promise<BotState | null> {
  const [row] = await ctx.database.db
    .select({ conversation: conversations, inbox: inboxes, contact: contacts })
    .from(conversations)
    .innerJoin(inboxes, eq(inboxes.id, conversations.inboxId))
    .innerJoin(contacts, eq(contacts.id, conversations.contactId))
    .where(eq(conversations.id, conversationId));
  if (!row) return null;
  const settings = inboxSettingsSchema.safeParse(row.inbox.settings);
  if (!settings.success) {
    ctx.log.warn({ inboxId: row.inbox.id }, 'inbox settings do not parse; the bot stays silent');
    return null;
  }
  return { ...row, settings: settings.data };
}

const holdsConversation = (state: BotState) =>
  state.settings.bot.enabled &&
  state.conversation.status !== 'closed' &&
  (state.conversation.botPhase === 'bot' || state.conversation.botPhase === 'requested');

/**
 * The inbox's bot was switched off while this conversation was still the bot's: nobody would ever
 * answer it (routing leaves the bot's conversations alone), so it goes to the people. Returns whether
 * that was the case.
 */
async function orphaned(ctx: AppContext, state: BotState): Promise<boolean> {
  if (state.settings.bot.enabled || state.conversation.botPhase !== 'bot') return false;
  if (state.conversation.status === 'closed') return true;
  await requestHuman(ctx, state.conversation.id, {
    reason: 'bot_disabled',
    actor: { kind: 'system', id: null },
  });
  return true;
}

let allowlistCache: { source: string; value: Allowlist } | null = null;
function allowlistOf(ctx: AppContext): Allowlist {
  const source = ctx.env.BOT_WEBHOOK_ALLOWLIST;
  if (allowlistCache?.source !== source) allowlistCache = { source, value: parseAllowlist(source) };
  return allowlistCache.value;
}

/** The inbox's bot: the built-in one, or the external one behind its webhook. */
export function botFor(ctx: AppContext, state: BotState): Bot {
  const bot: BotSettings = state.settings.bot;
  if (bot.kind === 'webhook') {
    return new WebhookBot({
      settings: bot,
      secret: botWebhookSecret(ctx.env.SECRET_KEY, state.inbox.id, state.settings.botSecretVersion),
      allowlist: allowlistOf(ctx),
      accountId: state.conversation.accountId,
      log: ctx.log,
      now: ctx.now,
    });
  }
  return new BuiltinBot(bot);
}

function eventBase(state: BotState, id: string, attempt: number): BotEventBase {
  const c = state.conversation;
  return {
    id,
    attempt,
    inbox: { id: state.inbox.id, name: state.inbox.name },
    conversation: {
      id: c.id,
      accountId: c.accountId,
      inboxId: c.inboxId,
      number: c.number,
      status: c.status,
      botPhase: c.botPhase,
    },
    contact: {
      id: state.contact.id,
      name: state.contact.name,
      email: state.contact.email,
      attributes: state.contact.attributes,
    },
  };
}

/**
 * Writes a bot's actions in order. `slot` plus the action's index is the reply's clientMsgId, so a retried
 * job rewrites nothing it already wrote. Stops as soon as a person has taken the conversation over.
 */
async function applyActions(
  ctx: AppContext,
  state: BotState,
  actions: BotAction[],
  slot: string,
): Promise<void> {
  const c = state.conversation;
  for (const [index, action] of actions.entries()) {
    if (action.type === 'handoff') {
      await requestHuman(ctx, c.id, {
        reason: action.reason ?? 'bot_handoff',
        actor: { kind: 'bot', id: state.inbox.id },
      });
      continue;
    }
    const attributes: Record<string, unknown> = {};
    if (action.type === 'menu') attributes.buttons = action.buttons;
    if (action.intent) attributes.botIntent = action.intent;
    try {
      await postMessage(ctx, {
        actor: systemActor(c.accountId),
        conversationId: c.id,
        author: { kind: 'bot', id: state.inbox.id, name: state.settings.bot.name },
        kind: action.type === 'menu' ? 'flow' : 'text',
        body: action.text.slice(0, 10_000),
        private: false,
        clientMsgId: `${slot}:${index}`,
        attributes,
        requireBotActive: true,
        automated: true,
      });
    } catch (error) {
      if (error instanceof AppError) {
        // A person took over, or the conversation closed: the bot has nothing more to say.
        if (error.code === 'bot_not_active' || error.code === 'conversation_closed') return;
        // An earlier attempt already wrote this slot (a webhook bot that answered differently).
        if (error.code === 'idempotency_conflict') continue;
      }
      throw error;
    }
  }
}

async function history(ctx: AppContext, conversationId: string, uptoSeq: number): Promise<BotHistoryItem[]> {
  const rows = await ctx.database.db
    .select({
      seq: messages.seq,
      senderKind: messages.senderKind,
      kind: messages.kind,
      body: messages.body,
      attributes: messages.attributes,
    })
    .from(messages)
    .where(
      and(
        eq(messages.conversationId, conversationId),
        lte(messages.seq, uptoSeq),
        eq(messages.private, false),
      ),
    )
    .orderBy(desc(messages.seq))
    .limit(30);
  return rows.reverse().map((r) => ({
    seq: r.seq,
    senderKind: r.senderKind,
    kind: r.kind,
    body: r.body,
    intent: typeof r.attributes.botIntent === 'string' ? r.attributes.botIntent : null,
  }));
}

async function runBot<T>(ctx: AppContext, job: Job, work: () => Promise<T>): Promise<T | null> {
  try {
    return await work();
  } catch (error) {
    // Retrying cannot fix an answer the bot got wrong; log it and let the conversation go on.
    if (error instanceof BotAnswerInvalid) {
      ctx.log.warn({ err: error, key: job.key }, 'bot answer dropped');
      return null;
    }
    throw error;
  }
}

async function onConversationStarted(ctx: AppContext, job: Job): Promise<void> {
  const payload = payloadSchema.parse(job.payload);
  const state = await loadState(ctx, payload.conversationId);
  if (!state || (await orphaned(ctx, state)) || !holdsConversation(state)) return;
  const bot = botFor(ctx, state);
  const actions = await runBot(ctx, job, () =>
    bot.onConversationStarted(eventBase(state, `started:${state.conversation.id}`, job.attempts)),
  );
  if (actions) await applyActions(ctx, state, actions, `bot-start:${state.conversation.id}`);
}

async function onCustomerMessage(ctx: AppContext, job: Job): Promise<void> {
  const payload = payloadSchema.parse(job.payload);
  if (!payload.messageId) return;
  const state = await loadState(ctx, payload.conversationId);
  if (!state || (await orphaned(ctx, state)) || !holdsConversation(state)) return;
  const [message] = await ctx.database.db
    .select()
    .from(messages)
    .where(and(eq(messages.id, payload.messageId), eq(messages.conversationId, state.conversation.id)));
  if (message?.senderKind !== 'contact') return;
  const buttonId = typeof message.attributes.buttonId === 'string' ? message.attributes.buttonId : null;

  // "Talk to a human" is Parley's own button: it hands off whatever bot is in front.
  if (buttonId === HUMAN_BUTTON_ID) {
    await requestHuman(ctx, state.conversation.id, {
      reason: 'customer_button',
      actor: { kind: 'contact', id: message.senderId },
    });
    return;
  }

  const bot = botFor(ctx, state);
  const past = await history(ctx, state.conversation.id, message.seq);
  // A conversation created together with this message (same transaction, same timestamp) also starts
  // the bot's conversation: it hears both events, in order, in this one job.
  const startedWithIt =
    message.seq === 1 && message.createdAt.getTime() === state.conversation.createdAt.getTime();
  if (startedWithIt) {
    const greeting = await runBot(ctx, job, () =>
      bot.onConversationStarted(eventBase(state, `started:${state.conversation.id}`, job.attempts)),
    );
    if (greeting) await applyActions(ctx, state, greeting, `bot-start:${state.conversation.id}`);
  }
  const actions = await runBot(ctx, job, () =>
    bot.onCustomerMessage({
      ...eventBase(state, `message:${message.id}`, job.attempts),
      message: {
        id: message.id,
        seq: message.seq,
        body: message.body,
        buttonId,
        createdAt: message.createdAt.toISOString(),
      },
      isFirstCustomerMessage: !past.some((h) => h.senderKind === 'contact' && h.seq < message.seq),
      history: past.filter((h) => h.seq < message.seq),
    }),
  );
  if (actions) await applyActions(ctx, state, actions, `bot-msg:${message.id}`);
}

/**
 * An agent's reply moved the conversation to `accepted` inside the message's own statement; this adds
 * what that statement could not: the journey event and the activity item. Idempotent: it writes them
 * only while the newest recorded phase is not `accepted` already.
 */
async function onAccepted(ctx: AppContext, job: Job): Promise<void> {
  const payload = payloadSchema.parse(job.payload);
  await transact(ctx, async (tx, pending) => {
    const conversation = await lockConversation(tx, eq(conversations.id, payload.conversationId));
    if (conversation?.botPhase !== 'accepted') return;
    const [latest] = await tx
      .select({ payload: events.payload })
      .from(events)
      .where(
        and(eq(events.conversationId, conversation.id), eq(events.type, 'conversation.bot_phase_changed')),
      )
      .orderBy(desc(events.id))
      .limit(1);
    if (latest?.payload.to === 'accepted') return;
    const [message] = payload.messageId
      ? await tx
          .select({ senderId: messages.senderId })
          .from(messages)
          .where(eq(messages.id, payload.messageId))
      : [];
    const from = latest?.payload.to === 'requested' ? 'requested' : 'bot';
    await recordPhaseJourney(tx, pending, {
      conversation,
      from,
      to: 'accepted',
      reason: 'agent_replied',
      actor: { kind: 'agent', id: message?.senderId ?? null },
      details: payload.messageId ? { messageId: payload.messageId } : {},
    });
  });
}

export function registerBotJobs(ctx: AppContext): void {
  ctx.jobs.register(BOT_JOBS.started, (job) => onConversationStarted(ctx, job));
  ctx.jobs.register(BOT_JOBS.customerMessage, (job) => onCustomerMessage(ctx, job));
  ctx.jobs.register(BOT_JOBS.accepted, (job) => onAccepted(ctx, job));
}
