import type { AppContext } from '../../context.ts';
import type { Job } from '../../jobs/runner.ts';
import { inTransaction, lockRoutable, runFollowups } from '../routing/router.ts';
import { closeDelayMs, loadInboxRouting } from '../routing/settings.ts';
import { afterCustomerMessages } from './reopen.ts';
import { applyStatusChange } from './status.ts';
import { CLOSE_JOB, closeKey, SNOOZE_JOB, scheduleTimer } from './timers.ts';

const conversationIdOf = (job: Job): string | null =>
  typeof job.payload.conversationId === 'string' ? job.payload.conversationId : null;

const time = (value: string | Date | null): number | null =>
  value === null ? null : new Date(value).getTime();

/**
 * Solved → closed when the style's window has passed. Re-checked under the conversation's lock: a
 * conversation that was reopened meanwhile is left alone, and one whose inbox's window was lengthened
 * gets its timer moved instead.
 */
async function closeSolved(ctx: AppContext, job: Job): Promise<void> {
  const conversationId = conversationIdOf(job);
  if (!conversationId) return;
  const { followups } = await inTransaction(ctx, async (exec, pending, followups) => {
    const conv = await lockRoutable(exec, conversationId);
    if (conv?.status !== 'solved') return;
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
      return;
    }
    await applyStatusChange(
      exec,
      pending,
      now,
      conv,
      { to: 'closed', actor: null, reason: 'auto_close' },
      followups,
    );
  });
  await runFollowups(ctx, followups);
}

/** A snooze ended: pending/on hold → open, back to its agent if they can take it, else routed. */
async function endSnooze(ctx: AppContext, job: Job): Promise<void> {
  const conversationId = conversationIdOf(job);
  if (!conversationId) return;
  const { followups } = await inTransaction(ctx, async (exec, pending, followups) => {
    const conv = await lockRoutable(exec, conversationId);
    if (!conv || (conv.status !== 'pending' && conv.status !== 'on_hold')) return;
    const until = time(conv.snoozed_until);
    const now = ctx.now();
    if (until === null || until > now.getTime()) return;
    await applyStatusChange(
      exec,
      pending,
      now,
      conv,
      { to: 'open', actor: null, reason: 'snooze_ended' },
      followups,
    );
  });
  await runFollowups(ctx, followups);
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
        conversation: a.conversation,
        previousStatus: a.previousStatus,
        previousAssigneeId: a.previousAssigneeId,
      })),
    ),
  );
}
