import type { AccountActor } from '../../auth/principal.ts';
import type { PendingPublish } from '../../realtime/outbox.ts';
import { authorOf } from '../messages/commands.ts';
import type { Followups } from './followups.ts';
import { assignLocked, countsTowardLoad, lockRoutable, type TakeResult, tryTake } from './router.ts';
import { loadInboxRouting } from './settings.ts';
import { type Exec, first } from './sql.ts';

export type TakeoverOutcome = 'assigned' | 'has_assignee' | 'not_applicable' | TakeResult['reason'];

/**
 * An agent took a conversation over from the bot (a public reply, or "accept"): they become its
 * assignee when it has none. Like every assignment it is decided under the agent's row lock — the
 * caller holds the conversation's lock already and no other agent's row (see the lock order in
 * router.ts) — and, for a new or open conversation, by the capacity rule: an agent with no room leaves
 * the conversation as it is (their reply went out all the same). Their own availability does not
 * matter: they are at work on it right now.
 */
export async function assignOnTakeover(
  exec: Exec,
  pending: PendingPublish,
  now: Date,
  input: { conversationId: string; actor: AccountActor; followups: Followups },
): Promise<TakeoverOutcome> {
  const { actor } = input;
  if (actor.kind !== 'agent') return 'not_applicable';
  // Re-read under the lock this transaction already holds: another message of the same batch may have
  // changed the row since the caller's snapshot.
  const conv = await lockRoutable(exec, input.conversationId);
  if (!conv || conv.status === 'closed' || conv.bot_phase !== 'accepted') return 'not_applicable';
  if (conv.assignee_id) return 'has_assignee';
  let name: string;
  if (countsTowardLoad(conv.status)) {
    const routing = await loadInboxRouting(exec, conv.inbox_id);
    const take = await tryTake(exec, {
      accountId: conv.account_id,
      userId: actor.userId,
      channelType: routing.channelType,
      requireOnline: false,
    });
    if (!take.ok) return take.reason;
    name = take.name;
  } else {
    const member = await first<{ name: string }>(
      exec,
      `select u.name from account_members m join users u on u.id = m.user_id
       where m.account_id = $1::uuid and m.user_id = $2::uuid`,
      [conv.account_id, actor.userId],
    );
    if (!member) return 'not_member';
    name = member.name;
  }
  await assignLocked(exec, pending, now, conv, {
    assigneeId: actor.userId,
    assigneeName: name,
    reason: 'takeover',
    actor,
    author: authorOf(actor),
  });
  if (conv.queued_at) input.followups.leftQueue(conv.account_id, conv.inbox_id, conv.id);
  return 'assigned';
}
