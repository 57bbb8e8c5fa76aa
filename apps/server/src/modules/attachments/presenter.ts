import type { Attachment, MessageAttachment } from '@parley/shared';
import type { attachments } from '../../db/schema.ts';

export type AttachmentRow = typeof attachments.$inferSelect;

/** The only shape an attachment leaves the server in (never its storage key or uploader). */
export function presentAttachment(row: AttachmentRow): Attachment {
  return {
    id: row.id,
    conversationId: row.conversationId,
    messageId: row.messageId,
    fileName: row.fileName,
    contentType: row.contentType,
    category: row.category,
    byteSize: row.byteSize,
    createdAt: row.createdAt.toISOString(),
  };
}

/** What a message carries of each of its files (in `attributes.attachments`). */
export function presentMessageAttachment(
  row: Pick<AttachmentRow, 'id' | 'fileName' | 'contentType' | 'category' | 'byteSize'>,
): MessageAttachment {
  return {
    id: row.id,
    fileName: row.fileName,
    contentType: row.contentType,
    category: row.category,
    byteSize: row.byteSize,
  };
}
