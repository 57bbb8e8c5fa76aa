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
    lastSeq: row.lastSeq,
    version: row.version,
    lastMessagePreview: row.lastMessagePreview,
    firstReplyAt: row.firstReplyAt?.toISOString() ?? null,
    waitingSince: row.waitingSince?.toISOString() ?? null,
    lastActivityAt: row.lastActivityAt.toISOString(),
    createdAt: row.createdAt.toISOString(),
  };
}
