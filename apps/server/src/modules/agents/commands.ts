import type { Member, Preferences, Role, UpdatePreferencesBody } from '@parley/shared';
import { preferencesSchema } from '@parley/shared';
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { AppContext } from '../../context.ts';
import type { Tx } from '../../db/connect.ts';
import { accountMembers, inboxes, inboxMembers, teamMembers, teams, users } from '../../db/schema.ts';
import { AppError } from '../../errors.ts';
import { findMember } from './queries.ts';

/**
 * Locks the account's admin rows and refuses a change that would leave the account without an admin,
 * so two admins demoting each other at once cannot both succeed.
 */
async function assertAnotherAdminRemains(tx: Tx, accountId: string, userId: string): Promise<void> {
  const admins = await tx
    .select({ userId: accountMembers.userId })
    .from(accountMembers)
    .where(and(eq(accountMembers.accountId, accountId), eq(accountMembers.role, 'admin')))
    .for('update');
  if (admins.every((a) => a.userId === userId)) {
    throw new AppError('last_admin', 409, 'An account needs at least one admin');
  }
}

/**
 * Open sockets authorized their subscriptions when they subscribed. After a change of access, closing
 * them makes the person's dashboard reconnect and subscribe again under the new rules (their session
 * stays valid; only the sockets restart).
 */
export function restartSockets(ctx: AppContext, userId: string): void {
  ctx.bus.publish({ t: 'sessions_revoked', userId, only: null, except: null });
}

export async function changeRole(
  ctx: AppContext,
  accountId: string,
  userId: string,
  role: Role,
): Promise<Member> {
  let changed = false;
  const member = await ctx.database.db.transaction(async (tx) => {
    const current = await findMember(tx, accountId, userId);
    if (current.role === role) return current;
    if (current.role === 'admin') await assertAnotherAdminRemains(tx, accountId, userId);
    await tx
      .update(accountMembers)
      .set({ role })
      .where(and(eq(accountMembers.accountId, accountId), eq(accountMembers.userId, userId)));
    changed = true;
    return { ...current, role };
  });
  if (changed) restartSockets(ctx, userId);
  return member;
}

export async function removeMember(ctx: AppContext, accountId: string, userId: string): Promise<void> {
  await ctx.database.db.transaction(async (tx) => {
    const member = await findMember(tx, accountId, userId);
    if (member.role === 'admin') await assertAnotherAdminRemains(tx, accountId, userId);
    const accountInboxes = tx
      .select({ id: inboxes.id })
      .from(inboxes)
      .where(eq(inboxes.accountId, accountId));
    const accountTeams = tx.select({ id: teams.id }).from(teams).where(eq(teams.accountId, accountId));
    await tx
      .delete(inboxMembers)
      .where(and(eq(inboxMembers.userId, userId), inArray(inboxMembers.inboxId, accountInboxes)));
    await tx
      .delete(teamMembers)
      .where(and(eq(teamMembers.userId, userId), inArray(teamMembers.teamId, accountTeams)));
    await tx
      .delete(accountMembers)
      .where(and(eq(accountMembers.accountId, accountId), eq(accountMembers.userId, userId)));
  });
  restartSockets(ctx, userId);
}

export async function readPreferences(ctx: AppContext, userId: string): Promise<Preferences> {
  const [row] = await ctx.database.db
    .select({ preferences: users.preferences })
    .from(users)
    .where(eq(users.id, userId));
  return preferencesSchema.parse(row?.preferences ?? {});
}

/** Merges the change into the stored preferences in one statement, so concurrent tabs do not lose keys. */
export async function updatePreferences(
  ctx: AppContext,
  userId: string,
  change: UpdatePreferencesBody,
): Promise<Preferences> {
  const patch = Object.fromEntries(Object.entries(change).filter(([, v]) => v !== undefined));
  const [row] = await ctx.database.db
    .update(users)
    .set({ preferences: sql`${users.preferences} || ${JSON.stringify(patch)}::jsonb` })
    .where(eq(users.id, userId))
    .returning({ preferences: users.preferences });
  return preferencesSchema.parse(row?.preferences ?? {});
}
