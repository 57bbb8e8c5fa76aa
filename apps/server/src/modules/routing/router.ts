import type { AccountActor } from '../../auth/principal.ts';
import type { AppContext } from '../../context.ts';
import { type RawExecutor, rawExecutorOf } from '../../db/connect.ts';
import { PendingPublish } from '../../realtime/outbox.ts';
import { type ConversationRow, presentConversation } from '../conversations/presenter.ts';
import { conversationRowFromSql } from '../conversations/row-from-sql.ts';
import { type Author, appendMessage } from '../messages/commands.ts';
import { notifyAssigned } from '../notifications/notify.ts';
import { Followups } from './followups.ts';
import { notifyQueues } from './queue.ts';
import { type InboxRouting, loadInboxRouting } from './settings.ts';
import { type Exec, eventActorOf, first, iso, recordEventRaw, SYSTEM_AUTHOR, systemActor } from './sql.ts';

/*
 * Routing: who gets a conversation, and the queue when nobody can take it.
 *
 * Load = conversations assigned to an agent whose status is `new` or `open` (pending, on hold, solved
 * and closed free capacity). The invariant — no agent ever holds more than their capacity — is kept by
 * one rule: whatever adds to an agent's load (an assignment, or a conversation of theirs returning to
 * open) locks that agent's account_members row FOR UPDATE first and counts their load in a later
 * statement of the same transaction. A later statement sees every commit made by earlier holders of the
 * lock, so two transactions can never both see the last free slot.
 *
 * Deadlock freedom: locks are taken conversation(s) first, then agent rows; a transaction that waits
 * for an agent row holds at most other agent rows taken in ascending user id order (the message writer's
 * batch) or none (routing tries one candidate at a time inside a savepoint and rolls back to it, which
 * releases the row, before trying the next); nothing waits for a conversation lock while holding an
 * agent's row (queue picks use SKIP LOCKED, or run first in their own transaction).
 */

export const LOAD_STATUSES = ['new', 'open'] as const;

/**
 * An agent's load as a predicate on conversations `c` joined to their inbox `i`. The account is checked
 * through the inbox (the same account by construction) so the planner reaches the rows through the
 * assignee index whatever its statistics say: with stale statistics after a burst it otherwise picked
 * the (account_id, status) index and read every waiting conversation of the account once per agent.
 */
export const LOAD_OF = (user: string, account: string) =>
  `c.assignee_id = ${user} and c.status in ('new', 'open') and i.account_id = ${account}`;

export const countsTowardLoad = (status: string) => status === 'new' || status === 'open';

/** The columns routing and the lifecycle decide on. */
export interface RoutableRow {
  id: string;
  account_id: string;
  inbox_id: string;
  contact_id: string;
  number: number;
  status: string;
  priority: string;
  assignee_id: string | null;
  previous_assignee_id: string | null;
  team_id: string | null;
  queued_at: string | Date | null;
  snoozed_until: string | Date | null;
  solved_at: string | Date | null;
  required_skills: string[] | null;
  bot_phase: string | null;
  handoff_note: string | null;
}

export const ROUTABLE_COLUMNS = `id, account_id, inbox_id, contact_id, number, status, priority, assignee_id,
  previous_assignee_id, team_id, queued_at, snoozed_until, solved_at, required_skills, bot_phase, handoff_note`;

/** The query builder's row in routing's shape. */
export function routableFromRow(row: ConversationRow): RoutableRow {
  return {
    id: row.id,
    account_id: row.accountId,
    inbox_id: row.inboxId,
    contact_id: row.contactId,
    number: row.number,
    status: row.status,
    priority: row.priority,
    assignee_id: row.assigneeId,
    previous_assignee_id: row.previousAssigneeId,
    team_id: row.teamId,
    queued_at: row.queuedAt,
    snoozed_until: row.snoozedUntil,
    solved_at: row.solvedAt,
    required_skills: row.requiredSkills,
    bot_phase: row.botPhase,
    handoff_note: row.handoffNote,
  };
}

export async function lockRoutable(exec: Exec, conversationId: string): Promise<RoutableRow | undefined> {
  return first<RoutableRow & Record<string, unknown>>(
    exec,
    `select ${ROUTABLE_COLUMNS} from conversations where id = $1::uuid for update`,
    [conversationId],
  );
}

const PRIORITY_RANK: Record<string, number> = { urgent: 0, high: 1, normal: 2, low: 3 };

/** Queue order: priority, then arrival, then number (ties within a millisecond). */
export const PRIORITY_RANK_SQL = (alias: string) =>
  `case ${alias}.priority when 'urgent' then 0 when 'high' then 1 when 'normal' then 2 else 3 end`;

/** Adds a `conversation` frame with the row as it stands now (for changes without an activity item). */
export async function pushConversation(exec: Exec, pending: PendingPublish, conversationId: string) {
  const row = await first<{ conversation: Record<string, unknown>; contact_name: string | null }>(
    exec,
    `select row_to_json(c) as conversation, ct.name as contact_name
     from conversations c join contacts ct on ct.id = c.contact_id where c.id = $1::uuid`,
    [conversationId],
  );
  if (!row) return;
  const conversation = presentConversation(conversationRowFromSql(row.conversation), row.contact_name);
  pending.add({
    t: 'conversation',
    accountId: conversation.accountId,
    inboxId: conversation.inboxId,
    conversation,
  });
}

const uniqueSkills = (...lists: Array<string[] | null | undefined>) => [
  ...new Set(lists.flatMap((l) => l ?? [])),
];

/** $1 account, $2 inbox, $3 team, $4 required skills (jsonb), $5 channel, $6 excluded agent, $7 preferred agent. */
export const CANDIDATES_SQL = (limit: number) =>
  `select m.user_id, l.total
     from account_members m
     cross join lateral (
       select count(*)::int as total,
              count(*) filter (where i.channel_type = $5::text)::int as channel,
              max(c.assigned_at) as last_assigned
       from conversations c join inboxes i on i.id = c.inbox_id
       where ${LOAD_OF('m.user_id', 'm.account_id')}
     ) l
     where m.account_id = $1::uuid and m.availability = 'online'
       and m.skills @> $4::jsonb
       and ($6::uuid is null or m.user_id <> $6::uuid)
       and case when $3::uuid is null
             then exists (select 1 from inbox_members im where im.inbox_id = $2::uuid and im.user_id = m.user_id)
             else exists (select 1 from team_members tm where tm.team_id = $3::uuid and tm.user_id = m.user_id)
           end
       and l.total < m.capacity
       and (m.channel_capacity -> $5::text is null or l.channel < (m.channel_capacity ->> $5::text)::int)
     order by (m.user_id = $7::uuid) is true desc, l.total, l.last_assigned nulls first, m.user_id
     limit ${limit}`;

interface Candidate {
  user_id: string;
  total: number;
}

/**
 * Agents who may take the conversation now, least loaded first (then the one who waited longest since
 * an assignment). Eligible: online, all required skills, in the conversation's team if it has one or
 * else working its inbox, below capacity overall and for the inbox's channel. `prefer` goes first when
 * eligible (the previous agent of a returning customer). Read without locks: tryTake re-checks.
 */
async function candidates(
  exec: Exec,
  conv: RoutableRow,
  routing: InboxRouting,
  options: { exclude: string | null; prefer: string | null; limit: number },
): Promise<Candidate[]> {
  return exec.query<Candidate & Record<string, unknown>>(CANDIDATES_SQL(options.limit), [
    conv.account_id,
    conv.inbox_id,
    conv.team_id,
    JSON.stringify(uniqueSkills(conv.required_skills, routing.requiredSkills)),
    routing.channelType,
    options.exclude,
    options.prefer,
  ]);
}

export interface TakeResult {
  ok: boolean;
  reason:
    | 'ok'
    | 'not_member'
    | 'locked'
    | 'unavailable'
    | 'capacity_reached'
    | 'channel_capacity_reached'
    | 'skills';
  name: string;
  load: number;
  capacity: number;
}

/**
 * Locks the agent's row and decides, from a fresh count, whether they may take one more conversation of
 * this channel. The lock is held until the transaction (or the caller's savepoint) ends, so a decision
 * made here cannot be invalidated by a concurrent assignment. `excludeConversationId`: a conversation
 * already counted (one returning to open while still assigned) is not counted against itself.
 */
export async function tryTake(
  exec: Exec,
  input: {
    accountId: string;
    userId: string;
    channelType: string;
    requireOnline: boolean;
    requiredSkills?: string[];
    excludeConversationId?: string | null;
    /** Give up at once (reason `locked`) when another transaction holds the agent's row. */
    skipLocked?: boolean;
  },
): Promise<TakeResult> {
  const member = await first<{
    availability: string;
    capacity: number;
    channel_capacity: Record<string, unknown> | null;
    skills: string[] | null;
    name: string;
  }>(
    exec,
    `select m.availability, m.capacity, m.channel_capacity, m.skills, u.name
     from account_members m join users u on u.id = m.user_id
     where m.account_id = $1::uuid and m.user_id = $2::uuid
     for update of m ${input.skipLocked ? 'skip locked' : ''}`,
    [input.accountId, input.userId],
  );
  if (!member) {
    return { ok: false, reason: input.skipLocked ? 'locked' : 'not_member', name: '', load: 0, capacity: 0 };
  }
  // A separate statement: its snapshot is taken after the lock was granted.
  const load = await first<{ total: number; channel: number }>(
    exec,
    `select count(*)::int as total, count(*) filter (where i.channel_type = $3::text)::int as channel
     from conversations c join inboxes i on i.id = c.inbox_id
     where ${LOAD_OF('$2::uuid', '$1::uuid')} and ($4::uuid is null or c.id <> $4::uuid)`,
    [input.accountId, input.userId, input.channelType, input.excludeConversationId ?? null],
  );
  const total = load?.total ?? 0;
  const base = { name: member.name, load: total, capacity: member.capacity };
  if (input.requireOnline && member.availability !== 'online')
    return { ok: false, reason: 'unavailable', ...base };
  const skills = new Set(member.skills ?? []);
  if (input.requiredSkills && !input.requiredSkills.every((s) => skills.has(s)))
    return { ok: false, reason: 'skills', ...base };
  if (total >= member.capacity) return { ok: false, reason: 'capacity_reached', ...base };
  const channelCap = member.channel_capacity?.[input.channelType];
  if (typeof channelCap === 'number' && (load?.channel ?? 0) >= channelCap)
    return { ok: false, reason: 'channel_capacity_reached', ...base };
  return { ok: true, reason: 'ok', ...base };
}

/** `takeover`: the agent took the conversation over from the bot (routing/takeover.ts). */
export type AssignReason = 'routing' | 'returning' | 'manual' | 'transfer' | 'takeover';

/**
 * Writes an assignment decided under the agent's lock: the row, the journey event and (unless `silent`)
 * an activity item in the thread. Leaves the queue.
 */
export async function assignLocked(
  exec: Exec,
  pending: PendingPublish,
  now: Date,
  conv: RoutableRow,
  input: {
    assigneeId: string;
    assigneeName: string;
    reason: AssignReason;
    actor: AccountActor | null;
    author?: Author;
    status?: string;
    teamId?: string | null;
    handoffNote?: string | null;
    silent?: boolean;
  },
): Promise<void> {
  const previous = conv.assignee_id ?? conv.previous_assignee_id;
  await exec.query(
    `update conversations set assignee_id = $2::uuid, assigned_at = $3::timestamptz, queued_at = null,
       previous_assignee_id = $4::uuid, team_id = $5::uuid, handoff_note = $6::text, status = $7::text,
       version = version + 1, feed_xid = pg_current_xact_id()
     where id = $1::uuid`,
    [
      conv.id,
      input.assigneeId,
      iso(now),
      previous,
      input.teamId === undefined ? conv.team_id : input.teamId,
      input.handoffNote === undefined ? conv.handoff_note : input.handoffNote,
      input.status ?? conv.status,
    ],
  );
  await recordEventRaw(exec, pending, {
    accountId: conv.account_id,
    conversationId: conv.id,
    contactId: conv.contact_id,
    type: 'conversation.assigned',
    actor: eventActorOf(input.actor),
    payload: {
      assigneeId: input.assigneeId,
      previousAssigneeId: conv.assignee_id,
      reason: input.reason,
      ...(conv.queued_at ? { queuedAt: new Date(conv.queued_at).toISOString() } : {}),
    },
  });
  // A conversation returning to the agent who had it is not news to them; anything else is.
  if (input.reason !== 'returning') {
    await notifyAssigned(exec, pending, {
      accountId: conv.account_id,
      conversationId: conv.id,
      assigneeId: input.assigneeId,
      transfer: input.reason === 'transfer',
      actor: input.actor,
      note: input.handoffNote ?? null,
    });
  }
  if (input.silent) {
    await pushConversation(exec, pending, conv.id);
    return;
  }
  await appendMessage(exec, pending, {
    actor: systemActor(conv.account_id),
    conversationId: conv.id,
    author: input.author ?? SYSTEM_AUTHOR,
    kind: 'activity',
    body: 'assigned',
    private: false,
    clientMsgId: null,
    attributes: {
      type: 'assigned',
      assigneeId: input.assigneeId,
      assigneeName: input.assigneeName,
      previousAssigneeId: conv.assignee_id,
      reason: input.reason,
    },
  });
}

/** Puts the conversation in the queue (keeping its place if it is there already). */
export async function ensureQueued(
  exec: Exec,
  pending: PendingPublish,
  now: Date,
  conv: RoutableRow,
  reason: string,
): Promise<boolean> {
  // The new state for the feed comes back from the update itself.
  const rows = await exec.query<{ conversation: Record<string, unknown>; contact_name: string | null }>(
    `update conversations c set queued_at = $2::timestamptz, version = version + 1, feed_xid = pg_current_xact_id()
     where c.id = $1::uuid and c.queued_at is null
     returning row_to_json(c) as conversation, (select name from contacts where contacts.id = c.contact_id) as contact_name`,
    [conv.id, iso(now)],
  );
  const row = rows[0];
  if (!row) return false;
  await recordEventRaw(exec, pending, {
    accountId: conv.account_id,
    conversationId: conv.id,
    contactId: conv.contact_id,
    type: 'conversation.queued',
    actor: { kind: 'system', id: null },
    payload: { reason, priority: conv.priority, teamId: conv.team_id },
  });
  const conversation = presentConversation(conversationRowFromSql(row.conversation), row.contact_name);
  pending.add({
    t: 'conversation',
    accountId: conversation.accountId,
    inboxId: conversation.inboxId,
    conversation,
  });
  return true;
}

/** Takes the conversation out of the queue (it is no longer waiting for an agent). */
export async function leaveQueue(exec: Exec, conversationId: string): Promise<void> {
  await exec.query(
    `update conversations set queued_at = null, version = version + 1, feed_xid = pg_current_xact_id()
     where id = $1::uuid and queued_at is not null`,
    [conversationId],
  );
}

/**
 * Whether a conversation of the same inbox and team waits before this one in queue order (priority,
 * then arrival) needing no skill this one does not — so that any agent able to take this one could
 * take it. Such a conversation goes first: a newcomer never overtakes it, whatever the timing.
 */
async function waitingAhead(exec: Exec, conv: RoutableRow): Promise<boolean> {
  const row = await first<{ one: number }>(
    exec,
    `select 1 as one from conversations c
     where c.account_id = $1::uuid and c.inbox_id = $2::uuid and c.team_id is not distinct from $3::uuid
       and c.queued_at is not null and c.assignee_id is null and c.status in ('new', 'open')
       and (c.bot_phase is null or c.bot_phase = 'accepted')
       and c.id <> $4::uuid and c.required_skills <@ $5::jsonb
       and (${PRIORITY_RANK_SQL('c')} < $6::int
            or (${PRIORITY_RANK_SQL('c')} = $6::int
                and ($7::timestamptz is null or (c.queued_at, c.number) < ($7::timestamptz, $8::int))))
     limit 1`,
    [
      conv.account_id,
      conv.inbox_id,
      conv.team_id,
      conv.id,
      JSON.stringify(conv.required_skills ?? []),
      PRIORITY_RANK[conv.priority] ?? 2,
      conv.queued_at ? new Date(conv.queued_at).toISOString() : null,
      conv.number,
    ],
  );
  return row !== undefined;
}

export type RouteOutcome =
  | { kind: 'assigned'; assigneeId: string }
  | { kind: 'already_assigned'; assigneeId: string }
  /** Nobody eligible has capacity: it waits in the queue. */
  | { kind: 'queued' }
  /** The inbox does not auto-assign, or a person was requested from a bot: it waits to be picked. */
  | { kind: 'waiting' }
  | { kind: 'held_by_bot' }
  | { kind: 'not_routable' };

/**
 * Routes one conversation whose row the caller has locked: the previous agent if asked and able, else
 * the least-loaded eligible agent, else the queue. Candidates are tried one at a time inside a savepoint,
 * so an agent found full is released before the next is locked.
 */
export async function routeLocked(
  exec: Exec,
  pending: PendingPublish,
  now: Date,
  conv: RoutableRow,
  options: {
    reason: AssignReason;
    exclude?: string | null;
    prefer?: string | null;
    /** A drain picked it as the head of the queue for an agent: nothing eligible waits before it. */
    fromQueue?: boolean;
    followups: Followups;
  },
): Promise<RouteOutcome> {
  if (conv.assignee_id) return { kind: 'already_assigned', assigneeId: conv.assignee_id };
  if (!countsTowardLoad(conv.status)) return { kind: 'not_routable' };
  if (conv.bot_phase === 'bot') return { kind: 'held_by_bot' };
  const routing = await loadInboxRouting(exec, conv.inbox_id);
  const automatic = routing.autoAssign && conv.bot_phase !== 'requested';
  if (automatic) {
    const skills = uniqueSkills(conv.required_skills, routing.requiredSkills);
    const list = await candidates(exec, conv, routing, {
      exclude: options.exclude ?? null,
      prefer: options.prefer ?? null,
      limit: 16,
    });
    if (list.length > 0 && !options.fromQueue && (await waitingAhead(exec, conv))) {
      // Someone is already waiting who every agent able to take this one could take too: this one
      // queues behind them, and the agents with room serve the queue in its order.
      if (await ensureQueued(exec, pending, now, conv, 'behind_queue')) {
        options.followups.queueChanged(conv.account_id, conv.inbox_id);
      }
      for (const candidate of list) options.followups.drainFor(conv.account_id, candidate.user_id);
      return { kind: 'queued' };
    }
    // Concurrent decisions rank the same agents first: each takes the first candidate nobody else is
    // deciding about (SKIP LOCKED), and waits for a busy one only when every candidate was busy, so
    // an agent with room is never passed over. Waiting happens holding no other agent's row.
    const busy: Candidate[] = [];
    for (const pass of ['skip', 'wait'] as const) {
      for (const candidate of pass === 'skip' ? list : busy) {
        await exec.query('savepoint parley_route_try', []);
        const take = await tryTake(exec, {
          accountId: conv.account_id,
          userId: candidate.user_id,
          channelType: routing.channelType,
          requireOnline: true,
          requiredSkills: skills,
          // The previous agent of a returning customer is worth waiting for.
          skipLocked: pass === 'skip' && candidate.user_id !== options.prefer,
        });
        if (!take.ok) {
          await exec.query('rollback to savepoint parley_route_try', []);
          if (take.reason === 'locked') busy.push(candidate);
          continue;
        }
        await exec.query('release savepoint parley_route_try', []);
        await assignLocked(exec, pending, now, conv, {
          assigneeId: candidate.user_id,
          assigneeName: take.name,
          reason: candidate.user_id === options.prefer ? 'returning' : options.reason,
          actor: null,
        });
        if (conv.queued_at) options.followups.leftQueue(conv.account_id, conv.inbox_id, conv.id);
        return { kind: 'assigned', assigneeId: candidate.user_id };
      }
    }
  }
  if (await ensureQueued(exec, pending, now, conv, automatic ? 'no_capacity' : 'awaiting_pick')) {
    options.followups.queueChanged(conv.account_id, conv.inbox_id);
  }
  if (automatic) options.followups.recheck.set(conv.id, { exclude: options.exclude ?? null });
  return automatic ? { kind: 'queued' } : { kind: 'waiting' };
}

// ---- transactions of their own ---------------------------------------------------------------------

const RETRYABLE = new Set(['40P01', '40001']);

/**
 * Runs one routing transaction, publishes what it produced after commit and returns its result with the
 * work it left for after the commit. A deadlock or serialization failure (which the lock order rules
 * out, but a database may still report under load) is retried.
 */
export async function inTransaction<T>(
  ctx: AppContext,
  fn: (exec: RawExecutor, pending: PendingPublish, followups: Followups) => Promise<T>,
): Promise<{ result: T; followups: Followups }> {
  for (let attempt = 1; ; attempt++) {
    const pending = new PendingPublish();
    const followups = new Followups();
    try {
      const result = await ctx.database.rawTransaction((exec) => fn(exec, pending, followups));
      ctx.outbox.publish(pending);
      return { result, followups };
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (!code || !RETRYABLE.has(code) || attempt >= 4) throw error;
      await new Promise((resolve) => setTimeout(resolve, 5 * attempt));
    }
  }
}

/**
 * Routes a conversation now: the entry point for whoever makes a conversation routable (a new
 * conversation, a transfer to a team, a bot handing over). Respects the bot phase: `bot` is left to the
 * bot, `requested` waits in the queue to be picked. Runs the after-commit work before returning.
 */
export async function routeConversation(
  ctx: AppContext,
  conversationId: string,
  options: { exclude?: string | null; recheck?: boolean } = {},
): Promise<RouteOutcome> {
  const { result, followups } = await inTransaction(ctx, async (exec, pending, followups) => {
    const conv = await lockRoutable(exec, conversationId);
    if (!conv) return { kind: 'not_routable' } as RouteOutcome;
    return routeLocked(exec, pending, ctx.now(), conv, {
      reason: 'routing',
      exclude: options.exclude ?? null,
      prefer: null,
      followups,
    });
  });
  if (options.recheck === false) followups.recheck.clear();
  await runFollowups(ctx, followups);
  return result;
}

interface AgentState {
  availability: string;
  capacity: number;
  channel_capacity: Record<string, unknown> | null;
  total: number;
  channels: Record<string, number> | null;
}

async function agentState(exec: Exec, accountId: string, userId: string): Promise<AgentState | undefined> {
  return first<AgentState & Record<string, unknown>>(
    exec,
    `select m.availability, m.capacity, m.channel_capacity,
            (select count(*)::int from conversations c join inboxes i on i.id = c.inbox_id
              where ${LOAD_OF('m.user_id', 'm.account_id')}) as total,
            (select jsonb_object_agg(channel_type, n) from (
               select i.channel_type, count(*)::int as n
               from conversations c join inboxes i on i.id = c.inbox_id
               where ${LOAD_OF('m.user_id', 'm.account_id')}
               group by i.channel_type) per_channel) as channels
     from account_members m where m.account_id = $1::uuid and m.user_id = $2::uuid`,
    [accountId, userId],
  );
}

/** The first queued conversation this agent may take (skills, team or inbox, channel room), in queue order. */
async function pickQueued(
  exec: Exec,
  accountId: string,
  userId: string,
  fullChannels: string[],
  skip: string[],
  skipLocked: boolean,
): Promise<RoutableRow | undefined> {
  return first<RoutableRow & Record<string, unknown>>(exec, PICK_QUEUED_SQL(skipLocked), [
    accountId,
    userId,
    JSON.stringify(fullChannels),
    JSON.stringify(skip),
  ]);
}

/** $1 account, $2 agent, $3 channels where the agent is full (jsonb), $4 conversations to skip (jsonb). */
export const PICK_QUEUED_SQL = (skipLocked: boolean) =>
  `select ${ROUTABLE_COLUMNS.split(',')
    .map((c) => `c.${c.trim()}`)
    .join(', ')}
     from conversations c
     join inboxes i on i.id = c.inbox_id
     join account_members m on m.account_id = c.account_id and m.user_id = $2::uuid
     where c.account_id = $1::uuid and c.queued_at is not null and c.assignee_id is null
       and c.status in ('new', 'open')
       and (c.bot_phase is null or c.bot_phase = 'accepted')
       and coalesce(i.settings -> 'autoAssign', 'true'::jsonb) <> 'false'::jsonb
       and i.channel_type not in (select jsonb_array_elements_text($3::jsonb))
       and c.id::text not in (select jsonb_array_elements_text($4::jsonb))
       and m.skills @> c.required_skills
       and m.skills @> coalesce(i.settings -> 'requiredSkills', '[]'::jsonb)
       -- Uncorrelated, so each is computed once for the whole queue rather than once per waiting row.
       and case when c.team_id is null
             then c.inbox_id in (select im.inbox_id from inbox_members im where im.user_id = $2::uuid)
             else c.team_id in (select tm.team_id from team_members tm where tm.user_id = $2::uuid)
           end
     order by ${PRIORITY_RANK_SQL('c')}, c.queued_at, c.number
     limit 1
     for update of c ${skipLocked ? 'skip locked' : ''}`;

/**
 * Capacity grew for an agent (a conversation of theirs left new/open, they came online, their capacity
 * was raised): serve the queue, one conversation per transaction, until they are full or nothing
 * eligible waits. Each conversation still goes to the least-loaded eligible agent.
 */
export async function drainForAgent(
  ctx: AppContext,
  accountId: string,
  userId: string,
  /** Conversations this agent just gave up: they are not handed straight back. */
  skip: string[] = [],
): Promise<number> {
  let assigned = 0;
  const all = new Followups();
  for (let round = 0; round < 1000; round++) {
    const { result, followups } = await inTransaction(ctx, async (exec, pending, followups) => {
      const state = await agentState(exec, accountId, userId);
      if (state?.availability !== 'online' || state.total >= state.capacity) return false;
      const full = Object.entries(state.channel_capacity ?? {})
        .filter(([channel, cap]) => typeof cap === 'number' && (state.channels?.[channel] ?? 0) >= cap)
        .map(([channel]) => channel);
      // Skip conversations another transaction holds; if that leaves nothing, wait for them (this
      // transaction holds no lock yet, so waiting cannot deadlock).
      const conv =
        (await pickQueued(exec, accountId, userId, full, skip, true)) ??
        (await pickQueued(exec, accountId, userId, full, skip, false));
      if (!conv) return false;
      const outcome = await routeLocked(exec, pending, ctx.now(), conv, {
        reason: 'routing',
        fromQueue: true,
        followups,
      });
      return outcome.kind === 'assigned';
    });
    followups.recheck.clear();
    all.merge(followups);
    if (!result) break;
    assigned += 1;
  }
  await runFollowups(ctx, all);
  return assigned;
}

/** Serves an account's queue to every online agent with room, least loaded first. */
export async function drainAccount(ctx: AppContext, accountId: string): Promise<number> {
  const waiting = await first(
    rawExecutorOf(ctx.database.db),
    `select 1 as one from conversations where account_id = $1::uuid and queued_at is not null
       and assignee_id is null limit 1`,
    [accountId],
  );
  if (!waiting) return 0;
  const agents = await rawExecutorOf(ctx.database.db).query<{ user_id: string }>(
    `select m.user_id
     from account_members m
     cross join lateral (
       select count(*)::int as total from conversations c join inboxes i on i.id = c.inbox_id
       where ${LOAD_OF('m.user_id', 'm.account_id')}) l
     where m.account_id = $1::uuid and m.availability = 'online' and l.total < m.capacity
     order by l.total, m.user_id`,
    [accountId],
  );
  let assigned = 0;
  for (const agent of agents) assigned += await drainForAgent(ctx, accountId, agent.user_id);
  return assigned;
}

/** Runs what committed transactions left to do. Failures are logged: the periodic sweep repairs them. */
export async function runFollowups(ctx: AppContext, followups: Followups): Promise<void> {
  if (followups.empty) return;
  const safely = async (what: string, fn: () => Promise<unknown>) => {
    try {
      await fn();
    } catch (err) {
      ctx.log.warn({ err }, `routing follow-up failed: ${what}`);
    }
  };
  for (const [conversationId, { exclude }] of followups.route) {
    await safely('route', () => routeConversation(ctx, conversationId, { exclude }));
  }
  for (const { accountId, userId } of followups.drain.values()) {
    const givenUp = [...followups.route].filter(([, r]) => r.exclude === userId).map(([id]) => id);
    await safely('drain', () => drainForAgent(ctx, accountId, userId, givenUp));
  }
  for (const [conversationId, { exclude }] of followups.recheck) {
    if (followups.route.has(conversationId)) continue;
    await safely('recheck', () => routeConversation(ctx, conversationId, { exclude, recheck: false }));
  }
  notifyQueues(ctx, [...followups.queues.values()], [...followups.left.values()]);
}
