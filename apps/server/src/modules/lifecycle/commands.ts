import type { ConversationStatus, Priority, SnoozeBody } from '@parley/shared';
import { and, eq } from 'drizzle-orm';
import { conversationScope } from '../../auth/policies.ts';
import type { AccountActor } from '../../auth/principal.ts';
import { type AppContext, transact } from '../../context.ts';
import { rawExecutorOf, type Tx } from '../../db/connect.ts';
import { contacts, conversations } from '../../db/schema.ts';
import { AppError, conflict, notFound } from '../../errors.ts';
import type { PendingPublish } from '../../realtime/outbox.ts';
import type { ConversationRow } from '../conversations/presenter.ts';
import { canTransition } from '../conversations/status.ts';
import { type Author, appendMessage, authorOf } from '../messages/commands.ts';
import { Followups } from '../routing/followups.ts';
import { type RoutableRow, routableFromRow, runFollowups } from '../routing/router.ts';
import { type Exec, eventActorOf, iso, recordEventRaw, systemActor } from '../routing/sql.ts';
import { afterStatusSteps } from '../rules/triggers.ts';
import { applyStatusChange } from './status.ts';
import { SNOOZE_JOB, scheduleTimer, snoozeKey } from './timers.ts';

type Result = { row: ConversationRow; contactName: string | null };

const MAX_SNOOZE_MS = 365 * 24 * 60 * 60_000;

async function withLocked(
  ctx: AppContext,
  actor: AccountActor,
  conversationId: string,
  fn: (
    exec: Exec,
    pending: PendingPublish,
    conv: RoutableRow,
    followups: Followups,
    locked: { tx: Tx; row: ConversationRow },
  ) => Promise<void>,
): Promise<Result> {
  const followups = new Followups();
  const result = await transact(ctx, async (tx, pending) => {
    const [current] = await tx
      .select()
      .from(conversations)
      .where(and(eq(conversations.id, conversationId), conversationScope(actor)))
      .for('update');
    if (!current) throw notFound('conversation_not_found', 'Conversation');
    await fn(rawExecutorOf(tx), pending, routableFromRow(current), followups, { tx, row: current });
    const [found] = await tx
      .select({ row: conversations, contactName: contacts.name })
      .from(conversations)
      .innerJoin(contacts, eq(contacts.id, conversations.contactId))
      .where(eq(conversations.id, conversationId));
    if (!found) throw notFound('conversation_not_found', 'Conversation');
    return found;
  });
  await runFollowups(ctx, followups);
  return result;
}

/**
 * Pending or on hold until a time, when a durable timer reopens it (back to its agent if they can take
 * it). Snoozing frees the agent's capacity like any pending/on-hold; any later status change ends the
 * snooze.
 */
export async function snoozeConversation(
  ctx: AppContext,
  actor: AccountActor,
  conversationId: string,
  body: SnoozeBody,
): Promise<Result> {
  const until = new Date(body.until);
  const now = ctx.now();
  if (until.getTime() <= now.getTime() || until.getTime() - now.getTime() > MAX_SNOOZE_MS) {
    throw new AppError('validation_failed', 400, 'until must be in the future, at most a year ahead', {
      details: [{ path: 'until', message: 'in the future, at most 365 days ahead', code: 'custom' }],
    });
  }
  return withLocked(ctx, actor, conversationId, async (exec, pending, conv, followups, locked) => {
    if (conv.status === 'closed') throw conflict('conversation_closed', 'This conversation is closed');
    if (conv.status === body.status) {
      await exec.query(
        `update conversations set snoozed_until = $2::timestamptz, version = version + 1,
           feed_xid = pg_current_xact_id() where id = $1::uuid`,
        [conv.id, iso(until)],
      );
      await scheduleTimer(exec, {
        kind: SNOOZE_JOB,
        key: snoozeKey(conv.id),
        runAt: until,
        payload: { conversationId: conv.id },
      });
      await recordEventRaw(exec, pending, {
        accountId: conv.account_id,
        conversationId: conv.id,
        contactId: conv.contact_id,
        type: 'conversation.snoozed',
        actor: eventActorOf(actor),
        payload: { until: until.toISOString(), status: body.status },
      });
      await appendMessage(exec, pending, {
        actor: systemActor(conv.account_id),
        conversationId: conv.id,
        author: authorOf(actor),
        kind: 'activity',
        body: 'snoozed',
        // Internal to the team: customers see status changes and who joins, not this.
        private: true,
        clientMsgId: null,
        attributes: { type: 'snoozed', until: until.toISOString(), status: body.status },
      });
      return;
    }
    if (!canTransition(conv.status as never, body.status)) {
      throw new AppError(
        'invalid_status_transition',
        409,
        `A conversation cannot go from ${conv.status} to ${body.status}`,
        { details: { from: conv.status, to: body.status } },
      );
    }
    const after = await applyStatusChange(
      exec,
      pending,
      now,
      conv,
      { to: body.status, actor, reason: 'snooze', snoozedUntil: until },
      followups,
    );
    // Like any status change: the bots' and rules' status_changed hooks.
    await afterStatusSteps(ctx, locked.tx, pending, {
      conversation: locked.row,
      to: body.status,
      reached: after.status as ConversationStatus,
      actor: eventActorOf(actor),
    });
  });
}

/** Priority orders the queue (urgent first); changes are journaled and shown in the thread. */
export async function changePriority(
  ctx: AppContext,
  actor: AccountActor,
  conversationId: string,
  priority: Priority,
  options: {
    author?: Author;
    journeyActor?: ReturnType<typeof eventActorOf>;
    details?: Record<string, unknown>;
  } = {},
): Promise<Result> {
  return withLocked(ctx, actor, conversationId, async (exec, pending, conv, followups) => {
    if (conv.priority === priority) return;
    await exec.query(
      `update conversations set priority = $2::text, version = version + 1, feed_xid = pg_current_xact_id()
       where id = $1::uuid`,
      [conv.id, priority],
    );
    await recordEventRaw(exec, pending, {
      accountId: conv.account_id,
      conversationId: conv.id,
      contactId: conv.contact_id,
      type: 'conversation.priority_changed',
      actor: options.journeyActor ?? eventActorOf(actor),
      payload: { from: conv.priority, to: priority, ...(options.details ?? {}) },
    });
    await appendMessage(exec, pending, {
      actor: systemActor(conv.account_id),
      conversationId: conv.id,
      author: options.author ?? authorOf(actor),
      kind: 'activity',
      body: `priority:${priority}`,
      // Internal to the team: customers see status changes and who joins, not this.
      private: true,
      clientMsgId: null,
      attributes: { type: 'priority_changed', from: conv.priority, to: priority },
    });
    if (conv.queued_at) followups.queueChanged(conv.account_id, conv.inbox_id);
  });
}
