import type { Conversation } from '@parley/shared';
import type { conversations } from '../../db/schema.ts';

export type ConversationRow = typeof conversations.$inferSelect;

export function presentConversation(row: ConversationRow, contactName: string | null): Conversation {
  return {
    id: row.id,
    number: row.number,
    accountId: row.accountId,
    inboxId: row.inboxId,
    contactId: row.contactId,
    contactName,
    status: row.status,
    priority: row.priority,
    assigneeId: row.assigneeId,
    teamId: row.teamId,
    botPhase: row.botPhase,
    previousAssigneeId: row.previousAssigneeId,
    assignedAt: row.assignedAt?.toISOString() ?? null,
    queuedAt: row.queuedAt?.toISOString() ?? null,
    requiredSkills: row.requiredSkills,
    handoffNote: row.handoffNote,
    snoozedUntil: row.snoozedUntil?.toISOString() ?? null,
    solvedAt: row.solvedAt?.toISOString() ?? null,
    closedAt: row.closedAt?.toISOString() ?? null,
    lastSeq: row.lastSeq,
    version: row.version,
    lastMessagePreview: row.lastMessagePreview,
    // Stored as '' when the integration gave no name, so "started by an integration" survives.
    startedByIntegration: row.integrationSource !== null,
    integrationSource: row.integrationSource || null,
    tagIds: row.tagIds,
    firstReplyAt: row.firstReplyAt?.toISOString() ?? null,
    waitingSince: row.waitingSince?.toISOString() ?? null,
    lastActivityAt: row.lastActivityAt.toISOString(),
    createdAt: row.createdAt.toISOString(),
  };
}
