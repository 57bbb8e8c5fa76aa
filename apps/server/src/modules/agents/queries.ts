import type { Member } from '@parley/shared';
import { and, asc, eq } from 'drizzle-orm';
import type { DbOrTx } from '../../db/connect.ts';
import { accountMembers, users } from '../../db/schema.ts';
import { notFound } from '../../errors.ts';

const memberColumns = {
  userId: users.id,
  name: users.name,
  email: users.email,
  role: accountMembers.role,
  availability: accountMembers.availability,
  createdAt: accountMembers.createdAt,
};

type MemberRow = Omit<Member, 'createdAt'> & { createdAt: Date };

export const presentMember = (row: MemberRow): Member => ({ ...row, createdAt: row.createdAt.toISOString() });

export async function listMembers(executor: DbOrTx, accountId: string): Promise<Member[]> {
  const rows = await executor
    .select(memberColumns)
    .from(accountMembers)
    .innerJoin(users, eq(users.id, accountMembers.userId))
    .where(eq(accountMembers.accountId, accountId))
    .orderBy(asc(users.name), asc(users.id));
  return rows.map(presentMember);
}

/** One member of the account, or 404 user_not_found (also for people of other accounts). */
export async function findMember(executor: DbOrTx, accountId: string, userId: string): Promise<Member> {
  const [row] = await executor
    .select(memberColumns)
    .from(accountMembers)
    .innerJoin(users, eq(users.id, accountMembers.userId))
    .where(and(eq(accountMembers.accountId, accountId), eq(accountMembers.userId, userId)))
    .limit(1);
  if (!row) throw notFound('user_not_found', 'Member');
  return presentMember(row);
}
