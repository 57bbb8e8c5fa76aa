import type { Message, MessageKind } from '@parley/shared';
import { and, eq, isNull } from 'drizzle-orm';
import { conversationScopeParams, conversationScopeText, scopeValues } from '../../auth/policies.ts';
import type { Actor } from '../../auth/principal.ts';
import type { AppContext } from '../../context.ts';
import type { DbOrTx, RawExecutor } from '../../db/connect.ts';
import { messages } from '../../db/schema.ts';
import { AppError, conflict, notFound } from '../../errors.ts';
import { newId } from '../../lib/ids.ts';
import type { PendingPublish } from '../../realtime/outbox.ts';
import { presentConversation } from '../conversations/presenter.ts';
import { conversationRowFromSql } from '../conversations/row-from-sql.ts';
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
}

/** Thrown inside the transaction when the clientMsgId is already stored, to roll the seq back. */
export class DuplicateMessage extends Error {}

const preview = (body: string) => (body.length > 140 ? `${body.slice(0, 139)}…` : body);

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

/**
 * The whole write of one message as one statement (planned once per connection):
 * - `c` takes the conversation's row lock and allocates the next seq, so seqs are gapless and commit in
 *   order; it re-checks in the same statement that the actor may write there, skips closed conversations
 *   (activity excepted) and does nothing when the clientMsgId is already stored (`dup`);
 * - `m` inserts the message, `e` the outbox/journey event, `r` the writer's read position.
 */
const APPEND_MESSAGE_SQL = `
  with dup as (
    select 1 from messages
    where conversation_id = $1::uuid and sender_kind = $13::text and sender_id is not distinct from $14::uuid
      and client_msg_id = $19::text
  ),
  c as (
    update conversations set
      last_seq = last_seq + 1,
      version = version + 1,
      feed_xid = pg_current_xact_id(),
      last_activity_at = now(),
      last_message_preview = case when $6::boolean then $7::text else last_message_preview end,
      status = case
        when $8::boolean and status in ('pending', 'on_hold', 'solved') then 'open'
        when $9::boolean and status = 'new' then 'open'
        else status end,
      waiting_since = case
        when $8::boolean then coalesce(waiting_since, now())
        when $9::boolean then null
        else waiting_since end,
      first_reply_at = case when $9::boolean then coalesce(first_reply_at, now()) else first_reply_at end
    where conversations.id = $1::uuid and ${conversationScopeText('conversations', 2)}
      and (status <> 'closed' or $10::boolean)
      and not exists (select 1 from dup)
    returning *
  ),
  m as (
    insert into messages (id, conversation_id, account_id, seq, kind, sender_kind, sender_id, sender_name, body,
                          private, attributes, client_msg_id)
    select $11::uuid, c.id, c.account_id, c.last_seq, $12::text, $13::text, $14::uuid, $15::text, $16::text,
           $17::boolean, $18::jsonb, $19::text
    from c
    on conflict (conversation_id, sender_kind, sender_id, client_msg_id) do nothing
    returning *
  ),
  e as (
    insert into events (account_id, conversation_id, contact_id, type, actor_kind, actor_id, payload)
    select c.account_id, c.id, c.contact_id, 'message.created', $13::text, $14::uuid,
           jsonb_build_object('messageId', m.id, 'seq', m.seq, 'kind', m.kind, 'private', m.private)
    from c join m on true
    returning id
  ),
  r as (
    insert into conversation_participants (conversation_id, participant_kind, participant_id, last_read_seq)
    select c.id, $13::text, $14::uuid, m.seq from c join m on true where $20::boolean
    on conflict (conversation_id, participant_kind, participant_id)
    do update set last_read_seq = greatest(conversation_participants.last_read_seq, excluded.last_read_seq)
    returning 1
  )
  select row_to_json(c) as conversation, row_to_json(m) as message, (select id from e) as event_id,
         (select name from contacts where contacts.id = c.contact_id) as contact_name,
         exists (select 1 from dup) as duplicate
  from (select 1) as one left join c on true left join m on true`;

type AppendRow = {
  conversation: Json | null;
  message: Json | null;
  event_id: number | string | null;
  contact_name: string | null;
  duplicate: boolean;
};

/** Appends one message inside the caller's transaction (see APPEND_MESSAGE_SQL). */
export async function appendMessage(
  executor: RawExecutor,
  pending: PendingPublish,
  input: AppendMessageInput,
): Promise<Message> {
  const isActivity = input.kind === 'activity';
  const fromCustomer = !isActivity && input.author.kind === 'contact';
  const isReply =
    !isActivity && !input.private && (input.author.kind === 'agent' || input.author.kind === 'bot');
  const isPublic = !input.private && !isActivity;
  // Whoever writes has read the thread up to their own message.
  const advancesRead =
    !isActivity &&
    (input.author.kind === 'agent' || input.author.kind === 'contact') &&
    input.author.id !== null;
  const scope = conversationScopeParams(input.actor);
  const [row] = await executor.query<AppendRow>(
    APPEND_MESSAGE_SQL,
    [
      input.conversationId,
      ...scopeValues(scope),
      isPublic,
      preview(input.body),
      fromCustomer,
      isReply,
      isActivity,
      newId(),
      input.kind,
      input.author.kind,
      input.author.id,
      input.author.name,
      input.body,
      input.private,
      JSON.stringify(input.attributes ?? {}),
      input.clientMsgId,
      advancesRead,
    ],
    'parley_append_message_v1',
  );
  if (row?.duplicate) throw new DuplicateMessage();
  if (!row?.conversation) {
    // Rare path: tell a closed conversation (which the UPDATE skipped) from one this actor cannot see.
    const [visible] = await executor.query<{ status: string }>(
      `select status from conversations where id = $1::uuid and ${conversationScopeText('conversations', 2)}`,
      [input.conversationId, ...scopeValues(scope)],
    );
    if (visible?.status === 'closed')
      throw conflict('conversation_closed', 'This conversation is closed; start a new one');
    throw notFound('conversation_not_found', 'Conversation');
  }
  const conversation = conversationRowFromSql(row.conversation);
  if (!row.message) {
    // A concurrent write stored this clientMsgId and committed while we waited for the row lock. We still
    // hold the lock, so handing the seq back keeps seqs gapless without needing a savepoint.
    await executor.query(
      'update conversations set last_seq = last_seq - 1, version = version - 1 where id = $1::uuid',
      [conversation.id],
    );
    throw new DuplicateMessage();
  }
  const message = presentMessage(messageFromJson(row.message));
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
  return message;
}

/** Finds the message an earlier attempt with the same clientMsgId stored. */
export async function findExistingMessage(executor: DbOrTx, input: AppendMessageInput) {
  const [row] = await executor
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
