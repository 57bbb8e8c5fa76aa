import { and, eq, isNull, or, type SQL } from 'drizzle-orm';
import { conversationScope } from '../../auth/policies.ts';
import type { Actor } from '../../auth/principal.ts';
import type { DbOrTx } from '../../db/connect.ts';
import { attachments, conversations, messages } from '../../db/schema.ts';
import { notFound } from '../../errors.ts';
import type { AttachmentRow } from './presenter.ts';

/**
 * An attachment the actor may read: its conversation must be in the actor's scope (agents: their
 * inboxes and assignments; visitors: their own conversations). Visitors also never see files of private
 * notes, nor files an agent uploaded but has not sent; their own unsent uploads they may. Anything else
 * is "not found", so ids cannot be probed.
 */
export async function findReadableAttachment(
  db: DbOrTx,
  actor: Actor,
  attachmentId: string,
): Promise<AttachmentRow> {
  const visible: SQL[] = [eq(attachments.id, attachmentId), conversationScope(actor)];
  if (actor.kind === 'visitor') {
    visible.push(
      or(
        eq(messages.private, false),
        and(
          isNull(attachments.messageId),
          eq(attachments.uploaderKind, 'contact'),
          eq(attachments.uploaderId, actor.contactId),
        ),
      ) as SQL,
    );
  }
  const [found] = await db
    .select({ attachment: attachments })
    .from(attachments)
    .innerJoin(conversations, eq(conversations.id, attachments.conversationId))
    .leftJoin(messages, eq(messages.id, attachments.messageId))
    .where(and(...visible))
    .limit(1);
  if (!found) throw notFound('attachment_not_found', 'Attachment');
  return found.attachment;
}

/** For a signed address: the attachment whatever the reader (the signature stood for the check above). */
export async function findAttachment(db: DbOrTx, attachmentId: string): Promise<AttachmentRow> {
  const [row] = await db.select().from(attachments).where(eq(attachments.id, attachmentId)).limit(1);
  if (!row) throw notFound('attachment_not_found', 'Attachment');
  return row;
}
