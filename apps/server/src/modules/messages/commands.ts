import type { Message, MessageKind } from '@parley/shared';
import { and, eq, isNull } from 'drizzle-orm';
import { conversationScopeParams, conversationScopeText, scopeValues } from '../../auth/policies.ts';
import type { Actor } from '../../auth/principal.ts';
import type { AppContext } from '../../context.ts';
import type { DbOrTx, RawExecutor } from '../../db/connect.ts';
import { messageColumns, messages } from '../../db/schema.ts';
import { AppError, conflict, notFound } from '../../errors.ts';
import type { PendingPublish } from '../../realtime/outbox.ts';
import { claimAttachments, linkAttachments } from '../attachments/message-link.ts';
import { contactBlocked } from '../contacts/blocking.ts';
import { presentConversation } from '../conversations/presenter.ts';
import { conversationRowFromSql } from '../conversations/row-from-sql.ts';
import { type AppendRow, runAppendStatement } from './append.ts';
import { type MessageRow, presentMessage } from './presenter.ts';

export interface Author {
  kind: 'contact' | 'agent' | 'bot' | 'system';
  id: string | null;
  name: string | null;
}

export function authorOf(actor: Actor): Author {
  switch (actor.kind) {
    case 'visitor':
      return { kind: 'contact', id: actor.contactId, name: actor.contactName };
    case 'agent':
      return { kind: 'agent', id: actor.userId, name: actor.name };
    case 'token':
      return { kind: 'bot', id: actor.tokenId, name: 'API' };
  }
}

export interface AppendMessageInput {
  actor: Actor;
  conversationId: string;
  author: Author;
  kind: MessageKind;
  body: string;
  private: boolean;
  clientMsgId: string | null;
  attributes?: Record<string, unknown>;
  /** Bot replies: written only while the bot holds the conversation (bot or requested), else bot_not_active. */
  requireBotActive?: boolean;
  /** Written by Parley's own automation (the built-in bot, rules): not a reply for status and first-response time. */
  automated?: boolean;
  /**
   * The server can send e-mail: an agent's public reply then schedules the follow-up of the
   * conversation's unread replies (modules/followups), if the inbox wants it.
   */
  emailFollowup?: boolean;
  /** Files of a message of kind `attachment` (uploaded by the sender to this conversation). */
  attachmentIds?: string[];
  /** The inbox list's preview when it is not the body (a file without a caption). */
  preview?: string;
}

/** The clientMsgId is already stored: the writer answers with the original message (answerDuplicate). */
export class DuplicateMessage extends Error {}

type Json = Record<string, unknown>;
const date = (value: unknown): Date | null =>
  value === null || value === undefined ? null : new Date(String(value));

function messageFromJson(m: Json): MessageRow {
  return {
    id: String(m.id),
    conversationId: String(m.conversation_id),
    accountId: String(m.account_id),
    seq: Number(m.seq),
    kind: m.kind as MessageRow['kind'],
    senderKind: m.sender_kind as MessageRow['senderKind'],
    senderId: (m.sender_id as string | null) ?? null,
    senderName: (m.sender_name as string | null) ?? null,
    body: String(m.body),
    private: m.private === true,
    attributes: (m.attributes as Json | null) ?? {},
    clientMsgId: (m.client_msg_id as string | null) ?? null,
    createdAt: date(m.created_at) ?? new Date(0),
  };
}

/** Appends one message inside the caller's transaction (see APPEND_MESSAGE_SQL). */
export async function appendMessage(
  executor: RawExecutor,
  pending: PendingPublish,
  input: AppendMessageInput,
): Promise<Message> {
  return (await appendMessageWithState(executor, pending, input)).message;
}

export interface AppendedState {
  message: Message;
  /** The conversation row as the statement left it (snake_case keys). */
  conversation: Json;
  /** Status and assignee before this message (a customer's message may have reopened it). */
  previousStatus: string | null;
  previousAssigneeId: string | null;
  /** The bot phase before this message (an agent's reply may have taken the conversation over). */
  previousBotPhase: string | null;
}

/** appendMessage, also telling what the message did to the conversation (for the writer's hooks). */
export async function appendMessageWithState(
  executor: RawExecutor,
  pending: PendingPublish,
  given: AppendMessageInput,
): Promise<AppendedState> {
  // Only attachment messages pay for this: their files are checked under the conversation's lock.
  const input = given.attachmentIds ? await claimAttachments(executor, given) : given;
  const [row] = await runAppendStatement(executor, [input], {
    lockIds: [input.conversationId],
    ownTransaction: false,
  });
  return settleAppended(executor, pending, input, row as AppendRow);
}

/**
 * Turns the batch statement's row for one message into its outcome: the stored message (queued for
 * publishing in `pending`, its files linked) or the error that refused it.
 */
export async function settleAppended(
  executor: RawExecutor,
  pending: PendingPublish,
  input: AppendMessageInput,
  row: AppendRow,
): Promise<AppendedState> {
  // Already stored: found by the statement (`duplicate`, senderless messages) or refused by the unique index.
  if (row.duplicate || (row.admitted && !row.message)) throw new DuplicateMessage();
  if (!row.conversation || !row.message) throw await refusal(executor, input);
  const conversation = conversationRowFromSql(row.conversation);
  const message = presentMessage(messageFromJson(row.message));
  if (input.attachmentIds) await linkAttachments(executor, message.id, input.attachmentIds);
  if (row.event_id !== null) pending.eventIds.push(Number(row.event_id));
  pending.add({
    t: 'message',
    accountId: conversation.accountId,
    inboxId: conversation.inboxId,
    conversationId: conversation.id,
    message,
  });
  pending.add({
    t: 'conversation',
    accountId: conversation.accountId,
    inboxId: conversation.inboxId,
    conversation: presentConversation(conversation, row.contact_name),
  });
  return {
    message,
    conversation: row.conversation,
    previousStatus: typeof row.conversation.prev_status === 'string' ? row.conversation.prev_status : null,
    previousAssigneeId:
      typeof row.conversation.prev_assignee_id === 'string' ? row.conversation.prev_assignee_id : null,
    previousBotPhase:
      typeof row.conversation.prev_bot_phase === 'string' ? row.conversation.prev_bot_phase : null,
  };
}

/** Rare path: tells a closed conversation, a blocked contact and a bot no longer in charge from one this actor cannot see. */
async function refusal(executor: RawExecutor, input: AppendMessageInput): Promise<AppError> {
  const scope = conversationScopeParams(input.actor);
  const [visible] = await executor.query<{ status: string }>(
    `select status from conversations where id = $1::uuid and ${conversationScopeText('conversations', 2)}`,
    [input.conversationId, ...scopeValues(scope)],
  );
  if (scope.contactId !== null) {
    const [blocked] = await executor.query<{ id: string }>(
      'select id from contacts where id = $1::uuid and blocked_at is not null',
      [scope.contactId],
    );
    if (blocked) return contactBlocked();
  }
  if (visible?.status === 'closed') {
    // Clients (the widget) start a new conversation with the same message: POST /api/client/conversations.
    return new AppError('conversation_closed', 409, 'This conversation is closed; start a new one', {
      details: { next: 'start_new_conversation', method: 'POST', path: '/api/client/conversations' },
    });
  }
  if (visible && input.requireBotActive)
    return conflict('bot_not_active', 'A person has taken this conversation over from the bot');
  return notFound('conversation_not_found', 'Conversation');
}

/** Finds the message an earlier attempt with the same clientMsgId stored. */
export async function findExistingMessage(executor: DbOrTx, input: AppendMessageInput) {
  const [row] = await executor
    .select(messageColumns)
    .from(messages)
    .where(
      and(
        eq(messages.conversationId, input.conversationId),
        eq(messages.senderKind, input.author.kind),
        input.author.id === null ? isNull(messages.senderId) : eq(messages.senderId, input.author.id),
        eq(messages.clientMsgId, input.clientMsgId ?? ''),
      ),
    )
    .limit(1);
  return row;
}

/** The answer to a retried write: the original message, or a conflict if the retry says something else. */
export function answerDuplicate(
  existing: MessageRow,
  input: AppendMessageInput,
): { message: Message; created: boolean } {
  if (existing.body !== input.body || existing.private !== input.private) {
    throw new AppError(
      'idempotency_conflict',
      409,
      'This clientMsgId was already used for a different message',
    );
  }
  return { message: presentMessage(existing), created: false };
}

/**
 * Stores a message exactly once per (conversation, sender, clientMsgId). A retry gets the original
 * message back with `created: false`; the same id with a different body is a conflict. Writes go through
 * the node's MessageWriter, which commits concurrent messages together.
 */
export function postMessage(
  ctx: AppContext,
  input: AppendMessageInput,
): Promise<{ message: Message; created: boolean }> {
  return ctx.messageWriter.submit(input);
}
