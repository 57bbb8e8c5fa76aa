import type { Team } from '@parley/shared';
import { and, asc, eq, inArray } from 'drizzle-orm';
import type { DbOrTx } from '../../db/connect.ts';
import { teamMembers, teams } from '../../db/schema.ts';
import { notFound } from '../../errors.ts';
import { newId } from '../../lib/ids.ts';
import { findMember } from '../agents/queries.ts';

type TeamRow = typeof teams.$inferSelect;

const present = (row: TeamRow, memberIds: string[]): Team => ({
  id: row.id,
  accountId: row.accountId,
  name: row.name,
  memberIds,
  createdAt: row.createdAt.toISOString(),
});

export async function listTeams(executor: DbOrTx, accountId: string): Promise<Team[]> {
  const rows = await executor
    .select()
    .from(teams)
    .where(eq(teams.accountId, accountId))
    .orderBy(asc(teams.name), asc(teams.id));
  if (rows.length === 0) return [];
  const members = await executor
    .select()
    .from(teamMembers)
    .where(
      inArray(
        teamMembers.teamId,
        rows.map((r) => r.id),
      ),
    );
  return rows.map((row) =>
    present(
      row,
      members.filter((m) => m.teamId === row.id).map((m) => m.userId),
    ),
  );
}

/** A team of this account, or 404 team_not_found (also for teams of other accounts). */
export async function findTeam(executor: DbOrTx, accountId: string, teamId: string): Promise<Team> {
  const [row] = await executor
    .select()
    .from(teams)
    .where(and(eq(teams.id, teamId), eq(teams.accountId, accountId)))
    .limit(1);
  if (!row) throw notFound('team_not_found', 'Team');
  const members = await executor
    .select({ userId: teamMembers.userId })
    .from(teamMembers)
    .where(eq(teamMembers.teamId, teamId));
  return present(
    row,
    members.map((m) => m.userId),
  );
}

export async function createTeam(executor: DbOrTx, accountId: string, name: string): Promise<Team> {
  const [row] = await executor.insert(teams).values({ id: newId(), accountId, name }).returning();
  if (!row) throw new Error('team insert returned nothing');
  return present(row, []);
}

export async function renameTeam(
  executor: DbOrTx,
  accountId: string,
  teamId: string,
  name: string,
): Promise<Team> {
  const [row] = await executor
    .update(teams)
    .set({ name })
    .where(and(eq(teams.id, teamId), eq(teams.accountId, accountId)))
    .returning({ id: teams.id });
  if (!row) throw notFound('team_not_found', 'Team');
  return findTeam(executor, accountId, teamId);
}

export async function deleteTeam(executor: DbOrTx, accountId: string, teamId: string): Promise<void> {
  const [row] = await executor
    .delete(teams)
    .where(and(eq(teams.id, teamId), eq(teams.accountId, accountId)))
    .returning({ id: teams.id });
  if (!row) throw notFound('team_not_found', 'Team');
}

/** Adding is idempotent; only members of the same account can join a team. */
export async function addTeamMember(
  executor: DbOrTx,
  accountId: string,
  teamId: string,
  userId: string,
): Promise<Team> {
  await findTeam(executor, accountId, teamId);
  await findMember(executor, accountId, userId);
  await executor.insert(teamMembers).values({ teamId, userId }).onConflictDoNothing();
  return findTeam(executor, accountId, teamId);
}

export async function removeTeamMember(
  executor: DbOrTx,
  accountId: string,
  teamId: string,
  userId: string,
): Promise<Team> {
  await findTeam(executor, accountId, teamId);
  await executor
    .delete(teamMembers)
    .where(and(eq(teamMembers.teamId, teamId), eq(teamMembers.userId, userId)));
  return findTeam(executor, accountId, teamId);
}
