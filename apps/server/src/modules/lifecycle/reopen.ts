import type { AccountActor } from '../../auth/principal.ts';
import type { AppContext } from '../../context.ts';
import type { RawExecutor } from '../../db/connect.ts';
import { newId } from '../../lib/ids.ts';
import type { PendingPublish } from '../../realtime/outbox.ts';
import { appendMessage } from '../messages/commands.ts';
import { Followups } from '../routing/followups.ts';
import { countsTowardLoad, type RoutableRow, runFollowups } from '../routing/router.ts';
import { loadInboxRouting } from '../routing/settings.ts';
import { iso, recordEventRaw, SYSTEM_AUTHOR, systemActor } from '../routing/sql.ts';
import { assignOnTakeover } from '../routing/takeover.ts';
import { RULE_JOBS } from '../rules/triggers.ts';
import { reclaim } from './status.ts';
import { cancelTimers, closeKey, snoozeKey } from './timers.ts';

/** One message the writer stored in this batch, with the conversation as the message left it. */
export interface AppendedMessage {
  pending: PendingPublish;
  fromCustomer: boolean;
  /** The agent whose public reply took the conversation over from the bot, if this message did. */
  takeoverBy: AccountActor | null;
  /** The conversation row after the message (snake_case, as the statement returned it). */
  conversation: Record<string, unknown>;
  previousStatus: string | null;
  previousAssigneeId: string | null;
}

const REOPENABLE = new Set(['pending', 'on_hold', 'solved']);

/**
 * Runs in the message writer's batch transaction after its messages were stored. A customer message to
 * a pending, on-hold or solved conversation reopened it; the message statement itself took it from its
 * agent (so no load was added without the agent's lock). Here the reopening is journaled, its timers
 * cancelled, and the conversation given back to the same agent if they are online and have room — under
 * their lock, agents in ascending id order, after every conversation lock of the batch (the lock order
 * routing relies on). An agent's reply that took a conversation over from the bot makes them its
 * assignee when it has none and they have room (routing/takeover.ts), in the same order. Whatever cannot
 * go back, and new conversations waiting for their first routing, are routed after the commit (the
 * returned function).
 */
export async function afterCustomerMessages(
  ctx: AppContext,
  exec: RawExecutor,
  appended: AppendedMessage[],
): Promise<(() => Promise<void>) | null> {
  const followups = new Followups();
  const reopened: Array<{ item: AppendedMessage; conv: RoutableRow }> = [];
  const takeovers: Array<{ item: AppendedMessage; actor: AccountActor & { kind: 'agent' } }> = [];
  for (const item of appended) {
    if (item.takeoverBy?.kind === 'agent' && !item.conversation.assignee_id) {
      takeovers.push({ item, actor: item.takeoverBy });
      continue;
    }
    if (!item.fromCustomer) continue;
    const conv = item.conversation as unknown as RoutableRow;
    if (item.previousStatus && REOPENABLE.has(item.previousStatus) && conv.status === 'open') {
      reopened.push({ item, conv });
    } else if (
      countsTowardLoad(conv.status) &&
      !conv.assignee_id &&
      !conv.queued_at &&
      conv.bot_phase !== 'bot' &&
      conv.bot_phase !== 'requested'
    ) {
      followups.routeLater(conv.id);
    }
  }
  // Every agent row this transaction locks is taken in ascending id order, reopenings and takeovers
  // alike (see the lock order in routing/router.ts); work that locks no agent goes last.
  const work = [
    ...reopened.map((r) => ({ key: r.conv.previous_assignee_id ?? '~', reopen: r, takeover: null })),
    ...takeovers.map((t) => ({ key: t.actor.userId, reopen: null, takeover: t })),
  ].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const now = ctx.now();
  for (const { reopen, takeover } of work) {
    if (takeover) {
      await assignOnTakeover(exec, takeover.item.pending, now, {
        conversationId: String(takeover.item.conversation.id),
        actor: takeover.actor,
        followups,
      });
      continue;
    }
    if (!reopen) continue;
    const { item, conv } = reopen;
    await recordEventRaw(exec, item.pending, {
      accountId: conv.account_id,
      conversationId: conv.id,
      contactId: conv.contact_id,
      type: 'conversation.status_changed',
      actor: { kind: 'contact', id: conv.contact_id },
      payload: { from: item.previousStatus, to: 'open', reason: 'customer_reply' },
    });
    await appendMessage(exec, item.pending, {
      actor: systemActor(conv.account_id),
      conversationId: conv.id,
      author: SYSTEM_AUTHOR,
      kind: 'activity',
      body: 'status:open',
      private: false,
      clientMsgId: null,
      attributes: { type: 'status_changed', from: item.previousStatus, to: 'open', reason: 'customer_reply' },
    });
    await cancelTimers(exec, [snoozeKey(conv.id), closeKey(conv.id)]);
    // The account's status_changed rules, as rules/triggers.ts scheduleRules does for other changes
    // (this transaction is the writer's positional-SQL one).
    await exec.query(
      `insert into jobs (kind, key, run_at, payload)
       select $1::text, $1::text || ':' || $2::text || ':' || $3::text, $4::timestamptz,
              jsonb_build_object('accountId', $5::text, 'conversationId', $2::text, 'from', $6::text, 'to', 'open')
       where exists (select 1 from rules where account_id = $5::uuid and event = 'status_changed' and enabled)`,
      [RULE_JOBS.status_changed, conv.id, newId(), iso(now), conv.account_id, item.previousStatus],
    );
    const routing = await loadInboxRouting(exec, conv.inbox_id);
    await reclaim(exec, item.pending, now, conv, routing, {
      actingUserId: null,
      silent: true,
      followups,
      unassignedByMessage: item.previousAssigneeId !== null,
    });
  }
  if (followups.empty) return null;
  return () => runFollowups(ctx, followups);
}
