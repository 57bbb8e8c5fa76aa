import type { QueueInfo, queueListSchema } from '@parley/shared';
import { sql } from 'drizzle-orm';
import type { z } from 'zod';
import { conversationScope } from '../../auth/policies.ts';
import type { AccountActor } from '../../auth/principal.ts';
import type { AppContext } from '../../context.ts';
import { conversations } from '../../db/schema.ts';
import { type Exec, first, iso } from './sql.ts';

/*
 * A customer's place in the queue is counted among the waiting conversations of the same inbox, in the
 * order the queue is served (priority, then arrival). The estimate divides it by the inbox's recent
 * assignment rate; with no assignment in the window there is nothing honest to say, so it is null.
 */

type QueueEntry = z.infer<typeof queueListSchema>['queue'][number];

const RATE_WINDOW_MS = 30 * 60_000;
/** Customers at the head of an inbox's queue hear their new place pushed; the rest ask (GET …/queue). */
const PUSHED_POSITIONS = 50;
const RANK = (a: string) =>
  `case ${a}.priority when 'urgent' then 0 when 'high' then 1 when 'normal' then 2 else 3 end`;
const WAITING = (a: string) =>
  `${a}.queued_at is not null and ${a}.assignee_id is null and ${a}.status in ('new', 'open')`;

function estimate(position: number, recentAssignments: number): number | null {
  if (recentAssignments <= 0) return null;
  return Math.ceil((position * (RATE_WINDOW_MS / 1000)) / recentAssignments);
}

async function recentAssignments(exec: Exec, accountId: string, inboxId: string, now: Date): Promise<number> {
  const row = await first<{ n: number }>(
    exec,
    `select count(*)::int as n from conversations
     where account_id = $1::uuid and inbox_id = $2::uuid and status <> 'closed' and assigned_at > $3::timestamptz`,
    [accountId, inboxId, iso(new Date(now.getTime() - RATE_WINDOW_MS))],
  );
  return row?.n ?? 0;
}

export async function queueInfo(exec: Exec, conversationId: string, now: Date): Promise<QueueInfo> {
  const row = await first<{ account_id: string; inbox_id: string; position: number }>(
    exec,
    `select me.account_id, me.inbox_id,
       (select count(*)::int from conversations c
        where c.account_id = me.account_id and c.inbox_id = me.inbox_id and ${WAITING('c')}
          and (${RANK('c')} < ${RANK('me')}
               or (${RANK('c')} = ${RANK('me')} and (c.queued_at, c.number) < (me.queued_at, me.number)))
       ) + 1 as position
     from conversations me where me.id = $1::uuid and ${WAITING('me')}`,
    [conversationId],
  );
  if (!row) return { waiting: false, position: null, estimatedWaitSeconds: null };
  const recent = await recentAssignments(exec, row.account_id, row.inbox_id, now);
  return { waiting: true, position: row.position, estimatedWaitSeconds: estimate(row.position, recent) };
}

/** The queue as an actor may see it (their conversation scope), in the order it is served per inbox. */
export async function listQueue(ctx: AppContext, actor: AccountActor) {
  // Places are counted over every waiting conversation of the inbox, then narrowed to what the actor sees.
  const rows = await ctx.database.rows<{
    id: string;
    number: number;
    inbox_id: string;
    team_id: string | null;
    priority: QueueEntry['priority'];
    queued_at: string | Date;
    required_skills: string[] | null;
    position: number;
  }>(sql`
    select q.* from (
      select c.id, c.number, c.inbox_id, c.team_id, c.priority, c.queued_at, c.required_skills,
             (row_number() over (partition by c.inbox_id
                                 order by ${sql.raw(RANK('c'))}, c.queued_at, c.number))::int as position,
             ${sql.raw(RANK('c'))} as rank
      from conversations c
      where c.account_id = ${actor.accountId} and ${sql.raw(WAITING('c'))}
    ) q
    join ${conversations} on ${conversations.id} = q.id
    where ${conversationScope(actor)}
    order by q.rank, q.queued_at, q.number
    limit 500`);
  return rows.map((r) => ({
    conversationId: r.id,
    number: Number(r.number),
    inboxId: r.inbox_id,
    teamId: r.team_id,
    priority: r.priority,
    queuedAt: new Date(r.queued_at).toISOString(),
    requiredSkills: r.required_skills ?? [],
    position: Number(r.position),
  }));
}

// ---- pushing places ---------------------------------------------------------------------------

/**
 * Places are recomputed at most this often per inbox: computing them sorts the inbox's whole queue, and
 * under a burst of arrivals that would otherwise run continuously.
 */
const DEBOUNCE_MS = 500;
const timers = new WeakMap<AppContext, Map<string, NodeJS.Timeout>>();

/**
 * Tells the customers at the head of these inboxes' queues their place, once per burst of changes (a
 * drain assigning many conversations sends one update). Customers whose conversation left the queue get
 * `position: null` from the same computation.
 */
export function notifyQueues(
  ctx: AppContext,
  inboxes: Array<{ accountId: string; inboxId: string }>,
  left: Array<{ accountId: string; conversationId: string }> = [],
): void {
  if (left.length > 0) {
    const byAccount = new Map<string, string[]>();
    for (const l of left)
      byAccount.set(l.accountId, [...(byAccount.get(l.accountId) ?? []), l.conversationId]);
    for (const [accountId, ids] of byAccount) {
      void ctx.bus.publish({
        t: 'queue',
        accountId,
        entries: ids.map((conversationId) => ({
          conversationId,
          position: null,
          estimatedWaitSeconds: null,
        })),
      });
    }
  }
  let pendingTimers = timers.get(ctx);
  if (!pendingTimers) {
    pendingTimers = new Map();
    timers.set(ctx, pendingTimers);
  }
  for (const { accountId, inboxId } of inboxes) {
    const key = `${accountId}:${inboxId}`;
    if (pendingTimers.has(key)) continue;
    const timer = setTimeout(() => {
      pendingTimers.delete(key);
      publishPositions(ctx, accountId, inboxId).catch((err: unknown) =>
        ctx.log.warn({ err }, 'could not publish queue positions'),
      );
    }, DEBOUNCE_MS);
    timer.unref();
    pendingTimers.set(key, timer);
  }
}

async function publishPositions(ctx: AppContext, accountId: string, inboxId: string): Promise<void> {
  const exec = ctx.database.db;
  const rows = await ctx.database.rows<{ id: string; position: number }>(
    sql`select id, (row_number() over (order by ${sql.raw(RANK('c'))}, c.queued_at, c.number))::int as position
        from conversations c
        where c.account_id = ${accountId} and c.inbox_id = ${inboxId} and ${sql.raw(WAITING('c'))}
        order by position limit ${PUSHED_POSITIONS}`,
    exec,
  );
  if (rows.length === 0) return;
  const now = ctx.now();
  const [rate] = await ctx.database.rows<{ n: number }>(
    sql`select count(*)::int as n from conversations
        where account_id = ${accountId} and inbox_id = ${inboxId} and status <> 'closed'
          and assigned_at > ${iso(new Date(now.getTime() - RATE_WINDOW_MS))}::timestamptz`,
    exec,
  );
  await ctx.bus.publish({
    t: 'queue',
    accountId,
    entries: rows.map((r) => ({
      conversationId: r.id,
      position: Number(r.position),
      estimatedWaitSeconds: estimate(Number(r.position), rate?.n ?? 0),
    })),
  });
}
