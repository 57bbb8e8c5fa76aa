import type { CannedReply, CannedScope, CreateCannedReplyBody, UpdateCannedReplyBody } from '@parley/shared';
import { and, eq, ne, type SQL, sql } from 'drizzle-orm';
import type { AccountActor } from '../../auth/principal.ts';
import type { AppContext } from '../../context.ts';
import type { Tx } from '../../db/connect.ts';
import { cannedReplies, teams } from '../../db/schema.ts';
import { AppError, conflict, forbidden, notFound, sqlStateOf } from '../../errors.ts';
import { newId } from '../../lib/ids.ts';
import { canManageScope, presentCannedReply, scopeOf } from './presenter.ts';
import { findCannedReply } from './queries.ts';

interface Placement {
  scope: CannedScope;
  ownerId: string | null;
  teamId: string | null;
  teamName: string | null;
}

const replyExists = () =>
  conflict('canned_reply_exists', 'A canned reply with this shortcut exists already in this scope');

function assertCanManage(actor: AccountActor, scope: CannedScope, ownerId: string | null): void {
  if (canManageScope(actor, scope, ownerId)) return;
  throw forbidden(
    scope === 'personal'
      ? 'Personal canned replies belong to their owner'
      : 'Only admins and supervisors manage account and team canned replies',
  );
}

/** Where a reply goes: the caller's own (personal), a team of this account, or the account. */
async function placement(
  tx: Tx,
  actor: AccountActor,
  scope: CannedScope,
  teamId: string | null,
): Promise<Placement> {
  assertCanManage(actor, scope, null);
  if (scope === 'personal') {
    if (actor.kind !== 'agent') throw forbidden('API tokens have no personal canned replies');
    return { scope, ownerId: actor.userId, teamId: null, teamName: null };
  }
  if (scope === 'account') return { scope, ownerId: null, teamId: null, teamName: null };
  if (!teamId) throw new AppError('validation_failed', 400, 'A team reply needs its team');
  const [team] = await tx
    .select({ id: teams.id, name: teams.name })
    .from(teams)
    .where(and(eq(teams.id, teamId), eq(teams.accountId, actor.accountId)));
  if (!team) throw notFound('team_not_found', 'Team');
  return { scope, ownerId: null, teamId: team.id, teamName: team.name };
}

/** Shortcuts are unique per scope in any case (the unique index settles races with the same 409). */
async function assertShortcutFree(
  tx: Tx,
  accountId: string,
  where: Placement,
  shortcut: string,
  exceptId: string | null,
): Promise<void> {
  const conditions: SQL[] = [
    eq(cannedReplies.accountId, accountId),
    sql`lower(${cannedReplies.shortcut}) = lower(${shortcut}::text)`,
    where.ownerId ? eq(cannedReplies.ownerId, where.ownerId) : sql`${cannedReplies.ownerId} is null`,
    where.teamId ? eq(cannedReplies.teamId, where.teamId) : sql`${cannedReplies.teamId} is null`,
  ];
  if (exceptId) conditions.push(ne(cannedReplies.id, exceptId));
  const [clash] = await tx
    .select({ id: cannedReplies.id })
    .from(cannedReplies)
    .where(and(...conditions))
    .limit(1);
  if (clash) throw replyExists();
}

async function uniqueOrConflict<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (sqlStateOf(error) === '23505') throw replyExists();
    throw error;
  }
}

export function createCannedReply(
  ctx: AppContext,
  actor: AccountActor,
  body: CreateCannedReplyBody,
): Promise<CannedReply> {
  return uniqueOrConflict(() =>
    ctx.database.db.transaction(async (tx) => {
      const where = await placement(tx, actor, body.scope, body.teamId ?? null);
      await assertShortcutFree(tx, actor.accountId, where, body.shortcut, null);
      const now = ctx.now();
      const [row] = await tx
        .insert(cannedReplies)
        .values({
          id: newId(),
          accountId: actor.accountId,
          ownerId: where.ownerId,
          teamId: where.teamId,
          shortcut: body.shortcut,
          body: body.body,
          createdBy: actor.kind === 'agent' ? actor.userId : null,
          createdAt: now,
          updatedAt: now,
        })
        .returning();
      if (!row) throw new Error('canned reply insert returned nothing');
      return presentCannedReply(row, where.teamName, actor);
    }),
  );
}

export function updateCannedReply(
  ctx: AppContext,
  actor: AccountActor,
  id: string,
  body: UpdateCannedReplyBody,
): Promise<CannedReply> {
  return uniqueOrConflict(() =>
    ctx.database.db.transaction(async (tx) => {
      const current = await findCannedReply(tx, actor, id);
      const currentScope = scopeOf(current.row);
      assertCanManage(actor, currentScope, current.row.ownerId);
      const scope = body.scope ?? currentScope;
      if (body.teamId && scope !== 'team') {
        throw new AppError('validation_failed', 400, 'Only team replies have a team');
      }
      // Moving it is creating it somewhere else: the caller must be allowed there as well.
      const where =
        scope === currentScope && !(scope === 'team' && body.teamId && body.teamId !== current.row.teamId)
          ? {
              scope,
              ownerId: current.row.ownerId,
              teamId: current.row.teamId,
              teamName: current.teamName,
            }
          : await placement(tx, actor, scope, body.teamId ?? current.row.teamId);
      const shortcut = body.shortcut ?? current.row.shortcut;
      await assertShortcutFree(tx, actor.accountId, where, shortcut, id);
      const [row] = await tx
        .update(cannedReplies)
        .set({
          shortcut,
          body: body.body ?? current.row.body,
          ownerId: where.ownerId,
          teamId: where.teamId,
          updatedAt: ctx.now(),
        })
        .where(eq(cannedReplies.id, id))
        .returning();
      if (!row) throw notFound('canned_reply_not_found', 'Canned reply');
      return presentCannedReply(row, where.teamName, actor);
    }),
  );
}

export async function deleteCannedReply(ctx: AppContext, actor: AccountActor, id: string): Promise<void> {
  await ctx.database.db.transaction(async (tx) => {
    const current = await findCannedReply(tx, actor, id);
    assertCanManage(actor, scopeOf(current.row), current.row.ownerId);
    await tx.delete(cannedReplies).where(eq(cannedReplies.id, id));
  });
}
