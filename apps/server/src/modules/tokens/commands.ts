import { type ApiToken, type TokenScope, tokenScopes } from '@parley/shared';
import { and, desc, eq, isNull } from 'drizzle-orm';
import type { DbOrTx } from '../../db/connect.ts';
import { apiTokens } from '../../db/schema.ts';
import { notFound } from '../../errors.ts';
import { randomToken, sha256 } from '../../lib/crypto.ts';
import { newId } from '../../lib/ids.ts';

type ApiTokenRow = typeof apiTokens.$inferSelect;

const knownScopes: ReadonlySet<string> = new Set(tokenScopes);

export function presentApiToken(row: ApiTokenRow): ApiToken {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    // A scope retired from the list no longer grants anything, so it is not shown either.
    scopes: row.scopes.filter((s): s is TokenScope => knownScopes.has(s)),
    createdBy: row.createdBy,
    createdAt: row.createdAt.toISOString(),
    lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
  };
}

/** Creates an API token; the secret is returned here once and only its hash is stored. */
export async function createApiToken(
  executor: DbOrTx,
  input: { accountId: string; name: string; scopes: TokenScope[]; createdBy: string | null },
): Promise<{ id: string; token: string; row: ApiTokenRow }> {
  const prefix = randomToken(6);
  const token = `pat_${prefix}_${randomToken(32)}`;
  const [row] = await executor
    .insert(apiTokens)
    .values({
      id: newId(),
      accountId: input.accountId,
      name: input.name,
      tokenHash: sha256(token),
      prefix,
      scopes: input.scopes,
      createdBy: input.createdBy,
    })
    .returning();
  if (!row) throw new Error('token insert returned nothing');
  return { id: row.id, token, row };
}

/** The account's tokens that still work, newest first. */
export async function listApiTokens(executor: DbOrTx, accountId: string): Promise<ApiToken[]> {
  const rows = await executor
    .select()
    .from(apiTokens)
    .where(and(eq(apiTokens.accountId, accountId), isNull(apiTokens.revokedAt)))
    .orderBy(desc(apiTokens.createdAt), desc(apiTokens.id));
  return rows.map(presentApiToken);
}

/**
 * Revokes a token of the account: it stops working on the next request (tokens are looked up on every
 * request, never cached). Revoking twice, or a token of another account, is 404 token_not_found.
 */
export async function revokeApiToken(
  executor: DbOrTx,
  accountId: string,
  tokenId: string,
  now: Date,
): Promise<void> {
  const revoked = await executor
    .update(apiTokens)
    .set({ revokedAt: now })
    .where(and(eq(apiTokens.id, tokenId), eq(apiTokens.accountId, accountId), isNull(apiTokens.revokedAt)))
    .returning({ id: apiTokens.id });
  if (revoked.length === 0) throw notFound('token_not_found', 'Token');
}

/** A token that still works, by id or by its secret (the operator's command line); null if none. */
export async function findApiToken(
  executor: DbOrTx,
  by: { id: string } | { token: string },
): Promise<{ id: string; accountId: string } | null> {
  const [row] = await executor
    .select({ id: apiTokens.id, accountId: apiTokens.accountId })
    .from(apiTokens)
    .where(
      and(
        'id' in by ? eq(apiTokens.id, by.id) : eq(apiTokens.tokenHash, sha256(by.token)),
        isNull(apiTokens.revokedAt),
      ),
    )
    .limit(1);
  return row ?? null;
}
