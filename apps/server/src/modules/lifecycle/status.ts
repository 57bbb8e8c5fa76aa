import type { ConversationStatus } from '@parley/shared';
import type { AccountActor } from '../../auth/principal.ts';
import type { EventInput, PendingPublish } from '../../realtime/outbox.ts';
import { type Author, appendMessage, authorOf } from '../messages/commands.ts';
import type { Followups } from '../routing/followups.ts';
import { assignLocked, countsTowardLoad, type RoutableRow, tryTake } from '../routing/router.ts';
import { closeDelayMs, type InboxRouting, loadInboxRouting } from '../routing/settings.ts';
import { type Exec, eventActorOf, iso, recordEventRaw, SYSTEM_AUTHOR, systemActor } from '../routing/sql.ts';
import { journalUnassignment } from '../routing/unassigned-journal.ts';
import { CLOSE_JOB, cancelTimers, closeKey, SNOOZE_JOB, scheduleTimer, snoozeKey } from './timers.ts';

export interface StatusChange {
  to: ConversationStatus;
  /** The agent or token that asked; null when the system does it (a timer, the conversation style). */
  actor: AccountActor | null;
  /** Who the journey names when it is not `actor` (a rule acting for the account). */
  journeyActor?: EventInput['actor'];
  /** Who the thread's activity item names when it is not `actor`. */
  author?: Author;
  /** Extra journey details (the rule that did it…). */
  details?: Record<string, unknown>;
  /** Why: `agent`, `customer_reply`, `snooze`, `snooze_ended`, `auto_close`, `live_chat`… */
  reason: string;
  /** Pending or on hold until then, when a timer reopens it. */
  snoozedUntil?: Date | null;
}

const authorFor = (actor: AccountActor | null): Author => (actor ? authorOf(actor) : SYSTEM_AUTHOR);

/**
 * Moves a locked conversation to another status with everything that goes with it, in the caller's
 * transaction: timestamps, the journey event and the activity item (which publishes the conversation),
 * the style's close timer, the snooze timer, and capacity — leaving new/open frees the agent's slot
 * (drained after commit); returning to open takes one again, under the agent's lock (see reclaim).
 * The caller has checked that the transition is allowed.
 */
export async function applyStatusChange(
  exec: Exec,
  pending: PendingPublish,
  now: Date,
  conv: RoutableRow,
  change: StatusChange,
  followups: Followups,
): Promise<RoutableRow> {
  const from = conv.status;
  const { to } = change;
  const routing = await loadInboxRouting(exec, conv.inbox_id);
  const snoozedUntil = change.snoozedUntil ?? null;
  const leavesQueue = conv.queued_at !== null && !countsTowardLoad(to);
  const previous =
    to === 'solved' || to === 'closed'
      ? (conv.assignee_id ?? conv.previous_assignee_id)
      : conv.previous_assignee_id;
  await exec.query(
    `update conversations set status = $2::text, snoozed_until = $3::timestamptz,
       solved_at = case when $2::text = 'solved' then $4::timestamptz else solved_at end,
       closed_at = case when $2::text = 'closed' then $4::timestamptz else closed_at end,
       waiting_since = case when $2::text in ('solved', 'closed') then null else waiting_since end,
       queued_at = case when $2::text in ('new', 'open') then queued_at else null end,
       previous_assignee_id = $5::uuid,
       version = version + 1, feed_xid = pg_current_xact_id()
     where id = $1::uuid`,
    [conv.id, to, snoozedUntil ? iso(snoozedUntil) : null, iso(now), previous],
  );
  const after: RoutableRow = {
    ...conv,
    status: to,
    snoozed_until: snoozedUntil,
    previous_assignee_id: previous,
    queued_at: countsTowardLoad(to) ? conv.queued_at : null,
    solved_at: to === 'solved' ? now : conv.solved_at,
  };
  if (leavesQueue) followups.leftQueue(conv.account_id, conv.inbox_id, conv.id);
  await recordEventRaw(exec, pending, {
    accountId: conv.account_id,
    conversationId: conv.id,
    contactId: conv.contact_id,
    type: 'conversation.status_changed',
    actor: change.journeyActor ?? eventActorOf(change.actor),
    payload: {
      from,
      to,
      reason: change.reason,
      ...(snoozedUntil ? { snoozedUntil: snoozedUntil.toISOString() } : {}),
      ...(change.details ?? {}),
    },
  });
  // The activity item bumps seq, version and the feed, and publishes both after commit.
  await appendMessage(exec, pending, {
    actor: systemActor(conv.account_id),
    conversationId: conv.id,
    author: change.author ?? authorFor(change.actor),
    kind: 'activity',
    body: `status:${to}`,
    private: false,
    clientMsgId: null,
    attributes: {
      type: 'status_changed',
      from,
      to,
      reason: change.reason,
      ...(snoozedUntil ? { snoozedUntil: snoozedUntil.toISOString() } : {}),
    },
  });

  const cancel: string[] = [];
  if (snoozedUntil) {
    await scheduleTimer(exec, {
      kind: SNOOZE_JOB,
      key: snoozeKey(conv.id),
      runAt: snoozedUntil,
      payload: { conversationId: conv.id },
    });
  } else if (conv.snoozed_until !== null) cancel.push(snoozeKey(conv.id));
  if (to !== 'solved' && from === 'solved') cancel.push(closeKey(conv.id));
  if (cancel.length > 0) await cancelTimers(exec, cancel);

  if (conv.assignee_id && countsTowardLoad(from) && !countsTowardLoad(to)) {
    followups.drainFor(conv.account_id, conv.assignee_id);
  }
  if (!countsTowardLoad(from) && countsTowardLoad(to)) {
    return reclaim(exec, pending, now, after, routing, {
      actingUserId: change.actor?.kind === 'agent' ? change.actor.userId : null,
      silent: false,
      followups,
    });
  }
  if (to === 'solved') {
    const delay = closeDelayMs(routing);
    if (delay === null) {
      // Live chat: solved is the end; the customer's next message starts a new conversation.
      return applyStatusChange(
        exec,
        pending,
        now,
        after,
        { to: 'closed', actor: null, reason: 'live_chat' },
        followups,
      );
    }
    await scheduleTimer(exec, {
      kind: CLOSE_JOB,
      key: closeKey(conv.id),
      runAt: new Date(now.getTime() + delay),
      payload: { conversationId: conv.id },
    });
  }
  return after;
}

/**
 * A conversation came back to open (the customer wrote, a snooze ended, an agent reopened it): it goes
 * back to its agent if they are online (or are the one reopening it) and have room — decided under
 * their lock — and otherwise through routing, never staying with an agent who is away or full. While a
 * bot holds it no person takes it. `silent`: the return to the same agent is not announced in the thread
 * (the reopening already is).
 */
export async function reclaim(
  exec: Exec,
  pending: PendingPublish,
  now: Date,
  conv: RoutableRow,
  routing: InboxRouting,
  options: {
    actingUserId: string | null;
    silent: boolean;
    followups: Followups;
    /** The message statement already moved the agent to previous_assignee_id; journal it if they stay off. */
    unassignedByMessage?: boolean;
  },
): Promise<RoutableRow> {
  const target = conv.assignee_id ?? conv.previous_assignee_id;
  const botHolds = conv.bot_phase === 'bot' || conv.bot_phase === 'requested';
  let refusal = botHolds ? 'bot' : 'no_previous_agent';
  if (target && !botHolds) {
    const take = await tryTake(exec, {
      accountId: conv.account_id,
      userId: target,
      channelType: routing.channelType,
      requireOnline: target !== options.actingUserId,
      excludeConversationId: conv.id,
    });
    if (take.ok) {
      if (conv.assignee_id === target) return conv;
      await assignLocked(exec, pending, now, conv, {
        assigneeId: target,
        assigneeName: take.name,
        reason: 'returning',
        actor: null,
        silent: options.silent,
      });
      return { ...conv, assignee_id: target, queued_at: null };
    }
    refusal = take.reason;
  }
  const queuedAt = conv.bot_phase === 'bot' ? null : (conv.queued_at ?? now);
  const holder = conv.assignee_id ?? (options.unassignedByMessage ? conv.previous_assignee_id : null);
  if (conv.assignee_id) {
    await exec.query(
      `update conversations set assignee_id = null, previous_assignee_id = $2::uuid,
         queued_at = $3::timestamptz, version = version + 1, feed_xid = pg_current_xact_id()
       where id = $1::uuid`,
      [conv.id, conv.assignee_id, queuedAt ? iso(new Date(queuedAt)) : null],
    );
  }
  if (holder) {
    await journalUnassignment(exec, pending, {
      conversation: conv,
      actor: { kind: 'system', id: null },
      author: SYSTEM_AUTHOR,
      previousAssigneeId: holder,
      reason: refusal,
    });
  }
  options.followups.routeLater(conv.id);
  return {
    ...conv,
    assignee_id: null,
    previous_assignee_id: conv.assignee_id ?? conv.previous_assignee_id,
    queued_at: queuedAt,
  };
}
