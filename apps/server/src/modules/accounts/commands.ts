import type { Role } from '@parley/shared';
import { eq } from 'drizzle-orm';
import type { DbOrTx } from '../../db/connect.ts';
import { accountMembers, accounts, users } from '../../db/schema.ts';
import { conflict } from '../../errors.ts';
import { hashPassword } from '../../lib/crypto.ts';
import { newId } from '../../lib/ids.ts';

export async function createAccount(executor: DbOrTx, name: string): Promise<{ id: string; name: string }> {
  const [row] = await executor
    .insert(accounts)
    .values({ id: newId(), name })
    .returning({ id: accounts.id, name: accounts.name });
  if (!row) throw new Error('account insert returned nothing');
  return row;
}

export interface NewUser {
  email: string;
  name: string;
  password: string | null;
}

/** Finds the user by e-mail or creates one; a password is set only on creation. */
export async function upsertUser(
  executor: DbOrTx,
  input: NewUser,
): Promise<{ id: string; created: boolean }> {
  const email = input.email.toLowerCase();
  const [existing] = await executor
    .select({ id: users.id })
    .from(users)
    .where(eq(users.email, email))
    .limit(1);
  if (existing) return { id: existing.id, created: false };
  const [row] = await executor
    .insert(users)
    .values({
      id: newId(),
      email,
      name: input.name,
      passwordHash: input.password ? await hashPassword(input.password) : null,
    })
    .returning({ id: users.id });
  if (!row) throw new Error('user insert returned nothing');
  return { id: row.id, created: true };
}

export async function addMember(
  executor: DbOrTx,
  accountId: string,
  userId: string,
  role: Role,
  extra: { capacity?: number; skills?: string[] } = {},
): Promise<void> {
  await executor
    .insert(accountMembers)
    .values({ accountId, userId, role, capacity: extra.capacity ?? 10, skills: extra.skills ?? [] })
    .onConflictDoUpdate({ target: [accountMembers.accountId, accountMembers.userId], set: { role } });
}

/** An account and its first admin, in one transaction. */
export async function createAccountWithAdmin(
  executor: DbOrTx,
  input: { accountName: string; name: string; email: string; password: string },
): Promise<{ accountId: string; userId: string }> {
  const account = await createAccount(executor, input.accountName);
  const user = await upsertUser(executor, { email: input.email, name: input.name, password: input.password });
  if (!user.created) {
    // Joining an existing user to a new account by e-mail alone would let anyone claim that person.
    throw conflict('email_taken', 'A user with this e-mail already exists');
  }
  await addMember(executor, account.id, user.id, 'admin');
  return { accountId: account.id, userId: user.id };
}
