import type { AppContext } from '../../context.ts';
import { rawExecutorOf } from '../../db/connect.ts';
import type { Job } from '../../jobs/runner.ts';
import type { PendingPublish } from '../../realtime/outbox.ts';
import { inTransaction, lockRoutable, runFollowups } from './router.ts';
import { type Exec, first, iso, SYSTEM_AUTHOR } from './sql.ts';
import { journalUnassignment } from './unassigned-journal.ts';

/*
 * Inboxes with `reassignOnOffline` give an agent's new and open conversations back to the queue when
 * the agent goes offline, or is set away automatically (inactivity, a socket that did not come back):
 * the customer is then served by someone who is there. Away chosen by the agent (or set by an admin)
 * keeps their conversations — a short break, not the end of a shift.
 *
 * The availability change and this job commit together, so the reassignment happens once the change
 * is durable, however many nodes run and even if this one stops. The job runs after the commit, one
 * conversation per transaction: the availability change holds the agent's row, and nothing may wait
 * for a conversation's lock while holding an agent's (see the lock order in router.ts).
 */

export const REASSIGN_OFFLINE_JOB = 'routing.reassign_offline';

const keyOf = (accountId: string, userId: string) => `reassign-offline:${accountId}:${userId}`;

/**
 * Whether this availability change hands the agent's conversations back (for inboxes that ask):
 * offline, whoever set it, or away set by Parley itself (`inactive`, `disconnected`).
 */
export const reassignsOnChange = (to: string, reason: string) =>
  to === 'offline' || (to === 'away' && (reason === 'inactive' || reason === 'disconnected'));

/** Schedules the reassignment, in the transaction that changed the agents' availability. */
export async function scheduleReassignOnOffline(
  exec: Exec,
  now: Date,
  rows: Array<{ account_id: string; user_id: string }>,
  reason: string,
): Promise<void> {
  for (const row of rows) {
    await exec.query(
      `insert into jobs (kind, key, run_at, payload) values ($1::text, $2::text, $3::timestamptz, $4::jsonb)
       on conflict (key) do update set run_at = excluded.run_at, payload = excluded.payload, attempts = 0,
         locked_until = null, last_error = null`,
      [
        REASSIGN_OFFLINE_JOB,
        keyOf(row.account_id, row.user_id),
        iso(now),
        JSON.stringify({ accountId: row.account_id, userId: row.user_id, reason }),
      ],
    );
  }
}

/** The agent's availability now; routing only ever serves online agents. */
async function availabilityOf(exec: Exec, accountId: string, userId: string) {
  const row = await first<{ availability: string; name: string }>(
    exec,
    `select m.availability, u.name from account_members m join users u on u.id = m.user_id
     where m.account_id = $1::uuid and m.user_id = $2::uuid`,
    [accountId, userId],
  );
  return row;
}

/** Unassigns one conversation of the agent, if it is still theirs and they are still not online. */
async function handBack(
  exec: Exec,
  pending: PendingPublish,
  now: Date,
  input: { conversationId: string; accountId: string; userId: string; reason: string },
): Promise<{ routable: boolean; inboxId: string } | null> {
  const conv = await lockRoutable(exec, input.conversationId);
  if (!conv || conv.assignee_id !== input.userId || (conv.status !== 'new' && conv.status !== 'open'))
    return null;
  // Read after the conversation's lock (never the other way round); an agent back online keeps it.
  const agent = await availabilityOf(exec, input.accountId, input.userId);
  if (!agent || agent.availability === 'online') return null;
  const routable = conv.bot_phase !== 'bot';
  await exec.query(
    `update conversations set assignee_id = null, previous_assignee_id = assignee_id,
       queued_at = case when $2::boolean then coalesce(queued_at, $3::timestamptz) else null end,
       version = version + 1, feed_xid = pg_current_xact_id()
     where id = $1::uuid`,
    [conv.id, routable, iso(now)],
  );
  await journalUnassignment(exec, pending, {
    conversation: conv,
    actor: { kind: 'system', id: null },
    author: SYSTEM_AUTHOR,
    previousAssigneeId: input.userId,
    reason: 'agent_offline',
    details: { availability: agent.availability, cause: input.reason },
    attributes: { previousAssigneeName: agent.name },
  });
  return { routable, inboxId: conv.inbox_id };
}

/** The job: every new/open conversation of the agent in an inbox that asks goes back through routing. */
export async function reassignOnOffline(ctx: AppContext, job: Job): Promise<number> {
  const accountId = typeof job.payload.accountId === 'string' ? job.payload.accountId : null;
  const userId = typeof job.payload.userId === 'string' ? job.payload.userId : null;
  const reason = typeof job.payload.reason === 'string' ? job.payload.reason : 'offline';
  if (!accountId || !userId) return 0;
  const db = rawExecutorOf(ctx.database.db);
  const agent = await availabilityOf(db, accountId, userId);
  if (!agent || agent.availability === 'online') return 0;
  const held = await db.query<{ id: string }>(
    `select c.id from conversations c join inboxes i on i.id = c.inbox_id
     where c.assignee_id = $2::uuid and c.status in ('new', 'open') and i.account_id = $1::uuid
       and i.settings -> 'reassignOnOffline' = 'true'::jsonb
     order by c.assigned_at nulls first, c.id`,
    [accountId, userId],
  );
  let handedBack = 0;
  for (const { id } of held) {
    const { result, followups } = await inTransaction(ctx, async (exec, pending, followups) => {
      const done = await handBack(exec, pending, ctx.now(), {
        conversationId: id,
        accountId,
        userId,
        reason,
      });
      if (!done) return false;
      if (done.routable) followups.routeLater(id, userId);
      followups.queueChanged(accountId, done.inboxId);
      return true;
    });
    if (result) handedBack += 1;
    await runFollowups(ctx, followups);
  }
  return handedBack;
}
