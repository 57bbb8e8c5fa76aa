import { conversationScopeParams, conversationScopeSql } from '../../auth/policies.ts';
import type { RawExecutor } from '../../db/connect.ts';
import { newId } from '../../lib/ids.ts';
import type { AppendMessageInput } from './commands.ts';
import { messagePreview } from './preview.ts';

/**
 * What makes a message need the writer's transaction around its statement: a customer reopening a
 * pending, on-hold or solved conversation (the lifecycle hands it back to its agent under the agent's lock),
 * or an agent's reply taking a conversation over from the bot (they may become its assignee). Both are
 * finished by the writer's after-append hook inside the same transaction; the other messages of a batch
 * with one message per conversation are written by the statement alone, its own transaction. Over the
 * columns of `locked`; a conversation without a bot has a null bot phase, hence the coalesce.
 */
const NEEDS_TRANSACTION = `coalesce(
  (locked.from_customer and locked.prev_status in ('pending', 'on_hold', 'solved'))
  or (locked.sender_kind = 'agent' and locked.is_reply and locked.prev_bot_phase in ('bot', 'requested')),
  false)`;

/**
 * The write of a batch of messages, at most one per conversation, as one statement (planned once per
 * connection). $1 is the batch as a JSON array of rows; $2 the conversations to lock, a JSON array of
 * ids in ascending order (every conversation of the writer's batch: the first statement of a batch takes
 * all its locks in id order, so lanes and nodes cannot deadlock); $3 true when the statement is its own
 * transaction (then messages that need the writer's transaction are left unwritten and flagged).
 * - `row_lock` takes the row locks, one index probe per id; `locked` keeps the rows whose conversation the
 *   writer may write to (its scope, re-checked under the lock; a blocked contact writes nothing);
 * - `ok` keeps the rows to write: not closed (activity excepted), the bot still holding the
 *   conversation when a bot reply requires it, not a known duplicate of a message without sender (`dup`);
 * - `m` inserts the messages with the next seq. A clientMsgId already stored — before, or by a concurrent
 *   write that committed while we waited for the lock — makes the insert do nothing (an index probe, never
 *   a scan), and then `c` (which follows `m`) does not advance the conversation either: seqs stay
 *   gapless without a savepoint;
 * - `c` updates each conversation head: seq, activity, preview, and the status changes of a message
 *   (a customer's message reopens a pending, on-hold or solved conversation and takes it from its agent,
 *   to previous_assignee_id and queued — adding to an agent's load needs their lock, which the writer's
 *   after-append hook takes; an agent's public reply takes the conversation from the bot, `accepted`);
 * - `e` journals message.created in the outbox, `r` moves the writer's read position to their message;
 * - `f`/`j` schedule the e-mail follow-up of an agent's public reply when the server can send mail and the
 *   inbox wants it (one pending per conversation), and the after-commit work of bots and rules (only for
 *   conversations a bot holds and accounts with message rules; see bots/jobs.ts).
 */
export const APPEND_MESSAGES_SQL = `
  with it as (
    select r.* from parley_rows($1::jsonb) as x
    cross join lateral jsonb_to_record(x) as r(
      ord int, conversation_id uuid, scope_account_id uuid, scope_inbox_id uuid, scope_contact_id uuid,
      scope_member_id uuid, is_public boolean, preview text, from_customer boolean, is_reply boolean,
      is_activity boolean, message_id uuid, kind text, sender_kind text, sender_id uuid, sender_name text,
      body text, private boolean, attributes jsonb, client_msg_id text, advances_read boolean,
      require_bot boolean, email_followup boolean)
  ),
  row_lock as materialized (
    select rl.* from (select (x #>> '{}')::uuid as id from parley_rows($2::jsonb) as x order by 1) as ids
    cross join lateral (
      select id, account_id, inbox_id, contact_id, assignee_id, status, bot_phase, last_seq
      from conversations where conversations.id = ids.id
      for update
    ) as rl
  ),
  locked as (
    select it.*, conversations.account_id, conversations.status as prev_status,
           conversations.assignee_id as prev_assignee_id, conversations.bot_phase as prev_bot_phase,
           conversations.last_seq as prev_last_seq
    from it join row_lock as conversations on conversations.id = it.conversation_id
    -- A join, not NOT EXISTS, which the planner may hash as a scan of every contact of the database.
    left join contacts as writer on writer.id = it.scope_contact_id
    where ${conversationScopeSql('conversations', {
      account: 'it.scope_account_id',
      inbox: 'it.scope_inbox_id',
      contact: 'it.scope_contact_id',
      member: 'it.scope_member_id',
    })}
      and writer.blocked_at is null
  ),
  dup as (
    -- The unique index ignores rows without a sender (nulls are distinct), so for those alone the
    -- statement looks for an earlier copy; every other duplicate is caught by \`m\`'s ON CONFLICT.
    select it.ord from it
    where it.sender_id is null and it.client_msg_id is not null
      and exists (select 1 from messages where messages.conversation_id = it.conversation_id
                    and messages.sender_kind = it.sender_kind and messages.sender_id is null
                    and messages.client_msg_id = it.client_msg_id)
  ),
  ok as (
    select locked.* from locked
    where (locked.prev_status <> 'closed' or locked.is_activity)
      and (not locked.require_bot or locked.prev_bot_phase in ('bot', 'requested'))
      and not exists (select 1 from dup where dup.ord = locked.ord)
      and not ($3::boolean and ${NEEDS_TRANSACTION})
  ),
  m as (
    insert into messages (id, conversation_id, account_id, seq, kind, sender_kind, sender_id, sender_name, body,
                          private, attributes, client_msg_id)
    select ok.message_id, ok.conversation_id, ok.account_id, ok.prev_last_seq + 1, ok.kind, ok.sender_kind,
           ok.sender_id, ok.sender_name, ok.body, ok.private, ok.attributes, ok.client_msg_id
    from ok
    on conflict (conversation_id, sender_kind, sender_id, client_msg_id) do nothing
    returning id, conversation_id, account_id, seq, kind, sender_kind, sender_id, sender_name, body, private,
              attributes, client_msg_id, created_at
  ),
  c as (
    update conversations set
      last_seq = m.seq,
      version = conversations.version + 1,
      feed_xid = pg_current_xact_id(),
      last_activity_at = now(),
      last_message_preview = case when ok.is_public then ok.preview else conversations.last_message_preview end,
      status = case
        when ok.from_customer and conversations.status in ('pending', 'on_hold', 'solved') then 'open'
        when ok.is_reply and conversations.status = 'new' then 'open'
        else conversations.status end,
      assignee_id = case when ok.from_customer and conversations.status in ('pending', 'on_hold', 'solved')
        then null else conversations.assignee_id end,
      previous_assignee_id = case when ok.from_customer and conversations.status in ('pending', 'on_hold', 'solved')
        then coalesce(conversations.assignee_id, conversations.previous_assignee_id)
        else conversations.previous_assignee_id end,
      queued_at = case when ok.from_customer and conversations.status in ('pending', 'on_hold', 'solved')
        and conversations.bot_phase is distinct from 'bot' then coalesce(conversations.queued_at, now())
        else conversations.queued_at end,
      snoozed_until = case when ok.from_customer and conversations.status in ('pending', 'on_hold', 'solved')
        then null else conversations.snoozed_until end,
      waiting_since = case
        when ok.from_customer then coalesce(conversations.waiting_since, now())
        when ok.is_reply then null
        else conversations.waiting_since end,
      first_reply_at = case when ok.is_reply then coalesce(conversations.first_reply_at, now())
        else conversations.first_reply_at end,
      bot_phase = case
        when ok.is_reply and ok.sender_kind = 'agent' and conversations.bot_phase in ('bot', 'requested')
          then 'accepted'
        else conversations.bot_phase end
    from ok join m on m.conversation_id = ok.conversation_id
    where conversations.id = ok.conversation_id
    returning conversations.*, ok.ord, ok.prev_status, ok.prev_assignee_id, ok.prev_bot_phase
  ),
  e as (
    insert into events (account_id, conversation_id, contact_id, type, actor_kind, actor_id, payload)
    select c.account_id, c.id, c.contact_id, 'message.created', m.sender_kind, m.sender_id,
           jsonb_build_object('messageId', m.id, 'seq', m.seq, 'kind', m.kind, 'private', m.private)
    from c join m on m.conversation_id = c.id
    returning id, conversation_id
  ),
  r as (
    insert into conversation_participants (conversation_id, participant_kind, participant_id, last_read_seq)
    select m.conversation_id, m.sender_kind, m.sender_id, m.seq
    from ok join m on m.conversation_id = ok.conversation_id
    where ok.advances_read
    on conflict (conversation_id, participant_kind, participant_id)
    do update set last_read_seq = greatest(conversation_participants.last_read_seq, excluded.last_read_seq)
    returning 1
  ),
  f as (
    select c.id as conversation_id,
           make_interval(mins => coalesce((i.settings->'emailFollowup'->>'delayMinutes')::int, 30)) as delay
    from c join ok on ok.conversation_id = c.id join inboxes i on i.id = c.inbox_id
    where ok.email_followup and ok.is_reply and ok.sender_kind = 'agent'
      and coalesce((i.settings->'emailFollowup'->>'enabled')::boolean, true)
  ),
  j as (
    insert into jobs (kind, key, run_at, payload)
    select k.kind, k.kind || ':' || k.key_id, clock_timestamp() + k.delay,
           jsonb_build_object('accountId', c.account_id, 'conversationId', c.id, 'messageId', m.id)
    from c join m on m.conversation_id = c.id join ok on ok.conversation_id = c.id
    left join f on f.conversation_id = c.id
    cross join lateral (values
      ('bot.customer_message', m.id, interval '0', ok.from_customer and c.bot_phase in ('bot', 'requested')),
      ('bot.accepted', m.id, interval '0', c.bot_phase = 'accepted' and ok.sender_kind = 'agent'
                       and ok.prev_bot_phase in ('bot', 'requested')),
      ('rules.message_created', m.id, interval '0', (ok.from_customer or (ok.is_reply and ok.sender_kind = 'agent'))
                                and exists (select 1 from rules where rules.account_id = c.account_id
                                            and rules.event = 'message_created' and rules.enabled)),
      -- One pending follow-up per conversation: the first unread reply sets when it goes out.
      ('email.followup', c.id, coalesce(f.delay, interval '0'), f.conversation_id is not null)
    ) as k(kind, key_id, delay, wanted)
    where k.wanted
    on conflict (key) do nothing
    returning 1
  )
  select it.ord, row_to_json(c) as conversation, row_to_json(m) as message, e.id as event_id,
         (select name from contacts where contacts.id = c.contact_id) as contact_name,
         exists (select 1 from dup where dup.ord = it.ord) as duplicate,
         exists (select 1 from ok where ok.ord = it.ord) as admitted,
         coalesce($3::boolean and (select ${NEEDS_TRANSACTION} from locked where locked.ord = it.ord), false)
           as needs_transaction
  from it
  left join c on c.ord = it.ord
  left join m on m.conversation_id = c.id
  left join e on e.conversation_id = c.id`;

type Json = Record<string, unknown>;

export type AppendRow = {
  ord: number;
  conversation: Json | null;
  message: Json | null;
  event_id: number | string | null;
  contact_name: string | null;
  /** A message without sender whose clientMsgId was already stored. */
  duplicate: boolean;
  /** The row passed every check; without a message, its clientMsgId was already stored. */
  admitted: boolean;
  /** Left unwritten: this message needs the writer's transaction (single-statement mode only). */
  needs_transaction: boolean;
};

/** What the batch statement needs to know about one message besides its input. */
function rowOf(ord: number, input: AppendMessageInput): Json {
  const isActivity = input.kind === 'activity';
  const scope = conversationScopeParams(input.actor);
  return {
    ord,
    conversation_id: input.conversationId,
    scope_account_id: scope.accountId,
    scope_inbox_id: scope.inboxId,
    scope_contact_id: scope.contactId,
    scope_member_id: scope.memberUserId,
    is_public: !input.private && !isActivity,
    preview: messagePreview(input.preview ?? input.body),
    from_customer: !isActivity && input.author.kind === 'contact',
    // Parley's own automation (the built-in bot, rules) is not a reply for status and first-response time.
    is_reply:
      !isActivity &&
      !input.private &&
      (input.author.kind === 'agent' || (input.author.kind === 'bot' && input.automated !== true)),
    is_activity: isActivity,
    message_id: newId(),
    kind: input.kind,
    sender_kind: input.author.kind,
    sender_id: input.author.id,
    sender_name: input.author.name,
    body: input.body,
    private: input.private,
    attributes: input.attributes ?? {},
    client_msg_id: input.clientMsgId,
    // Whoever writes has read the thread up to their own message.
    advances_read:
      !isActivity &&
      (input.author.kind === 'agent' || input.author.kind === 'contact') &&
      input.author.id !== null,
    require_bot: input.requireBotActive === true,
    email_followup: input.emailFollowup === true,
  };
}

/**
 * Runs the batch statement for `inputs` (at most one per conversation), returning one row per input in
 * the same order. `lockIds`: the conversations to lock, ascending (see APPEND_MESSAGES_SQL).
 */
export async function runAppendStatement(
  executor: RawExecutor,
  inputs: AppendMessageInput[],
  options: { lockIds: string[]; ownTransaction: boolean },
): Promise<AppendRow[]> {
  const rows = await executor.query<AppendRow>(
    APPEND_MESSAGES_SQL,
    [
      JSON.stringify(
        inputs.map((input, ord) => rowOf(ord, input)),
        // As a text parameter a lone surrogate became U+FFFD on its way to the database; inside a JSON
        // document PostgreSQL would refuse the whole batch for it.
        (_key, value: unknown) => (typeof value === 'string' ? value.toWellFormed() : value),
      ),
      JSON.stringify(options.lockIds),
      options.ownTransaction,
    ],
    'parley_append_messages_v4',
  );
  const byOrd = new Map(rows.map((row) => [Number(row.ord), row]));
  return inputs.map((_, ord) => byOrd.get(ord) as AppendRow);
}
