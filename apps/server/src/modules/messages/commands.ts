import type { Message, MessageKind } from '@parley/shared';
import { and, eq, isNull, sql } from 'drizzle-orm';
import { conversationScope } from '../../auth/policies.ts';
import type { Actor } from '../../auth/principal.ts';
import { type AppContext, transact } from '../../context.ts';
import type { Tx } from '../../db/connect.ts';
import { contacts, conversations, messages } from '../../db/schema.ts';
import { AppError, conflict, notFound } from '../../errors.ts';
import { newId } from '../../lib/ids.ts';
import { type PendingPublish, recordEvent } from '../../realtime/outbox.ts';
import { presentConversation } from '../conversations/presenter.ts';
import { advanceReadPosition } from '../conversations/reads.ts';
import { presentMessage } from './presenter.ts';

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
}

/** Thrown inside the transaction when the clientMsgId is already stored, to roll the seq back. */
class DuplicateMessage extends Error {}

const preview = (body: string) => (body.length > 140 ? `${body.slice(0, 139)}…` : body);

/**
 * Appends one message inside the caller's transaction. The UPDATE takes the conversation's row lock and
 * allocates the next seq, so seqs are gapless and commit in order; the same statement re-checks that
 * the actor may write there.
 */
export async function appendMessage(
  tx: Tx,
  pending: PendingPublish,
  input: AppendMessageInput,
): Promise<Message> {
  const isActivity = input.kind === 'activity';
  const fromCustomer = !isActivity && input.author.kind === 'contact';
  const isReply =
    !isActivity && !input.private && (input.author.kind === 'agent' || input.author.kind === 'bot');
  const isPublic = !input.private && !isActivity;
  const [conversation] = await tx
    .update(conversations)
    .set({
      lastSeq: sql`${conversations.lastSeq} + 1`,
      version: sql`${conversations.version} + 1`,
      feedXid: sql`pg_current_xact_id()`,
      lastActivityAt: sql`now()`,
      ...(isPublic ? { lastMessagePreview: preview(input.body) } : {}),
      ...(fromCustomer
        ? {
            status: sql`case when ${conversations.status} in ('pending', 'on_hold', 'solved') then 'open' else ${conversations.status} end`,
            waitingSince: sql`coalesce(${conversations.waitingSince}, now())`,
          }
        : {}),
      ...(isReply
        ? {
            status: sql`case when ${conversations.status} = 'new' then 'open' else ${conversations.status} end`,
            firstReplyAt: sql`coalesce(${conversations.firstReplyAt}, now())`,
            waitingSince: null,
          }
        : {}),
    })
    .where(and(eq(conversations.id, input.conversationId), conversationScope(input.actor)))
    .returning();
  if (!conversation) throw notFound('conversation_not_found', 'Conversation');
  if (conversation.status === 'closed' && input.kind !== 'activity') {
    throw conflict('conflict', 'This conversation is closed; start a new one');
  }
  const [row] = await tx
    .insert(messages)
    .values({
      id: newId(),
      conversationId: conversation.id,
      accountId: conversation.accountId,
      seq: conversation.lastSeq,
      kind: input.kind,
      senderKind: input.author.kind,
      senderId: input.author.id,
      senderName: input.author.name,
      body: input.body,
      private: input.private,
      attributes: input.attributes ?? {},
      clientMsgId: input.clientMsgId,
    })
    .onConflictDoNothing({
      target: [messages.conversationId, messages.senderKind, messages.senderId, messages.clientMsgId],
    })
    .returning();
  if (!row) throw new DuplicateMessage();
  const message = presentMessage(row);
  // Whoever writes has read the thread up to their own message.
  if ((input.author.kind === 'agent' || input.author.kind === 'contact') && input.author.id && !isActivity) {
    await advanceReadPosition(
      tx,
      conversation.id,
      { kind: input.author.kind, id: input.author.id, name: input.author.name },
      row.seq,
    );
  }
  await recordEvent(tx, pending, {
    accountId: conversation.accountId,
    conversationId: conversation.id,
    contactId: conversation.contactId,
    type: 'message.created',
    actor: { kind: input.author.kind, id: input.author.id },
    payload: { messageId: row.id, seq: row.seq, kind: row.kind, private: row.private },
  });
  const [contact] = await tx
    .select({ name: contacts.name })
    .from(contacts)
    .where(eq(contacts.id, conversation.contactId));
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
    conversation: presentConversation(conversation, contact?.name ?? null),
  });
  return message;
}

/** Finds the message an earlier attempt with the same clientMsgId stored. */
async function findExisting(ctx: AppContext, input: AppendMessageInput) {
  const [row] = await ctx.database.db
    .select()
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

/**
 * Stores a message exactly once per (conversation, sender, clientMsgId). A retry gets the original
 * message back with `created: false`; the same id with a different body is a conflict.
 */
export async function postMessage(
  ctx: AppContext,
  input: AppendMessageInput,
): Promise<{ message: Message; created: boolean }> {
  // No read before the write: retries are rare, and the unique index settles them inside the insert.
  try {
    const message = await transact(ctx, (tx, pending) => appendMessage(tx, pending, input));
    ctx.metrics.messagesCommitted.inc();
    return { message, created: true };
  } catch (error) {
    if (!(error instanceof DuplicateMessage)) throw error;
    const existing = await findExisting(ctx, input);
    if (!existing) throw new AppError('conflict', 409, 'Concurrent write; retry');
    return answerDuplicate(existing, input);
  }
}

function answerDuplicate(
  existing: typeof messages.$inferSelect,
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
