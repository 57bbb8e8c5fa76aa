import { and, eq, ne } from 'drizzle-orm';
import type { FastifyReply } from 'fastify';
import { SESSION_COOKIE } from '../../auth/principal.ts';
import type { AppContext } from '../../context.ts';
import { sessions } from '../../db/schema.ts';
import { randomToken, sha256 } from '../../lib/crypto.ts';

const SESSION_DAYS = 14;

export async function startSession(
  ctx: AppContext,
  reply: FastifyReply,
  userId: string,
  meta: { userAgent?: string | undefined; ip: string },
): Promise<{ csrfToken: string }> {
  const token = randomToken(32);
  const csrfToken = randomToken(24);
  await ctx.database.db.insert(sessions).values({
    id: sha256(token),
    userId,
    csrfToken,
    userAgent: meta.userAgent?.slice(0, 300) ?? null,
    ip: meta.ip,
    expiresAt: new Date(ctx.now().getTime() + SESSION_DAYS * 86_400_000),
  });
  reply.setCookie(SESSION_COOKIE, token, {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure: ctx.env.PUBLIC_URL.startsWith('https://'),
    maxAge: SESSION_DAYS * 86_400,
  });
  return { csrfToken };
}

export async function endSession(ctx: AppContext, reply: FastifyReply, sessionId: string): Promise<void> {
  await ctx.database.db.delete(sessions).where(eq(sessions.id, sessionId));
  reply.clearCookie(SESSION_COOKIE, { path: '/' });
}

/** After a password change every other session of the user ends (their sockets are closed too). */
export async function endOtherSessions(
  ctx: AppContext,
  userId: string,
  keepSessionId: string,
): Promise<void> {
  await ctx.database.db
    .delete(sessions)
    .where(and(eq(sessions.userId, userId), ne(sessions.id, keepSessionId)));
}
