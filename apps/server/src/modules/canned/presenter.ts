import type { CannedReply, CannedScope } from '@parley/shared';
import type { AccountActor } from '../../auth/principal.ts';
import type { cannedReplies } from '../../db/schema.ts';

export type CannedReplyRow = typeof cannedReplies.$inferSelect;

/** The scope follows from the columns: an owner makes it personal, else a team, else the account. */
export function scopeOf(row: Pick<CannedReplyRow, 'ownerId' | 'teamId'>): CannedScope {
  if (row.ownerId) return 'personal';
  if (row.teamId) return 'team';
  return 'account';
}

/**
 * Personal replies are their owner's alone; account and team replies are managed by admins and
 * supervisors. API tokens only read.
 */
export function canManageScope(actor: AccountActor, scope: CannedScope, ownerId: string | null): boolean {
  if (actor.kind !== 'agent') return false;
  if (scope === 'personal') return ownerId === null || ownerId === actor.userId;
  return actor.role === 'admin' || actor.role === 'supervisor';
}

export function presentCannedReply(
  row: CannedReplyRow,
  teamName: string | null,
  actor: AccountActor,
): CannedReply {
  const scope = scopeOf(row);
  return {
    id: row.id,
    accountId: row.accountId,
    shortcut: row.shortcut,
    body: row.body,
    scope,
    teamId: row.teamId,
    teamName: row.teamId ? teamName : null,
    ownerId: row.ownerId,
    createdBy: row.createdBy,
    canManage: canManageScope(actor, scope, row.ownerId),
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}
