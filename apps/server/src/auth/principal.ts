import type { Role, TokenScope } from '@parley/shared';
import { and, eq, gt, isNull, lt, or } from 'drizzle-orm';
import type { AppContext } from '../context.ts';
import { accountMembers, apiTokens, contactIdentities, contacts, sessions, users } from '../db/schema.ts';
import { AppError, notFound } from '../errors.ts';
import { sha256 } from '../lib/crypto.ts';
import { isVisitorToken, verifyVisitorToken } from './visitor-token.ts';

export const SESSION_COOKIE = 'parley_session';

export type AgentPrincipal = {
  kind: 'agent';
  userId: string;
  name: string;
  sessionId: string;
  csrfToken: string;
};
export type TokenPrincipal = { kind: 'token'; tokenId: string; accountId: string; scopes: TokenScope[] };
export type VisitorPrincipal = {
  kind: 'visitor';
  identityId: string;
  contactId: string;
  contactName: string | null;
  inboxId: string;
  accountId: string;
};
export type Principal = AgentPrincipal | TokenPrincipal | VisitorPrincipal | { kind: 'anonymous' };

/** Who acts inside one account. Every account-scoped query filters by `accountId` from here. */
export type AccountActor =
  | { kind: 'agent'; userId: string; name: string; accountId: string; role: Role }
  | { kind: 'token'; tokenId: string; accountId: string; scopes: TokenScope[] };
export type VisitorActor = VisitorPrincipal;
export type Actor = AccountActor | VisitorActor;

export interface Credentials {
  sessionCookie?: string | undefined;
  bearer?: string | undefined;
}

/** Resolves credentials to a principal; a bad credential is an error, no credential is anonymous. */
export async function resolvePrincipal(ctx: AppContext, credentials: Credentials): Promise<Principal> {
  if (credentials.bearer) {
    return isVisitorToken(credentials.bearer)
      ? resolveVisitor(ctx, credentials.bearer)
      : resolveApiToken(ctx, credentials.bearer);
  }
  if (credentials.sessionCookie) return resolveSession(ctx, credentials.sessionCookie);
  return { kind: 'anonymous' };
}

async function resolveSession(ctx: AppContext, cookie: string): Promise<Principal> {
  const id = sha256(cookie);
  const [row] = await ctx.database.db
    .select({
      userId: sessions.userId,
      csrfToken: sessions.csrfToken,
      lastSeenAt: sessions.lastSeenAt,
      name: users.name,
    })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(and(eq(sessions.id, id), gt(sessions.expiresAt, ctx.now())))
    .limit(1);
  if (!row) return { kind: 'anonymous' };
  if (ctx.now().getTime() - row.lastSeenAt.getTime() > 5 * 60_000) {
    await ctx.database.db.update(sessions).set({ lastSeenAt: ctx.now() }).where(eq(sessions.id, id));
  }
  return { kind: 'agent', userId: row.userId, name: row.name, sessionId: id, csrfToken: row.csrfToken };
}

async function resolveApiToken(ctx: AppContext, token: string): Promise<Principal> {
  const [row] = await ctx.database.db
    .select({
      id: apiTokens.id,
      accountId: apiTokens.accountId,
      scopes: apiTokens.scopes,
      lastUsedAt: apiTokens.lastUsedAt,
    })
    .from(apiTokens)
    .where(and(eq(apiTokens.tokenHash, sha256(token)), isNull(apiTokens.revokedAt)))
    .limit(1);
  if (!row) throw new AppError('unauthenticated', 401, 'Unknown or revoked token');
  // At most one write a minute per token: the condition keeps concurrent requests from all writing.
  const staleBefore = new Date(ctx.now().getTime() - 60_000);
  if (!row.lastUsedAt || row.lastUsedAt < staleBefore) {
    await ctx.database.db
      .update(apiTokens)
      .set({ lastUsedAt: ctx.now() })
      .where(
        and(
          eq(apiTokens.id, row.id),
          or(isNull(apiTokens.lastUsedAt), lt(apiTokens.lastUsedAt, staleBefore)),
        ),
      );
  }
  return { kind: 'token', tokenId: row.id, accountId: row.accountId, scopes: row.scopes as TokenScope[] };
}

async function resolveVisitor(ctx: AppContext, token: string): Promise<Principal> {
  const claims = verifyVisitorToken(ctx.env.SECRET_KEY, token);
  if (!claims) throw new AppError('unauthenticated', 401, 'Invalid visitor token');
  const [row] = await ctx.database.db
    .select({
      contactId: contactIdentities.contactId,
      inboxId: contactIdentities.inboxId,
      name: contacts.name,
    })
    .from(contactIdentities)
    .innerJoin(contacts, eq(contacts.id, contactIdentities.contactId))
    .where(eq(contactIdentities.id, claims.identityId))
    .limit(1);
  if (!row || row.inboxId !== claims.inboxId || !(await sameContact(ctx, claims.contactId, row.contactId))) {
    throw new AppError('unauthenticated', 401, 'Visitor session no longer exists');
  }
  return {
    kind: 'visitor',
    identityId: claims.identityId,
    contactId: row.contactId,
    contactName: row.name,
    inboxId: claims.inboxId,
    accountId: claims.accountId,
  };
}

/**
 * A token names the contact its identity had when it was signed. Merging contacts moves identities to
 * the contact that remains, so a token of a contact merged away acts for that contact (rare path).
 */
async function sameContact(ctx: AppContext, signedFor: string, identityContact: string): Promise<boolean> {
  if (signedFor === identityContact) return true;
  const [signed] = await ctx.database.db
    .select({ mergedIntoId: contacts.mergedIntoId })
    .from(contacts)
    .where(eq(contacts.id, signedFor))
    .limit(1);
  return Boolean(signed?.mergedIntoId);
}

/**
 * The actor for an account-scoped request. Not being a member answers 404, exactly like a missing
 * account, so account ids cannot be probed.
 */
export async function accountActor(
  ctx: AppContext,
  principal: Principal,
  accountId: string,
): Promise<AccountActor> {
  if (principal.kind === 'token') {
    if (principal.accountId !== accountId) throw notFound('account_not_found', 'Account');
    return { kind: 'token', tokenId: principal.tokenId, accountId, scopes: principal.scopes };
  }
  if (principal.kind !== 'agent') throw new AppError('unauthenticated', 401, 'Authentication required');
  const [member] = await ctx.database.db
    .select({ role: accountMembers.role })
    .from(accountMembers)
    .where(and(eq(accountMembers.accountId, accountId), eq(accountMembers.userId, principal.userId)))
    .limit(1);
  if (!member) throw notFound('account_not_found', 'Account');
  return { kind: 'agent', userId: principal.userId, name: principal.name, accountId, role: member.role };
}
