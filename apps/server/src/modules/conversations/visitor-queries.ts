import type { VisitorConversation } from '@parley/shared';
import { and, desc, eq, sql } from 'drizzle-orm';
import { conversationScope } from '../../auth/policies.ts';
import type { VisitorActor } from '../../auth/principal.ts';
import type { DbOrTx } from '../../db/connect.ts';
import { conversationParticipants, conversations } from '../../db/schema.ts';

/** The visitor's conversations with their own and the agents' read positions. */
export async function visitorConversations(
  executor: DbOrTx,
  visitor: VisitorActor,
  conversationId?: string,
): Promise<VisitorConversation[]> {
  const agentRead = sql<number>`coalesce((select max(p.last_read_seq) from ${conversationParticipants} p
    where p.conversation_id = ${conversations.id} and p.participant_kind = 'agent'), 0)`;
  const rows = await executor
    .select({ row: conversations, ownRead: conversationParticipants.lastReadSeq, agentRead })
    .from(conversations)
    .leftJoin(
      conversationParticipants,
      and(
        eq(conversationParticipants.conversationId, conversations.id),
        eq(conversationParticipants.participantKind, 'contact'),
        eq(conversationParticipants.participantId, visitor.contactId),
      ),
    )
    .where(
      conversationId
        ? and(conversationScope(visitor), eq(conversations.id, conversationId))
        : conversationScope(visitor),
    )
    .orderBy(desc(conversations.lastActivityAt))
    .limit(50);
  return rows.map(({ row, ownRead, agentRead: agentSeq }) => ({
    id: row.id,
    status: row.status,
    botPhase: row.botPhase,
    lastSeq: row.lastSeq,
    lastReadSeq: ownRead ?? 0,
    agentLastReadSeq: Number(agentSeq),
    lastMessagePreview: row.lastMessagePreview,
    lastActivityAt: row.lastActivityAt.toISOString(),
    createdAt: row.createdAt.toISOString(),
  }));
}
