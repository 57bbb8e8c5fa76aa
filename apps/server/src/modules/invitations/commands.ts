import {
  type AcceptInvitationBody,
  type CreateInvitationBody,
  INVITATION_TTL_DAYS,
  type Invitation,
  type InvitationPreview,
  passwordSchema,
} from '@parley/shared';
import { and, desc, eq, gt, isNull } from 'drizzle-orm';
import type { AppContext } from '../../context.ts';
import type { DbOrTx } from '../../db/connect.ts';
import { accountMembers, accounts, invitations, users } from '../../db/schema.ts';
import { AppError, conflict, notFound } from '../../errors.ts';
import { randomToken, sha256, verifyPassword } from '../../lib/crypto.ts';
import { newId } from '../../lib/ids.ts';
import { addMember, upsertUser } from '../accounts/commands.ts';

type InvitationRow = typeof invitations.$inferSelect;

export const presentInvitation = (row: InvitationRow): Invitation => ({
  id: row.id,
  accountId: row.accountId,
  email: row.email,
  name: row.name,
  role: row.role,
  expiresAt: row.expiresAt.toISOString(),
  acceptedAt: row.acceptedAt?.toISOString() ?? null,
  createdAt: row.createdAt.toISOString(),
});

/**
 * Creates a one-time invitation and returns its link. Only the token's hash is stored; an earlier
 * pending invitation for the same address is replaced, so only the newest link works.
 */
export async function createInvitation(
  ctx: AppContext,
  accountId: string,
  createdBy: string | null,
  body: CreateInvitationBody,
): Promise<{ invitation: Invitation; url: string }> {
  const token = randomToken(32);
  const row = await ctx.database.db.transaction(async (tx) => {
    const [member] = await tx
      .select({ userId: accountMembers.userId })
      .from(accountMembers)
      .innerJoin(users, eq(users.id, accountMembers.userId))
      .where(and(eq(accountMembers.accountId, accountId), eq(users.email, body.email)))
      .limit(1);
    if (member) throw conflict('member_exists', 'This person is already a member of the account');
    await tx
      .delete(invitations)
      .where(
        and(
          eq(invitations.accountId, accountId),
          eq(invitations.email, body.email),
          isNull(invitations.acceptedAt),
        ),
      );
    const [created] = await tx
      .insert(invitations)
      .values({
        id: newId(),
        accountId,
        email: body.email,
        name: body.name ?? null,
        role: body.role,
        tokenHash: sha256(token),
        createdBy,
        expiresAt: new Date(ctx.now().getTime() + INVITATION_TTL_DAYS * 86_400_000),
      })
      .returning();
    if (!created) throw new Error('invitation insert returned nothing');
    return created;
  });
  return { invitation: presentInvitation(row), url: `${ctx.env.PUBLIC_URL}/invite/${token}` };
}

/** Invitations nobody has accepted yet and that still work, newest first. */
export async function listPendingInvitations(ctx: AppContext, accountId: string): Promise<Invitation[]> {
  const rows = await ctx.database.db
    .select()
    .from(invitations)
    .where(
      and(
        eq(invitations.accountId, accountId),
        isNull(invitations.acceptedAt),
        gt(invitations.expiresAt, ctx.now()),
      ),
    )
    .orderBy(desc(invitations.createdAt));
  return rows.map(presentInvitation);
}

export async function revokeInvitation(ctx: AppContext, accountId: string, id: string): Promise<void> {
  const [row] = await ctx.database.db
    .delete(invitations)
    .where(and(eq(invitations.id, id), eq(invitations.accountId, accountId), isNull(invitations.acceptedAt)))
    .returning({ id: invitations.id });
  if (!row) throw notFound('invitation_not_found', 'Invitation');
}

/** Finds a usable invitation by its token: unknown → 404, used or expired → 410. */
async function usableInvitation(ctx: AppContext, executor: DbOrTx, token: string, lock: boolean) {
  const query = executor
    .select({ invitation: invitations, accountName: accounts.name })
    .from(invitations)
    .innerJoin(accounts, eq(accounts.id, invitations.accountId))
    .where(eq(invitations.tokenHash, sha256(token)))
    .limit(1);
  const [found] = lock ? await query.for('update', { of: invitations }) : await query;
  if (!found) throw notFound('invitation_not_found', 'Invitation');
  if (found.invitation.acceptedAt || found.invitation.expiresAt.getTime() <= ctx.now().getTime()) {
    throw new AppError(
      'invitation_expired',
      410,
      'This invitation was already used or has expired; ask for a new one',
    );
  }
  return found;
}

export async function previewInvitation(ctx: AppContext, token: string): Promise<InvitationPreview> {
  const { invitation, accountName } = await usableInvitation(ctx, ctx.database.db, token, false);
  const [user] = await ctx.database.db
    .select({ id: users.id })
    .from(users)
    .where(eq(users.email, invitation.email))
    .limit(1);
  return {
    accountName,
    email: invitation.email,
    name: invitation.name,
    role: invitation.role,
    expiresAt: invitation.expiresAt.toISOString(),
    existingUser: user !== undefined,
  };
}

/**
 * Accepts an invitation exactly once (the row lock serializes two clicks on the same link). A new person
 * gets a login with the chosen name and password; someone who already has a login proves it with their
 * password, so a link alone never grants access to an existing person's other accounts.
 */
export async function acceptInvitation(
  ctx: AppContext,
  token: string,
  body: AcceptInvitationBody,
): Promise<{ userId: string; accountId: string }> {
  return ctx.database.db.transaction(async (tx) => {
    const { invitation } = await usableInvitation(ctx, tx, token, true);
    const [existing] = await tx
      .select({ id: users.id, passwordHash: users.passwordHash })
      .from(users)
      .where(eq(users.email, invitation.email))
      .limit(1);
    let userId: string;
    if (existing) {
      if (!(await verifyPassword(body.password, existing.passwordHash))) {
        throw new AppError('invalid_credentials', 401, 'Wrong password for this e-mail address');
      }
      userId = existing.id;
    } else {
      const password = passwordSchema.safeParse(body.password);
      if (!password.success) {
        throw new AppError('validation_failed', 400, 'Invalid body', {
          details: [
            { path: 'password', message: password.error.issues[0]?.message ?? 'Invalid', code: 'too_small' },
          ],
        });
      }
      const name = body.name ?? invitation.name;
      if (!name)
        throw new AppError('validation_failed', 400, 'Choose a name', { details: [{ path: 'name' }] });
      userId = (await upsertUser(tx, { email: invitation.email, name, password: password.data })).id;
    }
    const [member] = await tx
      .select({ role: accountMembers.role })
      .from(accountMembers)
      .where(and(eq(accountMembers.accountId, invitation.accountId), eq(accountMembers.userId, userId)))
      .limit(1);
    // Someone who joined meanwhile keeps the role they have; an invitation never changes a role.
    if (!member) await addMember(tx, invitation.accountId, userId, invitation.role);
    await tx.update(invitations).set({ acceptedAt: ctx.now() }).where(eq(invitations.id, invitation.id));
    return { userId, accountId: invitation.accountId };
  });
}
