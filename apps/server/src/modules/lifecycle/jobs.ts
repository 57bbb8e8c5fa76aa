import { eq } from 'drizzle-orm';
import { type AppContext, transact } from '../../context.ts';
import { rawExecutorOf, type Tx } from '../../db/connect.ts';
import { conversations } from '../../db/schema.ts';
import type { Job } from '../../jobs/runner.ts';
import type { PendingPublish } from '../../realtime/outbox.ts';
import type { ConversationRow } from '../conversations/presenter.ts';
import { Followups } from '../routing/followups.ts';
import { type RoutableRow, routableFromRow, runFollowups } from '../routing/router.ts';
import { closeDelayMs, loadInboxRouting } from '../routing/settings.ts';
import type { Exec } from '../routing/sql.ts';
import { afterStatusChanged } from '../rules/triggers.ts';
import { afterCustomerMessages } from './reopen.ts';
import { applyStatusChange } from './status.ts';
import { CLOSE_JOB, closeKey, SNOOZE_JOB, scheduleTimer } from './timers.ts';

const conversationIdOf = (job: Job): string | null =>
  typeof job.payload.conversationId === 'string' ? job.payload.conversationId : null;

const time = (value: string | Date | null): number | null =>
  value === null ? null : new Date(value).getTime();

/**
 * A timer's transaction: the conversation locked, the change made by `fn`, and the status_changed hooks
 * of bots and rules scheduled in the same transaction (so a rule can act on an automatic close too).
 */
async function timerTransaction(
  ctx: AppContext,
  conversationId: string,
  fn: (
    exec: Exec,
    pending: PendingPublish,
    conv: RoutableRow,
    followups: Followups,
  ) => Promise<ConversationRow['status'] | null>,
): Promise<void> {
  const followups = new Followups();
  await transact(ctx, async (tx: Tx, pending) => {
    const [row] = await tx
      .select()
      .from(conversations)
      .where(eq(conversations.id, conversationId))
      .for('update');
    if (!row) return;
    const to = await fn(rawExecutorOf(tx), pending, routableFromRow(row), followups);
    if (to)
      await afterStatusChanged(ctx, tx, pending, {
        conversation: row,
        to,
        actor: { kind: 'system', id: null },
      });
  });
  await runFollowups(ctx, followups);
}

/**
 * Solved → closed when the style's window has passed. Re-checked under the conversation's lock: a
 * conversation that was reopened meanwhile is left alone, and one whose inbox's window was lengthened
 * gets its timer moved instead.
 */
async function closeSolved(ctx: AppContext, job: Job): Promise<void> {
  const conversationId = conversationIdOf(job);
  if (!conversationId) return;
  await timerTransaction(ctx, conversationId, async (exec, pending, conv, followups) => {
    if (conv.status !== 'solved') return null;
    const now = ctx.now();
    const routing = await loadInboxRouting(exec, conv.inbox_id);
    const delay = closeDelayMs(routing) ?? 0;
    const due = (time(conv.solved_at) ?? 0) + delay;
    if (due > now.getTime()) {
      await scheduleTimer(exec, {
        kind: CLOSE_JOB,
        key: closeKey(conv.id),
        runAt: new Date(due),
        payload: { conversationId: conv.id },
      });
      return null;
    }
    await applyStatusChange(
      exec,
      pending,
      now,
      conv,
      { to: 'closed', actor: null, reason: 'auto_close' },
      followups,
    );
    return 'closed';
  });
}

/** A snooze ended: pending/on hold → open, back to its agent if they can take it, else routed. */
async function endSnooze(ctx: AppContext, job: Job): Promise<void> {
  const conversationId = conversationIdOf(job);
  if (!conversationId) return;
  await timerTransaction(ctx, conversationId, async (exec, pending, conv, followups) => {
    if (conv.status !== 'pending' && conv.status !== 'on_hold') return null;
    const until = time(conv.snoozed_until);
    const now = ctx.now();
    if (until === null || until > now.getTime()) return null;
    await applyStatusChange(
      exec,
      pending,
      now,
      conv,
      { to: 'open', actor: null, reason: 'snooze_ended' },
      followups,
    );
    return 'open';
  });
}

/** The lifecycle's timers, and its part of the message writer's batches (customers reopening). */
export function registerLifecycle(ctx: AppContext): void {
  ctx.jobs.register(CLOSE_JOB, (job) => closeSolved(ctx, job));
  ctx.jobs.register(SNOOZE_JOB, (job) => endSnooze(ctx, job));
  ctx.messageWriter.setAfterAppend((executor, appended) =>
    afterCustomerMessages(
      ctx,
      executor,
      appended.map((a) => ({
        pending: a.pending,
        fromCustomer: a.input.kind !== 'activity' && a.input.author.kind === 'contact',
        // An agent's public reply that took the conversation from the bot (the statement set `accepted`).
        takeoverBy:
          a.input.actor.kind === 'agent' &&
          a.input.author.kind === 'agent' &&
          a.input.kind !== 'activity' &&
          !a.input.private &&
          (a.previousBotPhase === 'bot' || a.previousBotPhase === 'requested') &&
          a.conversation.bot_phase === 'accepted'
            ? a.input.actor
            : null,
        conversation: a.conversation,
        previousStatus: a.previousStatus,
        previousAssigneeId: a.previousAssigneeId,
      })),
    ),
  );
}
