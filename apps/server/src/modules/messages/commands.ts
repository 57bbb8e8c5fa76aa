import type { Message, MessageKind } from '@parley/shared';
import { markdownToPlainText, parseMarkdownLite } from '@parley/shared/markdown-lite';
import { and, eq, isNull } from 'drizzle-orm';
import { conversationScopeParams, conversationScopeText, scopeValues } from '../../auth/policies.ts';
import type { Actor } from '../../auth/principal.ts';
import type { AppContext } from '../../context.ts';
import type { DbOrTx, RawExecutor } from '../../db/connect.ts';
import { messageColumns, messages } from '../../db/schema.ts';
import { AppError, conflict, notFound } from '../../errors.ts';
import { newId } from '../../lib/ids.ts';
import type { PendingPublish } from '../../realtime/outbox.ts';
import { claimAttachments, linkAttachments } from '../attachments/message-link.ts';
import { contactBlocked } from '../contacts/blocking.ts';
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

/** Thrown inside the transaction when the clientMsgId is already stored, to roll the seq back. */
export class DuplicateMessage extends Error {}

/** The inbox list shows text, not formatting markers; only bodies that may hold markers are parsed. */
function preview(body: string): string {
  const text = /[*_`[]/.test(body) ? markdownToPlainText(parseMarkdownLite(body)) : body;
  return text.length > 140 ? `${text.slice(0, 139)}…` : text;
}

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
 * - `m` inserts the message, `e` the outbox/journey event, `r` the writer's read position;
 * - bot phase: an agent's public reply takes the conversation from the bot (`accepted`) in the same update,
 *   so the bot is silent from that commit on; bot replies ($21) are written only while the bot holds it;
 * - `f`/`j` schedule the e-mail follow-up of an agent's public reply when the server can send mail and
 *   the inbox wants it (one pending per conversation; modules/followups decides what is still unread);
 * - `j` schedules the after-commit work of bots and rules (only for conversations a bot holds and for
 *   accounts with message rules): the bot's answer to a customer, the journey entry of an agent taking
 *   over, the account's message_created rules (`prev_bot_phase`: the phase before this message); see
 *   bots/jobs.ts;
 * - a customer's message reopens a pending, on-hold or solved conversation and takes it from its agent
 *   (to previous_assignee_id, queued): adding to an agent's load needs their lock, which this statement
 *   does not take. The message writer hands it back in the same transaction when the agent can take it
 *   (lifecycle/reopen.ts). `locked` takes the row lock first so `prev_status` is the status this update
 *   changed, not an older snapshot's;
 * - a visitor's scope names their contact ($4): a blocked contact writes nothing (one primary-key probe,
 *   skipped for agents, tokens and the system, whose scope has no contact).
 */
const APPEND_MESSAGE_SQL = `
  with dup as (
    select 1 from messages
    where conversation_id = $1::uuid and sender_kind = $13::text and sender_id is not distinct from $14::uuid
      and client_msg_id = $19::text
  ),
  locked as (
    select id as locked_id, status as prev_status, assignee_id as prev_assignee_id,
           bot_phase as prev_bot_phase from conversations
    where conversations.id = $1::uuid and ${conversationScopeText('conversations', 2)}
      and ($4::uuid is null or not exists (select 1 from contacts where contacts.id = $4::uuid
                                           and contacts.blocked_at is not null))
    for update
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
      assignee_id = case when $8::boolean and status in ('pending', 'on_hold', 'solved') then null
        else assignee_id end,
      previous_assignee_id = case when $8::boolean and status in ('pending', 'on_hold', 'solved')
        then coalesce(assignee_id, previous_assignee_id) else previous_assignee_id end,
      queued_at = case when $8::boolean and status in ('pending', 'on_hold', 'solved')
        and bot_phase is distinct from 'bot' then coalesce(queued_at, now()) else queued_at end,
      snoozed_until = case when $8::boolean and status in ('pending', 'on_hold', 'solved') then null
        else snoozed_until end,
      waiting_since = case
        when $8::boolean then coalesce(waiting_since, now())
        when $9::boolean then null
        else waiting_since end,
      first_reply_at = case when $9::boolean then coalesce(first_reply_at, now()) else first_reply_at end,
      bot_phase = case
        when $9::boolean and $13::text = 'agent' and bot_phase in ('bot', 'requested') then 'accepted'
        else bot_phase end
    from locked
    where conversations.id = locked.locked_id
      and (status <> 'closed' or $10::boolean)
      and (not $21::boolean or bot_phase in ('bot', 'requested'))
      and not exists (select 1 from dup)
    returning conversations.*, locked.prev_status, locked.prev_assignee_id, locked.prev_bot_phase
  ),
  m as (
    insert into messages (id, conversation_id, account_id, seq, kind, sender_kind, sender_id, sender_name, body,
                          private, attributes, client_msg_id)
    select $11::uuid, c.id, c.account_id, c.last_seq, $12::text, $13::text, $14::uuid, $15::text, $16::text,
           $17::boolean, $18::jsonb, $19::text
    from c
    on conflict (conversation_id, sender_kind, sender_id, client_msg_id) do nothing
    returning id, conversation_id, account_id, seq, kind, sender_kind, sender_id, sender_name, body, private,
              attributes, client_msg_id, created_at
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
  ),
  f as (
    select make_interval(mins => coalesce((i.settings->'emailFollowup'->>'delayMinutes')::int, 30)) as delay
    from c join inboxes i on i.id = c.inbox_id
    where $22::boolean and $9::boolean and $13::text = 'agent'
      and coalesce((i.settings->'emailFollowup'->>'enabled')::boolean, true)
  ),
  j as (
    insert into jobs (kind, key, run_at, payload)
    select k.kind, k.kind || ':' || k.key_id, clock_timestamp() + k.delay,
           jsonb_build_object('accountId', c.account_id, 'conversationId', c.id, 'messageId', m.id)
    from c join m on true
    cross join lateral (values
      ('bot.customer_message', m.id, interval '0', $8::boolean and c.bot_phase in ('bot', 'requested')),
      ('bot.accepted', m.id, interval '0', c.bot_phase = 'accepted' and $13::text = 'agent'
                       and (select prev_bot_phase from locked) in ('bot', 'requested')),
      ('rules.message_created', m.id, interval '0', ($8::boolean or ($9::boolean and $13::text = 'agent'))
                                and exists (select 1 from rules where rules.account_id = c.account_id
                                            and rules.event = 'message_created' and rules.enabled)),
      -- One pending follow-up per conversation: the first unread reply sets when it goes out.
      ('email.followup', c.id, coalesce((select delay from f), interval '0'), exists (select 1 from f))
    ) as k(kind, key_id, delay, wanted)
    where k.wanted
    on conflict (key) do nothing
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
  const isActivity = input.kind === 'activity';
  const fromCustomer = !isActivity && input.author.kind === 'contact';
  const isReply =
    !isActivity &&
    !input.private &&
    (input.author.kind === 'agent' || (input.author.kind === 'bot' && input.automated !== true));
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
      preview(input.preview ?? input.body),
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
      input.requireBotActive === true,
      input.emailFollowup === true,
    ],
    'parley_append_message_v6',
  );
  if (row?.duplicate) throw new DuplicateMessage();
  if (!row?.conversation) {
    // Rare path: tell a closed conversation (which the UPDATE skipped) from one this actor cannot see.
    const [visible] = await executor.query<{ status: string }>(
      `select status from conversations where id = $1::uuid and ${conversationScopeText('conversations', 2)}`,
      [input.conversationId, ...scopeValues(scope)],
    );
    if (scope.contactId !== null) {
      const [blocked] = await executor.query<{ id: string }>(
        'select id from contacts where id = $1::uuid and blocked_at is not null',
        [scope.contactId],
      );
      if (blocked) throw contactBlocked();
    }
    if (visible?.status === 'closed') {
      // Clients (the widget) start a new conversation with the same message: POST /api/client/conversations.
      throw new AppError('conversation_closed', 409, 'This conversation is closed; start a new one', {
        details: { next: 'start_new_conversation', method: 'POST', path: '/api/client/conversations' },
      });
    }
    if (visible && input.requireBotActive)
      throw conflict('bot_not_active', 'A person has taken this conversation over from the bot');
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
