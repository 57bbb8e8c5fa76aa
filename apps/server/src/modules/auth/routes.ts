import {
  changePasswordBodySchema,
  loginBodySchema,
  sessionInfoSchema,
  setupBodySchema,
  setupStatusSchema,
} from '@parley/shared';
import { eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { AppContext } from '../../context.ts';
import { accountMembers, accounts, users } from '../../db/schema.ts';
import { AppError, conflict } from '../../errors.ts';
import { defineRoute } from '../../http/route.ts';
import { hashPassword, verifyPassword } from '../../lib/crypto.ts';
import { createAccountWithAdmin } from '../accounts/commands.ts';
import { endOtherSessions, endSession, startSession } from './sessions.ts';

const MINUTE = 60_000;

export async function sessionInfo(ctx: AppContext, userId: string, csrfToken: string) {
  const [user] = await ctx.database.db
    .select({ id: users.id, email: users.email, name: users.name })
    .from(users)
    .where(eq(users.id, userId));
  if (!user) throw new AppError('unauthenticated', 401, 'Authentication required');
  const memberships = await ctx.database.db
    .select({ accountId: accounts.id, accountName: accounts.name, role: accountMembers.role })
    .from(accountMembers)
    .innerJoin(accounts, eq(accounts.id, accountMembers.accountId))
    .where(eq(accountMembers.userId, userId))
    .orderBy(accounts.createdAt);
  return { user, memberships, csrfToken };
}

async function accountCount(ctx: AppContext): Promise<number> {
  const [row] = await ctx.database.db.select({ n: sql<number>`count(*)::int` }).from(accounts);
  return row?.n ?? 0;
}

export const authRoutes = [
  defineRoute({
    method: 'GET',
    url: '/api/setup',
    auth: 'public',
    summary: 'Whether this installation still needs its first account',
    tags: ['Auth'],
    response: setupStatusSchema,
    handler: async ({ ctx }) => ({ needsSetup: (await accountCount(ctx)) === 0 }),
  }),
  defineRoute({
    method: 'POST',
    url: '/api/setup',
    auth: 'public',
    summary: 'Create the first account and its admin (only while no account exists)',
    tags: ['Auth'],
    body: setupBodySchema,
    response: sessionInfoSchema,
    status: 201,
    rateLimit: (request) => [{ key: `setup:${request.ip}`, limit: 10, windowMs: MINUTE }],
    handler: async ({ ctx, body, request, reply }) => {
      const created = await ctx.database.db.transaction(async (tx) => {
        // Two first-run forms submitted at once must not both succeed.
        await tx.execute(sql`lock table ${accounts} in exclusive mode`);
        const [row] = await tx.select({ n: sql<number>`count(*)::int` }).from(accounts);
        if ((row?.n ?? 0) > 0) throw conflict('setup_already_done', 'This installation is already set up');
        return createAccountWithAdmin(tx, body);
      });
      const { csrfToken } = await startSession(ctx, reply, created.userId, {
        userAgent: request.headers['user-agent'],
        ip: request.ip,
      });
      return sessionInfo(ctx, created.userId, csrfToken);
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/api/auth/login',
    auth: 'public',
    summary: 'Sign in with e-mail and password (sets the session cookie)',
    tags: ['Auth'],
    body: loginBodySchema,
    response: sessionInfoSchema,
    rateLimit: (request, body) => [
      { key: `login:${request.ip}:${body.email}`, limit: 5, windowMs: MINUTE },
      { key: `login-ip:${request.ip}`, limit: 30, windowMs: MINUTE },
    ],
    handler: async ({ ctx, body, request, reply }) => {
      const [user] = await ctx.database.db
        .select({ id: users.id, passwordHash: users.passwordHash })
        .from(users)
        .where(eq(users.email, body.email))
        .limit(1);
      const ok = await verifyPassword(body.password, user?.passwordHash ?? null);
      if (!user || !ok) throw new AppError('invalid_credentials', 401, 'Wrong e-mail or password');
      const { csrfToken } = await startSession(ctx, reply, user.id, {
        userAgent: request.headers['user-agent'],
        ip: request.ip,
      });
      return sessionInfo(ctx, user.id, csrfToken);
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/api/auth/logout',
    auth: 'session',
    summary: 'Sign out of this session',
    tags: ['Auth'],
    status: 204,
    handler: async ({ ctx, principal, reply }) => {
      await endSession(ctx, reply, principal.sessionId);
      ctx.bus.publish({
        t: 'sessions_revoked',
        userId: principal.userId,
        only: principal.sessionId,
        except: null,
      });
      return reply.status(204).send();
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/api/auth/session',
    auth: 'session',
    summary: 'The signed-in user, their accounts and the CSRF token for writes',
    tags: ['Auth'],
    response: sessionInfoSchema,
    handler: async ({ ctx, principal }) => sessionInfo(ctx, principal.userId, principal.csrfToken),
  }),
  defineRoute({
    method: 'POST',
    url: '/api/auth/password',
    auth: 'session',
    summary: 'Change the password; every other session of this user ends',
    tags: ['Auth'],
    body: changePasswordBodySchema,
    response: z.object({ ok: z.literal(true) }),
    rateLimit: (request) => [{ key: `password:${request.ip}`, limit: 10, windowMs: MINUTE }],
    handler: async ({ ctx, principal, body }) => {
      const [user] = await ctx.database.db
        .select({ passwordHash: users.passwordHash })
        .from(users)
        .where(eq(users.id, principal.userId));
      if (!(await verifyPassword(body.currentPassword, user?.passwordHash ?? null))) {
        throw new AppError('invalid_credentials', 401, 'The current password is wrong');
      }
      await ctx.database.db
        .update(users)
        .set({ passwordHash: await hashPassword(body.newPassword) })
        .where(eq(users.id, principal.userId));
      await endOtherSessions(ctx, principal.userId, principal.sessionId);
      ctx.bus.publish({
        t: 'sessions_revoked',
        userId: principal.userId,
        only: null,
        except: principal.sessionId,
      });
      return { ok: true as const };
    },
  }),
];
