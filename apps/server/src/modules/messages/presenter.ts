import type { Message } from '@parley/shared';
import type { messages } from '../../db/schema.ts';

export type MessageRow = Omit<typeof messages.$inferSelect, 'search'>;

/** The only shape a message leaves the server in, over HTTP and WebSocket alike. */
export function presentMessage(row: MessageRow): Message {
  return {
    id: row.id,
    conversationId: row.conversationId,
    seq: row.seq,
    kind: row.kind,
    senderKind: row.senderKind,
    senderId: row.senderId,
    senderName: row.senderName,
    body: row.body,
    private: row.private,
    attributes: row.attributes,
    clientMsgId: row.clientMsgId,
    createdAt: row.createdAt.toISOString(),
  };
}

/** Visitors never see private items, whatever path they read through. */
export const visibleToVisitor = (row: Pick<MessageRow, 'private'>): boolean => !row.private;
