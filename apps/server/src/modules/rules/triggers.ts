import type { ConversationStatus, RuleEvent } from '@parley/shared';
import { and, eq } from 'drizzle-orm';
import type { AppContext } from '../../context.ts';
import type { Tx } from '../../db/connect.ts';
import { conversations, rules } from '../../db/schema.ts';
import { scheduleJob } from '../../jobs/runner.ts';
import { newId } from '../../lib/ids.ts';
import type { EventInput, PendingPublish } from '../../realtime/outbox.ts';
import { BOT_JOBS } from '../bots/kinds.ts';
import { botPhaseAfterStatusChange } from '../bots/phase.ts';
import type { ConversationRow } from '../conversations/presenter.ts';

/**
 * Where conversation changes meet automation (bots and rules). Each hook runs inside the transaction of
 * the change and only schedules durable jobs, so the work happens after the commit, exactly when the
 * change happened, and is retried if it fails. message_created is scheduled by the message statement
 * itself (messages/commands.ts) to keep the hot path one statement.
 */
export const RULE_JOBS: Record<RuleEvent, string> = {
  conversation_created: 'rules.conversation_created',
  message_created: 'rules.message_created',
  status_changed: 'rules.status_changed',
};

export interface RuleRunPayload {
  accountId: string;
  conversationId: string;
  messageId?: string;
  from?: string;
  to?: string;
  /** Rules already run in this chain of causes: a rule never re-triggers itself (loop safety). */
  chain?: string[];
}

/** Schedules the account's rules for an event, if it has any enabled ones. */
export async function scheduleRules(
  ctx: AppContext,
  tx: Tx,
  event: RuleEvent,
  payload: RuleRunPayload,
): Promise<void> {
  const [any] = await tx
    .select({ id: rules.id })
    .from(rules)
    .where(and(eq(rules.accountId, payload.accountId), eq(rules.event, event), eq(rules.enabled, true)))
    .limit(1);
  if (!any) return;
  const kind = RULE_JOBS[event];
  await scheduleJob(tx, {
    kind,
    key: `${kind}:${payload.conversationId}:${newId()}`,
    runAt: ctx.now(),
    payload: { ...payload },
  });
}

/** A conversation was created: the bot greets (when it started without a message) and rules run. */
export async function afterConversationCreated(
  ctx: AppContext,
  tx: Tx,
  conversation: ConversationRow,
  options: { withMessage: boolean },
): Promise<void> {
  if (conversation.botPhase === 'bot' && !options.withMessage) {
    // With a first message, the message's own bot job greets first (see bots/jobs.ts).
    await scheduleJob(tx, {
      kind: BOT_JOBS.started,
      key: `${BOT_JOBS.started}:${conversation.id}`,
      runAt: ctx.now(),
      payload: { accountId: conversation.accountId, conversationId: conversation.id },
    });
  }
  await scheduleRules(ctx, tx, 'conversation_created', {
    accountId: conversation.accountId,
    conversationId: conversation.id,
  });
}

/**
 * A status changed (`conversation` is the row before the change): solving gives the conversation back
 * to the bot, and status_changed rules run, carrying the chain of rules that caused the change.
 */
export async function afterStatusChanged(
  ctx: AppContext,
  tx: Tx,
  pending: PendingPublish,
  input: {
    conversation: ConversationRow;
    to: ConversationStatus;
    actor: EventInput['actor'];
    ruleChain?: string[];
  },
): Promise<void> {
  const { conversation, to } = input;
  await botPhaseAfterStatusChange(tx, pending, { conversation, to, actor: input.actor });
  await scheduleRules(ctx, tx, 'status_changed', {
    accountId: conversation.accountId,
    conversationId: conversation.id,
    from: conversation.status,
    to,
    ...(input.ruleChain ? { chain: input.ruleChain } : {}),
  });
}

/**
 * The hooks of a change made by lifecycle's applyStatusChange, which may go a step further by itself:
 * solving a live chat closes it at once. Each step runs the hooks, so rules and bots hear the close too;
 * the later step sees the row as the earlier one left it (the bot phase solving reset) and carries the
 * same rule chain.
 */
export async function afterStatusSteps(
  ctx: AppContext,
  tx: Tx,
  pending: PendingPublish,
  input: {
    conversation: ConversationRow;
    to: ConversationStatus;
    /** The status the conversation ended in (`to`, or `closed` after a live chat was solved). */
    reached: ConversationStatus;
    actor: EventInput['actor'];
    ruleChain?: string[];
  },
): Promise<void> {
  const chain = input.ruleChain ? { ruleChain: input.ruleChain } : {};
  await afterStatusChanged(ctx, tx, pending, {
    conversation: input.conversation,
    to: input.to,
    actor: input.actor,
    ...chain,
  });
  if (input.reached === input.to) return;
  const [row] = await tx.select().from(conversations).where(eq(conversations.id, input.conversation.id));
  if (!row) return;
  await afterStatusChanged(ctx, tx, pending, {
    conversation: { ...row, status: input.to },
    to: input.reached,
    actor: { kind: 'system', id: null },
    ...chain,
  });
}
