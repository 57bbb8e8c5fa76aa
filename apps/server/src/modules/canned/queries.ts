import type { CannedReply, CannedReplyListQuery } from '@parley/shared';
import { and, asc, eq, isNull, or, type SQL, sql } from 'drizzle-orm';
import type { AccountActor } from '../../auth/principal.ts';
import type { DbOrTx } from '../../db/connect.ts';
import { cannedReplies, teamMembers, teams } from '../../db/schema.ts';
import { notFound } from '../../errors.ts';
import { type CannedReplyRow, presentCannedReply } from './presenter.ts';

/**
 * The canned replies an actor may see. Everyone sees the account's; agents see their teams' and their
 * own personal ones; `allTeams` (admins and supervisors managing replies, and API tokens) adds every
 * team's. Nobody sees another agent's personal replies.
 */
export function cannedVisibility(actor: AccountActor, allTeams: boolean): SQL {
  const inAccount = eq(cannedReplies.accountId, actor.accountId);
  if (actor.kind === 'token') return and(inAccount, isNull(cannedReplies.ownerId)) as SQL;
  const manager = actor.role === 'admin' || actor.role === 'supervisor';
  const teamReplies =
    allTeams && manager
      ? sql`${cannedReplies.teamId} is not null`
      : sql`${cannedReplies.teamId} in (select ${teamMembers.teamId} from ${teamMembers} where ${teamMembers.userId} = ${actor.userId})`;
  return and(
    inAccount,
    or(
      and(isNull(cannedReplies.ownerId), isNull(cannedReplies.teamId)),
      eq(cannedReplies.ownerId, actor.userId),
      and(isNull(cannedReplies.ownerId), teamReplies),
    ),
  ) as SQL;
}

/** Text for an ILIKE pattern, its own pattern characters taken literally. */
const escapeLike = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

export async function listCannedReplies(
  executor: DbOrTx,
  actor: AccountActor,
  query: CannedReplyListQuery,
): Promise<CannedReply[]> {
  const conditions: SQL[] = [cannedVisibility(actor, query.teams === 'all')];
  const order: SQL[] = [];
  // "#hel" and "hel" search alike: the composer may send what follows the # or the whole token.
  const q = query.q?.replace(/^#/, '').trim();
  if (q) {
    const pattern = `%${escapeLike(q)}%`;
    const prefix = `${escapeLike(q)}%`;
    conditions.push(
      or(sql`${cannedReplies.shortcut} ilike ${pattern}`, sql`${cannedReplies.body} ilike ${pattern}`) as SQL,
    );
    // Best first: the exact shortcut, then shortcuts starting with it, then containing it, then text.
    order.push(
      sql`case when lower(${cannedReplies.shortcut}) = lower(${q}::text) then 0
               when ${cannedReplies.shortcut} ilike ${prefix} then 1
               when ${cannedReplies.shortcut} ilike ${pattern} then 2
               else 3 end`,
    );
  }
  const rows = await executor
    .select({ reply: cannedReplies, teamName: teams.name })
    .from(cannedReplies)
    .leftJoin(teams, eq(teams.id, cannedReplies.teamId))
    .where(and(...conditions))
    .orderBy(...order, asc(sql`lower(${cannedReplies.shortcut})`), asc(cannedReplies.id))
    .limit(query.limit);
  return rows.map((r) => presentCannedReply(r.reply, r.teamName, actor));
}

/**
 * One reply the actor may see when managing replies, or 404 canned_reply_not_found (also for other
 * accounts' replies and other agents' personal ones).
 */
export async function findCannedReply(
  executor: DbOrTx,
  actor: AccountActor,
  id: string,
): Promise<{ row: CannedReplyRow; teamName: string | null }> {
  const [found] = await executor
    .select({ reply: cannedReplies, teamName: teams.name })
    .from(cannedReplies)
    .leftJoin(teams, eq(teams.id, cannedReplies.teamId))
    .where(and(eq(cannedReplies.id, id), cannedVisibility(actor, true)));
  if (!found) throw notFound('canned_reply_not_found', 'Canned reply');
  return { row: found.reply, teamName: found.teamName };
}
