import type { TokenScope } from '@parley/shared';
import type { DbOrTx } from '../../db/connect.ts';
import { apiTokens } from '../../db/schema.ts';
import { randomToken, sha256 } from '../../lib/crypto.ts';
import { newId } from '../../lib/ids.ts';

/** Creates an API token; the secret is returned here once and only its hash is stored. */
export async function createApiToken(
  executor: DbOrTx,
  input: { accountId: string; name: string; scopes: TokenScope[]; createdBy: string | null },
): Promise<{ id: string; token: string }> {
  const prefix = randomToken(6);
  const token = `pat_${prefix}_${randomToken(32)}`;
  const id = newId();
  await executor.insert(apiTokens).values({
    id,
    accountId: input.accountId,
    name: input.name,
    tokenHash: sha256(token),
    prefix,
    scopes: input.scopes,
    createdBy: input.createdBy,
  });
  return { id, token };
}
